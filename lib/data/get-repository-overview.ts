import type { Prisma } from "@/generated/prisma/client";
import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { findRepository } from "@/lib/data/find-repository";
import { getTag } from "@/lib/data/get-tag";
import { listTags } from "@/lib/data/list-tags";

/** Recent tags on the General tab. */
export const RECENT_TAGS = 5;

/** Tags listed with the best grades, and as many with the worst. */
export const RANKED_TAGS = 3;

/** Grade changes of the repository loaded for its history, newest first. Older ones are counted, not loaded. */
export const HISTORY_LIMIT = 200;

/** Maximum length of the description shown, in characters. A label value has no length limit. */
export const MAX_DESCRIPTION_LENGTH = 300;

/** The OCI annotation and label key for a human-readable description of the image. */
export const DESCRIPTION_KEY = "org.opencontainers.image.description";

export interface RepositoryGradeChange {
  changedAt: Date;
  fromGrade: string | null;
  toGrade: string | null;
  fromPercent: number | null;
  toPercent: number | null;
  /** "push", "analysis", "advisory update", "base image updated", "policy change", "exception change" or "exception expiry". */
  cause: string;
  /** Ids the cause names, such as the advisory ids of an advisory update. */
  causeIds: string[];
  /** The digest of the latest tag when the repository's grade changed. */
  digest: string | null;
}

export interface RankedTag {
  name: string;
  grade: string;
  percent: number | null;
  lastPushedAt: Date;
}

/**
 * Loads the General tab: the latest pushed tag with its grade breakdown, the
 * recent tags, the repository's grade history, the tags with the best and the
 * worst grades, and the latest tag's description. Throws NOT_FOUND, before
 * any other query, when the viewer may not read the repository.
 */
export async function getRepositoryOverview(viewer: Viewer, organizationName: string, repositoryName: string) {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const prisma = getPrisma();
  const latestTag = repository.latestTagId
    ? await prisma.tag.findFirst({ where: { id: repository.latestTagId, repositoryId: repository.id, deletedAt: null }, select: { name: true } })
    : null;

  const [latest, recent, history, ranked] = await Promise.all([
    latestTag ? getTag(viewer, organizationName, repositoryName, latestTag.name) : Promise.resolve(null),
    listTags(viewer, organizationName, repositoryName, {}, { pageSize: RECENT_TAGS }),
    loadGradeHistory(repository.id),
    rankTags(repository.id),
  ]);
  const description = latest ? await findDescription(latest.platforms.map((platform) => platform.digest)) : null;

  return {
    repository,
    latest,
    recentTags: recent.tags,
    description,
    history,
    bestTags: ranked.best,
    worstTags: ranked.worst,
  };
}

/** Loads the repository's own grade changes (those without a tag), newest first, with the count of all of them. */
async function loadGradeHistory(repositoryId: string): Promise<{ changes: RepositoryGradeChange[]; total: number }> {
  const prisma = getPrisma();
  const where: Prisma.GradeChangeWhereInput = { repositoryId, tagId: null };
  const [changes, total] = await Promise.all([
    prisma.gradeChange.findMany({
      where,
      // Changes made in one transaction can share a time, so the id keeps their order stable.
      orderBy: [{ changedAt: "desc" }, { id: "desc" }],
      take: HISTORY_LIMIT,
      select: { changedAt: true, fromGrade: true, toGrade: true, fromPercent: true, toPercent: true, cause: true, causeIds: true, digest: true },
    }),
    prisma.gradeChange.count({ where }),
  ]);
  return { changes, total };
}

/**
 * Finds the graded tags with the best and the worst grades. The two lists
 * never share a tag: with fewer than twice RANKED_TAGS graded tags, the better
 * half (rounded up) is best and the rest is worst.
 */
async function rankTags(repositoryId: string): Promise<{ best: RankedTag[]; worst: RankedTag[] }> {
  const prisma = getPrisma();
  const where: Prisma.TagWhereInput = { repositoryId, deletedAt: null, grade: { not: null } };
  const graded = await prisma.tag.count({ where });
  const bestCount = Math.min(RANKED_TAGS, Math.ceil(graded / 2));
  const worstCount = Math.min(RANKED_TAGS, graded - bestCount);
  const select = { name: true, grade: true, percent: true, lastPushedAt: true } as const;

  // The worst order is the exact reverse of the best order, and the counts add up to at most the graded tags.
  const [best, worst] = await Promise.all([
    prisma.tag.findMany({
      where,
      orderBy: [{ grade: "asc" }, { percent: { sort: "desc", nulls: "last" } }, { lastPushedAt: "desc" }, { name: "asc" }],
      take: bestCount,
      select,
    }),
    worstCount === 0
      ? Promise.resolve([])
      : prisma.tag.findMany({
          where,
          orderBy: [{ grade: "desc" }, { percent: { sort: "asc", nulls: "first" } }, { lastPushedAt: "asc" }, { name: "desc" }],
          take: worstCount,
          select,
        }),
  ]);
  // The where clause excludes tags without a grade, so every grade here is set.
  const toRanked = (tag: (typeof best)[number]): RankedTag => ({ name: tag.name, grade: tag.grade ?? "", percent: tag.percent, lastPushedAt: tag.lastPushedAt });
  return { best: best.map(toRanked), worst: worst.map(toRanked) };
}

/**
 * Reads the description of the latest tag: the first of its platform images
 * (in platform order) with an `org.opencontainers.image.description`
 * annotation on its manifest or, failing that, label in its config. Returns
 * null when none has one, because the registry API carries no description.
 */
async function findDescription(imageDigests: string[]): Promise<string | null> {
  if (imageDigests.length === 0) return null;
  const images = await getPrisma().image.findMany({ where: { digest: { in: imageDigests } }, select: { digest: true, annotations: true, labels: true } });
  const byDigest = new Map(images.map((image) => [image.digest, image]));
  for (const digest of imageDigests) {
    const image = byDigest.get(digest);
    if (!image) continue;
    const text = stringEntry(image.annotations, DESCRIPTION_KEY) ?? stringEntry(image.labels, DESCRIPTION_KEY);
    if (text !== null) return text.length > MAX_DESCRIPTION_LENGTH ? `${text.slice(0, MAX_DESCRIPTION_LENGTH - 1)}…` : text;
  }
  return null;
}

/** Returns a non-blank string value of a JSON object, trimmed, or null. */
function stringEntry(value: Prisma.JsonValue, key: string): string | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const entry = (value as Prisma.JsonObject)[key];
  if (typeof entry !== "string") return null;
  const text = entry.trim();
  return text === "" ? null : text;
}
