import type { PrismaClient } from "@/lib/db";
import { gradeImages } from "@/lib/grading/grade-images";
import { refreshGradesOfImages } from "@/lib/grading/refresh-grades";
import { logger } from "@/lib/log";

/** Images graded per batch, bounding the packages and findings held in memory at once. */
export const IMAGES_PER_BATCH = 200;

/**
 * Lists the platform image digests of the organization's current tags: tags
 * that are not deleted, in repositories that are not deleted. Sorted, so
 * batches are stable from run to run.
 */
export async function imagesOfCurrentTags(prisma: PrismaClient, organizationId: string): Promise<string[]> {
  const rows = await prisma.manifestImage.findMany({
    where: { manifest: { tags: { some: { deletedAt: null, repository: { organizationId, deletedAt: null } } } } },
    select: { imageDigest: true },
    distinct: ["imageDigest"],
  });
  return rows.map((row) => row.imageDigest).sort();
}

/**
 * Grades every image of the organization's current tags again from stored
 * facts, with cause "policy change", then refreshes the tag and repository
 * grades, recording each grade change with that cause and `causeIds`. Each
 * image takes the configuration gradeImages picks for it, the latest saved
 * version of its organization. Nothing is fetched from a registry. Returns
 * how many images were graded.
 */
export async function regradeOrganization(prisma: PrismaClient, organizationId: string, options: { causeIds?: string[]; now?: Date } = {}): Promise<number> {
  const digests = await imagesOfCurrentTags(prisma, organizationId);
  const causeIds = options.causeIds ?? [];
  const started = Date.now();
  let graded = 0;
  for (let start = 0; start < digests.length; start += IMAGES_PER_BATCH) {
    const batch = digests.slice(start, start + IMAGES_PER_BATCH);
    graded += await gradeImages(prisma, batch, { cause: "policy change", causeIds: () => causeIds, now: options.now });
    await refreshGradesOfImages(prisma, batch, { cause: "policy change", causeIds });
  }
  logger.info({ org: organizationId, images: graded, durationMs: Date.now() - started }, "re-graded the organization's images after a policy change");
  return graded;
}
