import type { PrismaClient } from "@/lib/db";
import { requestNotificationPass } from "@/lib/notifications/notification-jobs";
import { gradeRank, worstGrade, type Grade, type PolicyResult } from "@/scoring";

/** The cause of a grade refresh, recorded on each change it makes. */
export interface ChangeCause {
  cause: string;
  causeIds?: string[];
  /** The ids behind the cause for one image, when they differ by image (advisory ids of an advisory update). */
  causeIdsOf?: (imageDigest: string) => string[];
}

/** Returns the cause's ids for a tag: the fixed list, or the union over the tag's images. */
function idsFor(change: ChangeCause, imageDigests: readonly string[]): string[] {
  if (change.causeIds) return change.causeIds;
  if (!change.causeIdsOf) return [];
  return [...new Set(imageDigests.flatMap((digest) => change.causeIdsOf!(digest)))].sort();
}

/** When no cause is given: grades refreshed after a sync or an analysis. */
const ANALYSIS: ChangeCause = { cause: "analysis" };

/**
 * Recomputes the denormalised grade of tags: the worst grade over the tag's
 * platforms, from each platform image's latest score report, and the
 * policies that fail on any platform. A changed grade is recorded as a
 * GradeChange with the cause, or "push" when the tag moved to a new digest
 * since its last recorded grade. A tag whose new digest is not graded yet
 * keeps no change until it is.
 */
export async function refreshTagGrades(prisma: PrismaClient, tagIds: readonly string[], change: ChangeCause = ANALYSIS): Promise<void> {
  if (tagIds.length === 0) return;
  const tags = await prisma.tag.findMany({
    where: { id: { in: [...tagIds] } },
    select: { id: true, repositoryId: true, digest: true, manifest: { select: { images: { select: { imageDigest: true } } } } },
  });
  const digests = [...new Set(tags.flatMap((tag) => tag.manifest.images.map((image) => image.imageDigest)))];
  const latest = await latestReports(prisma, digests);
  const previous = await lastChanges(prisma, tags.map((tag) => tag.id));

  for (const tag of tags) {
    const reports = tag.manifest.images.map((image) => latest.get(image.imageDigest)).filter((report) => report !== undefined);
    const grade = reports.length === 0 ? null : worstGrade(reports.map((report) => report.grade as Grade | null));
    const percents = reports.map((report) => report.percent).filter((percent): percent is number => percent !== null);
    const percent = percents.length === 0 ? null : Math.min(...percents);
    const failingPolicies = [...new Set(reports.flatMap((report) => (report.results as unknown as PolicyResult[]).filter((result) => result.status === "fail").map((result) => result.id)))].sort();
    await prisma.tag.update({ where: { id: tag.id }, data: { grade, percent, failingPolicies } });

    const last = previous.get(tag.id);
    if (reports.length === 0 || (last && last.toGrade === grade && last.toPercent === percent && last.digest === tag.digest)) continue;
    const moved = last !== undefined && last.digest !== tag.digest;
    await prisma.gradeChange.create({
      data: {
        repositoryId: tag.repositoryId,
        tagId: tag.id,
        digest: tag.digest,
        fromGrade: last?.toGrade ?? null,
        toGrade: grade,
        fromPercent: last?.toPercent ?? null,
        toPercent: percent,
        cause: moved || last === undefined ? "push" : change.cause,
        causeIds: moved || last === undefined ? [] : idsFor(change, tag.manifest.images.map((image) => image.imageDigest)),
      },
    });
  }
}

/** Loads the latest recorded change of each tag. */
async function lastChanges(prisma: PrismaClient, tagIds: readonly string[]) {
  const changes = await prisma.gradeChange.findMany({
    where: { tagId: { in: [...tagIds] } },
    orderBy: { changedAt: "desc" },
    distinct: ["tagId"],
    select: { tagId: true, digest: true, toGrade: true, toPercent: true },
  });
  return new Map(changes.map((change) => [change.tagId!, change]));
}

/**
 * Recomputes a repository's list-page fields: the grade and failing policies
 * of its most recently pushed tag, the tag count and the last push time. A
 * changed grade is recorded as a GradeChange of the repository.
 */
