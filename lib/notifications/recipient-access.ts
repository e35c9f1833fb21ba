import type { PrismaClient } from "@/lib/db";
import { effectivePermission, type PermissionLevel, type Role } from "@/lib/auth/permissions";
import { webhookPausedKind } from "@/lib/notifications/event-kinds";

/** One user's access in one organization, loaded once per message. */
export interface OrganizationAccess {
  role: Role | null;
  defaultPermission: PermissionLevel | null;
  teamPermissions: Map<string, PermissionLevel[]>;
}

/** Loads a user's role, the organization's default permission and the user's team permissions per repository. A disabled account has no access. */
export async function loadOrganizationAccess(prisma: PrismaClient, userId: string, organizationId: string): Promise<OrganizationAccess> {
  const [membership, organization, grants, user] = await Promise.all([
    prisma.membership.findUnique({ where: { organizationId_userId: { organizationId, userId } }, select: { role: true } }),
    prisma.organization.findUnique({ where: { id: organizationId }, select: { defaultPermission: true } }),
    prisma.repositoryPermission.findMany({ where: { team: { organizationId, members: { some: { userId } } } }, select: { repositoryId: true, permission: true } }),
    prisma.user.findUnique({ where: { id: userId }, select: { disabledAt: true } }),
  ]);
  const teamPermissions = new Map<string, PermissionLevel[]>();
  for (const grant of grants) teamPermissions.set(grant.repositoryId, [...(teamPermissions.get(grant.repositoryId) ?? []), grant.permission]);
  const active = user !== null && user.disabledAt === null;
  return { role: active ? (membership?.role ?? null) : null, defaultPermission: organization?.defaultPermission ?? null, teamPermissions };
}

/**
 * Decides whether the user may receive an event, by the same rules as the
 * pages: a repository's events need read access to it. Events of the whole
 * organization go to members, except sync failures and webhook pauses, whose
 * details can name any repository and so go to owners only.
 */
export function mayReceive(access: OrganizationAccess, event: { kind: string; repositoryId: string | null }): boolean {
  if (access.role === null) return false;
  if (event.repositoryId !== null) {
    return effectivePermission({ role: access.role, defaultPermission: access.defaultPermission, teamPermissions: access.teamPermissions.get(event.repositoryId) ?? [] }) !== null;
  }
  if (event.kind === "sync-failing" || event.kind === webhookPausedKind) return access.role === "OWNER";
  return true;
}
