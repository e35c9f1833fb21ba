import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { findRepository } from "@/lib/data/find-repository";
import { latestReports } from "@/lib/grading/refresh-grades";
import { gradeRank, type Grade, type PolicyResult } from "@/scoring";

/**
 * Loads a tag with each platform image, its latest score report, attestations and
 * layers, the platform whose grade is the tag's, and the sync error if its newest
 * digest could not be read.
 */
export async function getTag(viewer: Viewer, organizationName: string, repositoryName: string, tagName: string) {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const prisma = getPrisma();
  const tag = await prisma.tag.findFirst({
    where: { repositoryId: repository.id, name: tagName, deletedAt: null },
    include: {
      manifest: {
        include: {
          images: {
            orderBy: { platform: "asc" },
            include: { image: { include: { attestations: true, layers: { orderBy: { position: "asc" }, include: { layer: true } } } } },
          },
        },
      },
    },
  });
  if (!tag) throw new AppError("NOT_FOUND", `Tag ${repository.name}:${tagName} was not found.`);

  const reports = await latestReports(prisma, tag.manifest.images.map((entry) => entry.imageDigest));
  const platforms = tag.manifest.images.map(({ image, platform }) => {
    const report = reports.get(image.digest);
    return {
      platform: image.platform ?? platform,
      digest: image.digest,
      user: image.user,
      created: image.created,
      compressedSize: Number(image.compressedSize),
      baseImage: {
        source: image.baseImageSource,
        reference: image.baseImageReference,
        digest: image.baseImageDigest,
        reason: image.baseImageReason,
      },
      attestations: image.attestations.map((attestation) => ({ predicateType: attestation.predicateType, provenanceMode: attestation.provenanceMode })),
      layers: image.layers.map((entry) => ({ digest: entry.layer.digest, size: Number(entry.layer.size), mediaType: entry.layer.mediaType })),
      report: report
        ? {
            grade: report.grade,
            percent: report.percent,
            earned: report.earned,
            possible: report.possible,
            engineVersion: report.engineVersion,
            policyConfigVersion: report.policyConfigVersion,
            advisorySnapshot: report.advisorySnapshot,
            gradedAt: report.createdAt,
            cause: report.cause,
            causeIds: report.causeIds,
            results: report.results as unknown as PolicyResult[],
          }
        : null,
    };
  });

  return {
    repository: { name: repository.name },
    tag: {
      name: tag.name,
      digest: tag.digest,
      grade: tag.grade,
      percent: tag.percent,
      isIndex: tag.manifest.isIndex,
      lastPushedAt: tag.lastPushedAt,
      syncError: tag.syncError,
      syncErrorDigest: tag.syncErrorDigest,
      syncErrorAt: tag.syncErrorAt,
    },
    platforms,
    worstPlatformDigest: worstPlatformOf(platforms),
  };
}

/**
 * Returns the digest of the platform whose grade is the tag's: the worst grade,
 * then the lowest percent, then the first in platform order. Ungraded platforms
 * count only when none is graded. Null for a tag without platform images.
 */
export function worstPlatformOf(platforms: readonly { digest: string; report: { grade: string | null; percent: number | null } | null }[]): string | null {
  let worst: { digest: string; rank: number; percent: number } | null = null;
  for (const platform of platforms) {
    const grade = platform.report?.grade ?? null;
    if (grade === null) continue;
    const rank = gradeRank(grade as Grade);
    const percent = platform.report?.percent ?? Number.POSITIVE_INFINITY;
    if (worst === null || rank > worst.rank || (rank === worst.rank && percent < worst.percent)) worst = { digest: platform.digest, rank, percent };
  }
  return worst?.digest ?? platforms[0]?.digest ?? null;
}
