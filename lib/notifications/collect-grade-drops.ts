import type { Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";
import { appUrl, tagPath } from "@/lib/notifications/app-url";
import { advanceCursor, unreadRange } from "@/lib/notifications/event-cursor";
import { gradeRank, type Grade } from "@/scoring";

/** Checks whether a change from one grade to another is a drop. A first grade or a lost grade is not. */
export function isDrop(fromGrade: string | null, toGrade: string | null): boolean {
  if (fromGrade === null || toGrade === null) return false;
  return gradeRank(toGrade as Grade) > gradeRank(fromGrade as Grade);
}

/**
 * Records a notification event for every recorded grade change that is a drop:
 * "tag-grade-drop" for a tag, "repository-grade-drop" for a repository's own
 * grade. Each change makes at most one event, keyed by the change's id.
 * Returns how many events were new.
 */
export async function collectGradeDrops(prisma: PrismaClient, now: Date): Promise<number> {
  const range = await unreadRange(prisma, "grade-changes", now);
  const changes = await prisma.gradeChange.findMany({
    where: { changedAt: { gt: range.after, lte: range.until } },
    orderBy: { changedAt: "asc" },
    include: { repository: { select: { id: true, name: true, organizationId: true, latestTagId: true, deletedAt: true } } },
  });
  const drops = changes.filter((change) => isDrop(change.fromGrade, change.toGrade) && change.repository.deletedAt === null);
  const tagIds = [...new Set(drops.map((change) => change.tagId ?? change.repository.latestTagId).filter((id): id is string => id !== null))];
  const tags = new Map((await prisma.tag.findMany({ where: { id: { in: tagIds } }, select: { id: true, name: true } })).map((tag) => [tag.id, tag.name]));

  const events: Prisma.NotificationEventCreateManyInput[] = [];
  for (const change of drops) {
    const repository = change.repository;
    const tagName = tags.get(change.tagId ?? repository.latestTagId ?? "");
    if (change.tagId !== null && tagName === undefined) continue;
    const causeText = change.causeIds.length > 0 ? `${change.cause}: ${change.causeIds.slice(0, 3).join(", ")}${change.causeIds.length > 3 ? " …" : ""}` : change.cause;
    const subject = change.tagId === null ? `Repository ${repository.name}` : `${repository.name}:${tagName}`;
    events.push({
      organizationId: repository.organizationId,
      repositoryId: repository.id,
      tagId: change.tagId,
      kind: change.tagId === null ? "repository-grade-drop" : "tag-grade-drop",
      eventKey: `grade-change:${change.id}`,
      cause: change.cause,
      causeIds: change.causeIds,
      fromGrade: change.fromGrade,
      toGrade: change.toGrade,
      title: `${subject} dropped from ${change.fromGrade} to ${change.toGrade} (${causeText})`,
      link: tagName === undefined ? appUrl(`/repository/${repository.name}/general`) : appUrl(tagPath(repository.name, tagName)),
      details: { repository: repository.name, tag: tagName ?? null, digest: change.digest, fromPercent: change.fromPercent, toPercent: change.toPercent, changedAt: change.changedAt.toISOString() },
    });
  }
  const created = events.length === 0 ? 0 : (await prisma.notificationEvent.createMany({ data: events, skipDuplicates: true })).count;
  await advanceCursor(prisma, "grade-changes", range.until);
  return created;
}
