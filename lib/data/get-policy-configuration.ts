import type { Viewer } from "@/lib/auth/get-viewer";
import { memberOrganizationWhere } from "@/lib/auth/permissions";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { policyConfigFor } from "@/lib/grading/policy-configs";
import type { PolicyConfig } from "@/scoring";

/**
 * Loads the organization's current policy configuration, the one its tags are
 * graded under, for any member: members see the grades and policy results it
 * produces, so its weights and options are no secret from them. Throws
 * NOT_FOUND when the organization does not exist or the viewer is not a member.
 */
export async function getPolicyConfiguration(viewer: Viewer, organizationName: string): Promise<PolicyConfig> {
  const prisma = getPrisma();
  const organization = await prisma.organization.findFirst({ where: { name: organizationName, ...memberOrganizationWhere(viewer) }, select: { id: true } });
  if (organization === null) throw new AppError("NOT_FOUND", `Organization ${organizationName} was not found.`);
  return policyConfigFor(prisma, organization.id);
}
