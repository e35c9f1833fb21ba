import type { Viewer } from "@/lib/auth/get-viewer";
import { memberOrganizationWhere, readableRepositoryWhere } from "@/lib/auth/permissions";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * Lists the organization's repositories that the viewer can read (not deleted) with
 * the grade of each one's most recently pushed tag, and the last sync run.
 * NOT_FOUND unless the viewer is a member of the organization.
 */
export async function listRepositories(viewer: Viewer, organizationName: string) {
  const prisma = getPrisma();
  const organization = await prisma.organization.findFirst({ where: { name: organizationName, ...memberOrganizationWhere(viewer) }, select: { id: true, name: true } });
  if (!organization) throw new AppError("NOT_FOUND", `Organization ${organizationName} was not found.`);

  const [repositories, lastSync, ownership] = await Promise.all([
    prisma.repository.findMany({
      where: { organizationId: organization.id, deletedAt: null, ...readableRepositoryWhere(viewer) },
      orderBy: { name: "asc" },
      select: { name: true, grade: true, percent: true, lastPushedAt: true, tagCount: true, lastSyncError: true },
    }),
    prisma.syncRun.findFirst({ where: { organizationId: organization.id }, orderBy: { startedAt: "desc" } }),
    prisma.membership.findFirst({ where: { organizationId: organization.id, userId: viewer.id, role: "OWNER" }, select: { id: true } }),
  ]);
  return { organization: organization.name, repositories, lastSync, isOwner: ownership !== null };
}
