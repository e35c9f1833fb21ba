import type { PrismaClient } from "@/lib/db";
import { loadImageFacts } from "@/lib/grading/grade-images";
import { policyConfigsForImages } from "@/lib/grading/policy-configs";
import { IMAGES_PER_BATCH, imagesOfCurrentTags } from "@/lib/grading/regrade-organization";
import { defaultPolicyConfig, gradeRank, scoreImage, worstGrade, type Grade, type PolicyConfig } from "@/scoring";

/** One tag's grade under the current configuration and under the candidate; null is "not graded". */
export interface TagGradeChange {
  repository: string;
  tag: string;
  from: Grade | null;
  to: Grade | null;
}

/** How many tags move from one grade to another, e.g. 14 tags A → B. */
export interface GradeMove {
  from: Grade | null;
  to: Grade | null;
  tags: number;
}

/** A repository whose grade, that of its most recently pushed tag, turns red or leaves red. */
export interface RepositoryGradeChange {
  repository: string;
  latestTag: string;
  from: Grade | null;
  to: Grade | null;
}

export interface PolicyChangePreview {
  /** Platform images scored, each once under each configuration. */
  imageCount: number;
  /** Every current tag of the organization with both grades, sorted by repository and tag. */
  tags: TagGradeChange[];
  /** The tags whose grade changes. */
  changedTags: TagGradeChange[];
  /** Counts of grade moves, sorted by the old grade and then the new one, best first. */
  moves: GradeMove[];
  /** Repositories whose grade becomes E or F. */
  repositoriesTurningRed: RepositoryGradeChange[];
  /** Repositories whose grade was E or F and no longer is. */
  repositoriesLeavingRed: RepositoryGradeChange[];
}

/**
 * Computes which grades of the organization's current tags would change if
 * `candidate` replaced its current policy configuration. Every image of a
 * current tag is scored from its stored facts under both configurations, a
 * tag takes its worst platform's grade and a repository its most recently
 * pushed tag's grade, as refresh-grades.ts stores them. It reads the database
 * only: nothing is written and no registry is asked.
 * NOTE: the "from" grades are computed now, not read from the stored grades.
 * They differ when the facts changed after the last grading, such as an
 * exception that expired since, so the moves show only the configuration's effect.
 */
export async function previewPolicyChange(
  prisma: PrismaClient,
  organization: { id: string; name: string },
  candidate: PolicyConfig,
  options: { now?: Date } = {},
): Promise<PolicyChangePreview> {
  const now = options.now ?? new Date();
  const digests = await imagesOfCurrentTags(prisma, organization.id);
  const currentGrades = new Map<string, Grade | null>();
  const candidateGrades = new Map<string, Grade | null>();

  for (let start = 0; start < digests.length; start += IMAGES_PER_BATCH) {
    const batch = digests.slice(start, start + IMAGES_PER_BATCH);
    const facts = await loadImageFacts(prisma, batch, now);
    const currentConfigs = await policyConfigsForImages(prisma, batch);
    const governedElsewhere = await imagesGovernedByEarlierOrganization(prisma, batch, organization.name);
    for (const imageFacts of facts.values()) {
      // The same fallback as gradeImages, for an image no tag links to any longer.
      const current = currentConfigs.get(imageFacts.digest) ?? defaultPolicyConfig;
      const currentGrade = scoreImage(imageFacts, current).grade;
      currentGrades.set(imageFacts.digest, currentGrade);
      candidateGrades.set(imageFacts.digest, governedElsewhere.has(imageFacts.digest) ? currentGrade : scoreImage(imageFacts, candidate).grade);
    }
  }

  // Newest first with the same tie-break as refreshRepositoryGrade, so the first tag of each repository is its latest.
  const tags = await prisma.tag.findMany({
    where: { deletedAt: null, repository: { organizationId: organization.id, deletedAt: null } },
    select: { name: true, repository: { select: { name: true } }, manifest: { select: { images: { select: { imageDigest: true } } } } },
    orderBy: [{ lastPushedAt: "desc" }, { name: "asc" }],
  });
  const tagGrades = tags.map((tag) => {
    const images = tag.manifest.images.map((image) => image.imageDigest);
    return {
      repository: tag.repository.name,
      tag: tag.name,
      from: tagGrade(images, currentGrades),
      to: tagGrade(images, candidateGrades),
    };
  });
  const repositories = latestTagOfEachRepository(tagGrades);

  const changes = [...tagGrades].sort((a, b) => compareText(a.repository, b.repository) || compareText(a.tag, b.tag));
  const changedTags = changes.filter((change) => change.from !== change.to);
  return {
    imageCount: currentGrades.size,
    tags: changes,
    changedTags,
    moves: countMoves(changedTags),
    repositoriesTurningRed: repositories.filter((change) => !isRed(change.from) && isRed(change.to)),
    repositoriesLeavingRed: repositories.filter((change) => isRed(change.from) && !isRed(change.to)),
  };
}

/**
 * Finds the images that another organization's configuration grades: those
 * also tagged in an organization whose name sorts first. This mirrors
 * policyConfigsForImages, which takes the first organization by name and
 * counts deleted tags too, so saving the candidate leaves their grades as they are.
 */
async function imagesGovernedByEarlierOrganization(prisma: PrismaClient, digests: readonly string[], organizationName: string): Promise<Set<string>> {
  const links = await prisma.manifestImage.findMany({
    where: { imageDigest: { in: [...digests] } },
    select: { imageDigest: true, manifest: { select: { tags: { select: { repository: { select: { organization: { select: { name: true } } } } } } } } },
  });
  const governed = new Set<string>();
  for (const link of links) {
    if (link.manifest.tags.some((tag) => tag.repository.organization.name < organizationName)) governed.add(link.imageDigest);
  }
  return governed;
}

/** Returns the worst grade of the tag's platform images, or null when none is graded. */
function tagGrade(digests: readonly string[], grades: ReadonlyMap<string, Grade | null>): Grade | null {
  const graded = digests.filter((digest) => grades.has(digest)).map((digest) => grades.get(digest) ?? null);
  return graded.length === 0 ? null : worstGrade(graded);
}

/** Lists each repository's grade before and after, which is that of its first tag in `newestFirst`. */
function latestTagOfEachRepository(newestFirst: readonly TagGradeChange[]): RepositoryGradeChange[] {
  const latest = new Map<string, RepositoryGradeChange>();
  for (const tag of newestFirst) {
    if (!latest.has(tag.repository)) latest.set(tag.repository, { repository: tag.repository, latestTag: tag.tag, from: tag.from, to: tag.to });
  }
  return [...latest.values()].sort((a, b) => compareText(a.repository, b.repository));
}

function countMoves(changes: readonly TagGradeChange[]): GradeMove[] {
  const counts = new Map<string, GradeMove>();
  for (const change of changes) {
    const key = `${change.from ?? "-"}>${change.to ?? "-"}`;
    const move = counts.get(key) ?? { from: change.from, to: change.to, tags: 0 };
    move.tags += 1;
    counts.set(key, move);
  }
  return [...counts.values()].sort((a, b) => rankOf(a.from) - rankOf(b.from) || rankOf(a.to) - rankOf(b.to));
}

function isRed(grade: Grade | null): boolean {
  return grade === "E" || grade === "F";
}

/** Returns a grade's rank, with "not graded" after F. */
function rankOf(grade: Grade | null): number {
  return grade === null ? 6 : gradeRank(grade);
}

/** Compares names by UTF-16 code unit, for a stable display order. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
