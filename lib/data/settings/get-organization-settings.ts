import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";

/** Everything the settings pages show, for owners only: members, teams, permissions, repositories and the audit log. */
export async function getOrganizationSettings(viewer: Viewer, organizationName: string) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const prisma = getPrisma();
  const [members, teams, repositories, auditEvents] = await Promise.all([
    prisma.membership.findMany({
      where: { organizationId: organization.id },
      orderBy: { user: { email: "asc" } },
      select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true, passwordHash: true } } },
    }),
    prisma.team.findMany({
      where: { organizationId: organization.id },
      orderBy: { name: "asc" },
      select: {
        id: true,
        name: true,
        members: { select: { user: { select: { id: true, email: true } } }, orderBy: { user: { email: "asc" } } },
        permissions: { select: { permission: true, repository: { select: { id: true, name: true } } } },
      },
    }),
    prisma.repository.findMany({ where: { organizationId: organization.id, deletedAt: null }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
    prisma.auditEvent.findMany({
      where: { organizationId: organization.id },
      orderBy: { createdAt: "desc" },
      take: 200,
      select: { id: true, action: true, target: true, details: true, createdAt: true, actor: { select: { email: true } } },
    }),
  ]);
  return {
    organization: { id: organization.id, name: organization.name, defaultPermission: organization.defaultPermission },
    members: members.map((member) => ({ userId: member.user.id, email: member.user.email, name: member.user.name, role: member.role, hasPassword: member.user.passwordHash !== null, since: member.createdAt })),
    teams,
    repositories,
    auditEvents,
  };
}