export async function refreshRepositoryGrade(prisma: PrismaClient, repositoryId: string, change: ChangeCause = ANALYSIS): Promise<void> {
  const tags = await prisma.tag.findMany({
    where: { repositoryId, deletedAt: null },
    select: { id: true, name: true, digest: true, grade: true, percent: true, lastPushedAt: true, failingPolicies: true },
    orderBy: [{ lastPushedAt: "desc" }, { name: "asc" }],
  });
  const latest = tags[0];
  const before = await prisma.repository.findUniqueOrThrow({ where: { id: repositoryId }, select: { grade: true, percent: true, latestTagId: true } });
  await prisma.repository.update({
    where: { id: repositoryId },
    data: {
      grade: latest?.grade ?? null,
      percent: latest?.percent ?? null,
      failingPolicies: latest?.failingPolicies ?? [],
      latestTagId: latest?.id ?? null,
      lastPushedAt: latest?.lastPushedAt ?? null,
      tagCount: tags.length,
    },
  });

  const grade = latest?.grade ?? null;
  const percent = latest?.percent ?? null;
  if (grade === null || (before.grade === grade && before.percent === percent)) return;
  // A new latest tag, or a first grade, is a push; otherwise the refresh's cause applies.
  const pushed = before.latestTagId !== (latest?.id ?? null) || before.grade === null;
  // The repository's grade is its latest tag's, so the tag's latest change names the ids.
  const tagChange = latest ? await prisma.gradeChange.findFirst({ where: { tagId: latest.id }, orderBy: { changedAt: "desc" }, select: { cause: true, causeIds: true } }) : null;
  let causeIds = change.causeIds ?? [];
  if (tagChange?.cause === change.cause) causeIds = tagChange.causeIds;
  if (pushed) causeIds = [];
  await prisma.gradeChange.create({
    data: {
      repositoryId,
      tagId: null,
      digest: latest?.digest ?? null,
      fromGrade: before.grade,
      toGrade: grade,
      fromPercent: before.percent,
      toPercent: percent,
      cause: pushed ? "push" : change.cause,
      causeIds,
    },
  });
}

/** Loads the latest score report of each image digest, without its findings. */
export async function latestReports(prisma: PrismaClient, digests: readonly string[]) {
  if (digests.length === 0) return new Map<string, Awaited<ReturnType<typeof loadReports>>[number]>();
  // One row per image, found on the (imageDigest, createdAt) index, because an image keeps every report it was ever given.
  const ids = await prisma.$queryRaw<{ id: string }[]>`
    SELECT DISTINCT ON ("imageDigest") id FROM "ScoreReport"
    WHERE "imageDigest" = ANY(${[...digests]}::text[])
    ORDER BY "imageDigest", "createdAt" DESC`;
  const reports = await loadReports(prisma, ids.map((row) => row.id));
  return new Map(reports.map((report) => [report.imageDigest, report]));
}

/** Loads score reports by id without their findings, which can be megabytes per report. */
function loadReports(prisma: PrismaClient, ids: string[]) {
  return prisma.scoreReport.findMany({ where: { id: { in: ids } }, omit: { findings: true } });
}

/** Sort key for grades with "not graded" last. */
export function gradeSortKey(grade: string | null): number {
  return grade === null ? 99 : gradeRank(grade as Grade);
}

/** Recomputes the grades of every tag whose manifest contains one of these images, and of their repositories. */
export async function refreshGradesOfImages(prisma: PrismaClient, digests: readonly string[], change: ChangeCause = ANALYSIS): Promise<void> {
  if (digests.length === 0) return;
  const tags = await prisma.tag.findMany({
    where: { manifest: { images: { some: { imageDigest: { in: [...digests] } } } } },
    select: { id: true, repositoryId: true },
  });
  await refreshTagGrades(prisma, tags.map((tag) => tag.id), change);
  for (const repositoryId of new Set(tags.map((tag) => tag.repositoryId))) await refreshRepositoryGrade(prisma, repositoryId, change);
  requestNotificationPass();
}
