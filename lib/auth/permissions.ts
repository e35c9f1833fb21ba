import type { Prisma } from "@/generated/prisma/client";
import type { Viewer } from "@/lib/auth/get-viewer";

export type PermissionLevel = "READ" | "WRITE" | "ADMIN";
export type Role = "OWNER" | "MEMBER";

const rank: Record<PermissionLevel, number> = { READ: 1, WRITE: 2, ADMIN: 3 };

/**
 * Returns a user's permission on one repository, as Docker Hub grants it.
 * Organization owners have Admin on everything. Members have the higher of the
 * organization's default permission and their teams' permissions on that
 * repository. Anyone else has none.
 */
export function effectivePermission(grant: { role: Role | null; defaultPermission: PermissionLevel | null; teamPermissions: PermissionLevel[] }): PermissionLevel | null {
  if (grant.role === null) return null;
  if (grant.role === "OWNER") return "ADMIN";
  const candidates = [grant.defaultPermission, ...grant.teamPermissions].filter((level): level is PermissionLevel => level !== null);
  if (candidates.length === 0) return null;
  return candidates.reduce((best, level) => (rank[level] > rank[best] ? level : best));
}

export function permissionAtLeast(level: PermissionLevel | null, required: PermissionLevel): boolean {
  return level !== null && rank[level] >= rank[required];
}

/** Organizations the viewer belongs to. */
export function memberOrganizationWhere(viewer: Viewer): Prisma.OrganizationWhereInput {
  return { memberships: { some: { userId: viewer.id } } };
}

/** Organizations the viewer owns. */
export function ownedOrganizationWhere(viewer: Viewer): Prisma.OrganizationWhereInput {
  return { memberships: { some: { userId: viewer.id, role: "OWNER" } } };
}

/**
 * Builds the filter for repositories the viewer may read. The viewer must be a
 * member of the organization, so leaving it ends every team grant at once.
 * Then one of these must hold: they own the organization, it has a default
 * permission, or one of their teams has a permission on the repository.
 * Every permission level includes reading.
 */
export function readableRepositoryWhere(viewer: Viewer): Prisma.RepositoryWhereInput {
  return {
    organization: memberOrganizationWhere(viewer),
    OR: [
      { organization: ownedOrganizationWhere(viewer) },
      { organization: { defaultPermission: { not: null } } },
      { permissions: { some: { team: { members: { some: { userId: viewer.id } } } } } },
    ],
  };
}
