import type { PrismaClient } from "@/lib/db";
import { gradeRank, worstGrade, type Grade } from "@/scoring";

/**
 * Recomputes the denormalised grade of tags: the worst grade over the tag's
 * platforms, from each platform image's latest score report.
 */
export async function refreshTagGrades(prisma: PrismaClient, tagIds: readonly string[]): Promise<void> {
  if (tagIds.length === 0) return;
  const tags = await prisma.tag.findMany({
    where: { id: { in: [...tagIds] } },
    select: { id: true, manifest: { select: { images: { select: { imageDigest: true } } } } },
  });
  const digests = [...new Set(tags.flatMap((tag) => tag.manifest.images.map((image) => image.imageDigest)))];
  const latest = await latestReports(prisma, digests);

  for (const tag of tags) {
    const reports = tag.manifest.images.map((image) => latest.get(image.imageDigest)).filter((report) => report !== undefined);
    const grade = reports.length === 0 ? null : worstGrade(reports.map((report) => report.grade as Grade | null));
    const percents = reports.map((report) => report.percent).filter((percent): percent is number => percent !== null);
    await prisma.tag.update({
      where: { id: tag.id },
      data: { grade, percent: percents.length === 0 ? null : Math.min(...percents) },
    });
  }
}

/**
 * Recomputes a repository's list-page fields: the grade of its most recently
 * pushed tag, the tag count and the last push time.
 */
export async function refreshRepositoryGrade(prisma: PrismaClient, repositoryId: string): Promise<void> {
  const tags = await prisma.tag.findMany({
    where: { repositoryId, deletedAt: null },
    select: { id: true, name: true, grade: true, percent: true, lastPushedAt: true },
    orderBy: [{ lastPushedAt: "desc" }, { name: "asc" }],
  });
  const latest = tags[0];
  await prisma.repository.update({
    where: { id: repositoryId },
    data: {
      grade: latest?.grade ?? null,
      percent: latest?.percent ?? null,
      latestTagId: latest?.id ?? null,
      lastPushedAt: latest?.lastPushedAt ?? null,
      tagCount: tags.length,
    },
  });
}

/** Loads the latest score report of each image digest. */
export async function latestReports(prisma: PrismaClient, digests: readonly string[]) {
  const reports = await prisma.scoreReport.findMany({
    where: { imageDigest: { in: [...digests] } },
    orderBy: { createdAt: "desc" },
  });
  const latest = new Map<string, (typeof reports)[number]>();
  for (const report of reports) {
    if (!latest.has(report.imageDigest)) latest.set(report.imageDigest, report);
  }
  return latest;
}

/** Sort key for grades with "not graded" last. */
export function gradeSortKey(grade: string | null): number {
  return grade === null ? 99 : gradeRank(grade as Grade);
}

/** Recomputes the grades of every tag whose manifest holds one of these images, and of their repositories. */
export async function refreshGradesOfImages(prisma: PrismaClient, digests: readonly string[]): Promise<void> {
  if (digests.length === 0) return;
  const tags = await prisma.tag.findMany({
    where: { manifest: { images: { some: { imageDigest: { in: [...digests] } } } } },
    select: { id: true, repositoryId: true },
  });
  await refreshTagGrades(prisma, tags.map((tag) => tag.id));
  for (const repositoryId of new Set(tags.map((tag) => tag.repositoryId))) await refreshRepositoryGrade(prisma, repositoryId);
}
