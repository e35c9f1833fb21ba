import type { PrismaClient } from "@/lib/db";
import { matchImages, type ImageMatch } from "@/lib/grading/match-images";
import { logger } from "@/lib/log";
import { defaultPolicyConfig, scoreImage, type AnalysisFact, type BaseImageFact, type ImageFacts, type PolicyConfig } from "@/scoring";

/** Why a report was made; stored with it so every grade change has its cause. */
export type GradeCause = "push" | "analysis" | "advisory update" | "policy change" | "exception change";

export interface GradeOptions {
  config?: PolicyConfig;
  cause?: GradeCause;
  /** The ids the cause names for each image, e.g. the advisories of an advisory update. */
  causeIds?: (digest: string) => string[];
  /** The grading time; grace periods and end-of-life dates are measured from it. */
  now?: Date;
}

/**
 * Grades platform images by digest with the scoring library and stores one
 * score report each. An image is graded once per digest, whatever the number
 * of tags that point at it.
 */
export async function gradeImages(prisma: PrismaClient, digests: readonly string[], options: GradeOptions = {}): Promise<number> {
  if (digests.length === 0) return 0;
  const config = options.config ?? defaultPolicyConfig;
  const now = options.now ?? new Date();
  const images = await prisma.image.findMany({
    where: { digest: { in: [...digests] } },
    include: { attestations: true, analysis: true },
  });
  const analysed = images.filter((image) => image.analysis?.status === "ANALYSED").map((image) => image.digest);
  const matches = await matchImages(prisma, analysed);
  const packages = await prisma.imagePackage.findMany({
    where: { imageDigest: { in: analysed } },
    select: { imageDigest: true, type: true, name: true, version: true, purl: true, license: true, layerDigest: true },
    orderBy: [{ type: "asc" }, { name: "asc" }, { version: "asc" }],
  });
  const snapshot = await prisma.advisorySnapshot.findFirst({ where: { finishedAt: { not: null } }, orderBy: { finishedAt: "desc" }, select: { id: true } });

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
      analysis: analysisFact(image.analysis, packages.filter((pkg) => pkg.imageDigest === image.digest), matches.get(image.digest)),
      evaluatedAt: now.toISOString(),
    };
    const report = scoreImage(facts, config);
    const findings = facts.analysis?.status === "analysed" ? facts.analysis.findings : [];
    return {
      imageDigest: image.digest,
      engineVersion: report.engineVersion,
      policyConfigVersion: report.policyConfigVersion,
      advisorySnapshot: snapshot?.id ?? null,
      cause: options.cause ?? null,
      causeIds: options.causeIds?.(image.digest) ?? [],
      findings: JSON.parse(JSON.stringify(findings)),
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

type StoredAnalysis = { status: string; reason: string | null; osId: string | null; osVersionId: string | null; osPrettyName: string | null; osEcosystem: string | null; osEndOfLife: string | null };
type StoredPackage = { type: string; name: string; version: string; purl: string; license: string | null; layerDigest: string | null };

function analysisFact(analysis: StoredAnalysis | null, packages: StoredPackage[], match: ImageMatch | undefined): AnalysisFact {
  if (analysis === null || analysis.status === "PENDING") return { status: "pending", reason: "The image has not been analysed yet; its packages are read after each sync." };
  if (analysis.status === "FAILED") return { status: "not-analysed", reason: analysis.reason ?? "The analysis failed without a reason." };
  const os =
    analysis.osId === null
      ? null
      : { id: analysis.osId, versionId: analysis.osVersionId, prettyName: analysis.osPrettyName, ecosystem: analysis.osEcosystem, endOfLife: analysis.osEndOfLife };
  return {
    status: "analysed",
    os,
    packages: packages.map(({ type, name, version, purl, license, layerDigest }) => ({ type, name, version, purl, license, layerDigest })),
    findings: match?.findings ?? [],
  };
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
