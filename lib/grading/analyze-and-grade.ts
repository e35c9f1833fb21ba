import { analyzeImage, type AnalyzeImageOptions } from "@/lib/analysis/analyze-image";
import type { PrismaClient } from "@/lib/db";
import { resolveBaseTagsOf, type BaseTagOptions } from "@/lib/grading/base-tags";
import { gradeImages } from "@/lib/grading/grade-images";
import { refreshGradesOfImages } from "@/lib/grading/refresh-grades";
import type { RegistrySource } from "@/lib/registry/registry-source";

/** Used when the caller sets no TTL; lib/env's BASE_TAG_TTL_MINUTES has the same default. */
const DEFAULT_BASE_TAG_TTL_MINUTES = 60;

/** Queues analysis and grading of new images of a repository instead of doing it during the sync. */
export type AnalyzeLater = (repository: string, digests: string[]) => Promise<void>;

/**
 * Analyses new images of one repository, one after another so a worker keeps
 * one layer at a time, then grades them and refreshes the grades of the tags
 * and repositories that show them. An image that cannot be analysed is still
 * graded: its package policies say why they have no data. Base image tags
 * are resolved first (from synced repositories, or through
 * `options.baseTags.head`), so grading reads them from the cache.
 */
export async function analyzeAndGrade(
  prisma: PrismaClient,
  source: RegistrySource,
  repository: string,
  digests: readonly string[],
  options: AnalyzeImageOptions & { baseTags?: BaseTagOptions } = {},
): Promise<void> {
  for (const digest of digests) await analyzeImage(prisma, source, repository, digest, options);
  await resolveBaseTagsOf(prisma, digests, options.baseTags ?? { ttlMinutes: DEFAULT_BASE_TAG_TTL_MINUTES });
  await gradeImages(prisma, digests, { cause: "analysis" });
  await refreshGradesOfImages(prisma, digests);
}
