import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * The organization's repositories (not deleted) with the grade of each one's
 * most recently pushed tag, and the organization's last sync run.
 */
export async function listRepositories(organizationName: string) {
  const prisma = getPrisma();
  const organization = await prisma.organization.findUnique({ where: { name: organizationName }, select: { id: true, name: true } });
  if (!organization) throw new AppError("NOT_FOUND", `Organization ${organizationName} was not found.`);

  const [repositories, lastSync] = await Promise.all([
    prisma.repository.findMany({
      where: { organizationId: organization.id, deletedAt: null },
      orderBy: { name: "asc" },
      select: { name: true, grade: true, percent: true, lastPushedAt: true, tagCount: true, lastSyncError: true },
    }),
    prisma.syncRun.findFirst({ where: { organizationId: organization.id }, orderBy: { startedAt: "desc" } }),
  ]);
  return { organization: organization.name, repositories, lastSync };
}
