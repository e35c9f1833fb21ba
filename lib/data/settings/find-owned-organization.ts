import type { Viewer } from "@/lib/auth/get-viewer";
import { ownedOrganizationWhere } from "@/lib/auth/permissions";
import { getPrisma } from "@/lib/db";
import { hasControlCharacter } from "@/lib/data/settings/form-text";
import { AppError } from "@/lib/errors";

/**
 * Finds an organization the viewer owns. Anyone else gets NOT_FOUND, the same
 * error as for an organization that does not exist, so settings reveal nothing.
 */
export async function findOwnedOrganization(viewer: Viewer, organizationName: string) {
  // No organization name has a control character, and Postgres cannot compare text with NUL.
  if (hasControlCharacter(organizationName)) throw new AppError("NOT_FOUND", `Organization ${JSON.stringify(organizationName)} was not found.`);
  const organization = await getPrisma().organization.findFirst({ where: { name: organizationName, ...ownedOrganizationWhere(viewer) } });
  if (!organization) throw new AppError("NOT_FOUND", `Organization ${organizationName} was not found.`);
  return organization;
}
