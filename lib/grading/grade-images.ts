import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";
import { defaultPolicyConfig, scoreImage, type BaseImageFact, type ImageFacts, type PolicyConfig } from "@/scoring";

/**
 * Grades platform images by digest with the scoring library and stores one
 * score report each. An image is graded once per digest, whatever the number
 * of tags that point at it.
 */
export async function gradeImages(prisma: PrismaClient, digests: readonly string[], config: PolicyConfig = defaultPolicyConfig): Promise<number> {
  if (digests.length === 0) return 0;
  const images = await prisma.image.findMany({
    where: { digest: { in: [...digests] } },
    include: { attestations: true },
  });

  const reports = images.map((image) => {
    const provenanceModes = image.attestations.map((attestation) => attestation.provenanceMode).filter((mode) => mode !== null);
    let provenanceMode: "max" | "min" | null = null;
    if (provenanceModes.length > 0) provenanceMode = provenanceModes.includes("max") ? "max" : "min";
    const facts: ImageFacts = {
      digest: image.digest,
      platform: image.platform,
      user: image.user,
      attestations: {
        predicateTypes: [...new Set(image.attestations.map((attestation) => attestation.predicateType))],
        provenanceMode,
      },
      baseImage: baseImageFact(image),
    };
    const report = scoreImage(facts, config);
    return {
      imageDigest: image.digest,
      engineVersion: report.engineVersion,
      policyConfigVersion: report.policyConfigVersion,
      advisorySnapshot: report.advisorySnapshot,
      earned: report.earned,
      possible: report.possible,
      percent: report.percent,
      grade: report.grade,
      results: JSON.parse(JSON.stringify(report.results)),
    };
  });

  await prisma.scoreReport.createMany({ data: reports });
  logger.debug({ images: reports.length }, "graded images");
  return reports.length;
}

/** Digests of the images among `digests` that have no score report yet. */
export async function ungradedImages(prisma: PrismaClient, digests: readonly string[]): Promise<string[]> {
  if (digests.length === 0) return [];
  const graded = await prisma.scoreReport.findMany({
    where: { imageDigest: { in: [...digests] } },
    select: { imageDigest: true },
    distinct: ["imageDigest"],
  });
  const gradedSet = new Set(graded.map((report) => report.imageDigest));
  return digests.filter((digest) => !gradedSet.has(digest));
}

function baseImageFact(image: { baseImageSource: string | null; baseImageReference: string | null; baseImageDigest: string | null; baseImageReason: string | null }): BaseImageFact | undefined {
  switch (image.baseImageSource) {
    case null:
      return undefined;
    case "unknown":
      return { source: "unknown", reason: image.baseImageReason ?? "no source named a base image" };
    case "provenance":
    case "annotation":
    case "label":
    case "layers":
      return { source: image.baseImageSource, reference: image.baseImageReference, digest: image.baseImageDigest };
    default:
      return undefined;
  }
}
