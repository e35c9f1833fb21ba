import type { Viewer } from "@/lib/auth/get-viewer";
import { issuePasswordToken, normalizeEmail } from "@/lib/auth/accounts";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";

/** Site administration exists only for site administrators; anyone else gets NOT_FOUND, as for a missing page. */
export function assertSiteAdmin(viewer: Viewer): void {
  if (!viewer.isSiteAdmin) throw new AppError("NOT_FOUND", "Page not found.");
}

/** Lists every organization with its registry, owners and counts, for site administrators. */
export async function listAllOrganizations(viewer: Viewer) {
  assertSiteAdmin(viewer);
  const organizations = await getPrisma().organization.findMany({
    orderBy: { name: "asc" },
    select: {
      name: true,
      registry: { select: { kind: true, url: true } },
      memberships: { where: { role: "OWNER" }, select: { user: { select: { email: true } } } },
      _count: { select: { memberships: true, repositories: { where: { deletedAt: null } } } },
    },
  });
  return organizations.map((organization) => ({
    name: organization.name,
    registry: organization.registry ? `${organization.registry.kind.toLowerCase()} ${organization.registry.url}` : null,
    owners: organization.memberships.map((membership) => membership.user.email),
    memberCount: organization._count.memberships,
    repositoryCount: organization._count.repositories,
  }));
}

/**
 * Makes an account an owner of an organization, creating either when missing.
 * A new account gets a one-time set-password token.
 */
export async function addOrganizationOwner(viewer: Viewer, input: { organization: string; email: string }) {
  assertSiteAdmin(viewer);
  const email = normalizeEmail(input.email);
  return getPrisma().$transaction(async (tx) => {
    const organization = await tx.organization.upsert({ where: { name: input.organization }, update: {}, create: { name: input.organization } });
    const existing = await tx.user.findUnique({ where: { email } });
    const user = existing ?? (await tx.user.create({ data: { email } }));
    await tx.membership.upsert({
      where: { organizationId_userId: { organizationId: organization.id, userId: user.id } },
      update: { role: "OWNER" },
      create: { organizationId: organization.id, userId: user.id, role: "OWNER" },
    });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "owner.added_by_site_admin", target: email });
    const passwordToken = existing ? null : await issuePasswordToken(tx, user.id);
    return { email, organization: organization.name, passwordToken };
  });
}
