import type { PrismaClient } from "@/lib/db";
import { baseTagKey } from "@/lib/grading/base-tag-key";
import { matchImages, type ImageMatch } from "@/lib/grading/match-images";
import { policyConfigsForImages } from "@/lib/grading/policy-configs";
import { logger } from "@/lib/log";
import {
  applyExceptions,
  applyVex,
  parseOpenVex,
  type VexStatement,
  defaultPolicyConfig,
  scoreImage,
  type AnalysisFact,
  type BaseImageFact,
  type BaseTagResolution,
  type ImageFacts,
  type PolicyConfig,
  type VulnerabilityException,
  type VulnerabilityFinding,
} from "@/scoring";

/** The reason a report was made, stored with it so every grade change has its cause. */
export type GradeCause = "push" | "analysis" | "advisory update" | "base image updated" | "policy change" | "exception change" | "exception expiry";

export interface GradeOptions {
  config?: PolicyConfig;
  cause?: GradeCause;
  /** The ids the cause names for each image, e.g. the advisories of an advisory update. */
  causeIds?: (digest: string) => string[];
  /** The grading time; grace periods and end-of-life dates are measured from it. */
  now?: Date;
}

/**
 * Loads what the policies decide on for each image: config facts,
 * attestations, base image, and for analysed images the packages and the
 * findings matched against stored advisories, with attached OpenVEX
 * statements and the organization's exceptions applied. Nothing is fetched
 * from a registry, so a preview or a re-grade costs only database reads.
 * `storedFindings` gives an image's findings as a score report stored them,
 * already filtered by VEX and exceptions, in place of matching it again.
 */
export async function loadImageFacts(
  prisma: PrismaClient,
  digests: readonly string[],
  now: Date,
  options: { storedFindings?: ReadonlyMap<string, VulnerabilityFinding[]> } = {},
): Promise<Map<string, ImageFacts>> {
  const images = await prisma.image.findMany({
    where: { digest: { in: [...digests] } },
    include: { attestations: true, analysis: true, layers: { orderBy: { position: "asc" }, select: { layerDigest: true } } },
  });
  const baseLayerCounts = await baseLayerCountsOf(prisma, images);
  const analysed = images.filter((image) => image.analysis?.status === "ANALYSED").map((image) => image.digest);
  const stored = options.storedFindings ?? new Map<string, VulnerabilityFinding[]>();
  const matches = await matchImages(prisma, analysed.filter((digest) => !stored.has(digest)));
  const packageRows = await prisma.imagePackage.findMany({
    where: { imageDigest: { in: analysed } },
    select: { imageDigest: true, type: true, name: true, version: true, purl: true, license: true, layerDigest: true },
    orderBy: [{ type: "asc" }, { name: "asc" }, { version: "asc" }],
  });
  const packagesByImage = groupBy(packageRows, (row) => row.imageDigest);
  const exceptionScopes = await loadExceptionScopes(prisma, analysed);
  const manifestRows = await prisma.manifestImage.findMany({ where: { imageDigest: { in: analysed } }, select: { imageDigest: true, manifestDigest: true } });
  const manifestsByImage = groupBy(manifestRows, (row) => row.imageDigest);
  const osvImported = (await prisma.advisorySnapshot.count({ where: { kind: "osv", finishedAt: { not: null } } })) > 0;
  const baseKeys = [...new Set(images.map((image) => (image.baseImageReference ? baseTagKey(image.baseImageReference) : null)).filter((key) => key !== null))];
  const resolutions = new Map((await prisma.baseTagResolution.findMany({ where: { reference: { in: baseKeys } } })).map((row) => [row.reference, row]));

  const facts = new Map<string, ImageFacts>();
  for (const image of images) {
    const storedFindings = stored.get(image.digest);
    const match = storedFindings === undefined ? matches.get(image.digest) : { findings: storedFindings, problems: [] };
    if (match && storedFindings === undefined) {
      const statements = vexStatements(image.attestations);
      if (statements.length > 0) {
        const digestsOfImage = [image.digest, ...(manifestsByImage.get(image.digest) ?? []).map((row) => row.manifestDigest)];
        match.findings = applyVex(match.findings, statements, digestsOfImage);
      }
      match.findings = applyScopedExceptions(match.findings, exceptionScopes.get(image.digest) ?? [], now);
    }

    const provenanceModes = image.attestations.map((attestation) => attestation.provenanceMode).filter((mode) => mode !== null);
    let provenanceMode: "max" | "min" | null = null;
    if (provenanceModes.length > 0) provenanceMode = provenanceModes.includes("max") ? "max" : "min";
    facts.set(image.digest, {
      digest: image.digest,
      platform: image.platform,
      user: image.user,
      attestations: {
        predicateTypes: [...new Set(image.attestations.map((attestation) => attestation.predicateType))],
        provenanceMode,
      },
      baseImage: baseImageFact(image, resolutions),
      layerDigests: image.layers.map((layer) => layer.layerDigest),
      baseLayerCount: baseLayerCounts.get(image.digest),
      analysis: analysisFact(image.analysis, packagesByImage.get(image.digest) ?? [], match, osvImported),
      evaluatedAt: now.toISOString(),
    });
  }
  return facts;
}

/**
 * Grades platform images by digest with the scoring library and stores one
 * score report each, under the policy configuration of the organization the
 * image is tagged in. An image is graded once per digest, whatever the number
 * of tags that point at it.
 */
export async function gradeImages(prisma: PrismaClient, digests: readonly string[], options: GradeOptions = {}): Promise<number> {
  if (digests.length === 0) return 0;
  const now = options.now ?? new Date();
  const facts = await loadImageFacts(prisma, digests, now);
  const configs = options.config ? null : await policyConfigsForImages(prisma, [...facts.keys()]);
  const snapshot = await prisma.advisorySnapshot.findFirst({ where: { finishedAt: { not: null } }, orderBy: { finishedAt: "desc" }, select: { id: true } });

  const reports = [...facts.values()].map((imageFacts) => {
    const config = options.config ?? configs?.get(imageFacts.digest) ?? defaultPolicyConfig;
    const report = scoreImage(imageFacts, config);
    const findings = imageFacts.analysis?.status === "analysed" ? imageFacts.analysis.findings : [];
    return {
      imageDigest: imageFacts.digest,
      engineVersion: report.engineVersion,
      policyConfigVersion: report.policyConfigVersion,
      advisorySnapshot: snapshot?.id ?? null,
      cause: options.cause ?? null,
      causeIds: options.causeIds?.(imageFacts.digest) ?? [],
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

/**
 * Counts how many bottom layers of each image belong to its base, when the base is a
 * stored image: the base digest itself, or the same platform of a stored index.
 */
async function baseLayerCountsOf(prisma: PrismaClient, images: readonly { digest: string; platform: string; baseImageDigest: string | null }[]): Promise<Map<string, number>> {
  const baseDigests = [...new Set(images.map((image) => image.baseImageDigest).filter((digest) => digest !== null))];
  if (baseDigests.length === 0) return new Map();
  const platformsOfIndexes = await prisma.manifestImage.findMany({ where: { manifestDigest: { in: baseDigests } }, select: { manifestDigest: true, imageDigest: true, platform: true } });
  const layerOwners = [...baseDigests, ...platformsOfIndexes.map((row) => row.imageDigest)];
  const counts = new Map((await prisma.imageLayer.groupBy({ by: ["imageDigest"], where: { imageDigest: { in: layerOwners } }, _count: { _all: true } })).map((row) => [row.imageDigest, row._count._all]));

  const result = new Map<string, number>();
  for (const image of images) {
    if (image.baseImageDigest === null) continue;
    const platformImage = platformsOfIndexes.find((row) => row.manifestDigest === image.baseImageDigest && row.platform === image.platform)?.imageDigest;
    const count = counts.get(image.baseImageDigest) ?? (platformImage ? counts.get(platformImage) : undefined);
    if (count !== undefined) result.set(image.digest, count);
  }
  return result;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** Collects the statements of the OpenVEX documents attached to an image. An unreadable document is logged and ignored. */
function vexStatements(attestations: readonly { details: unknown; layerDigest: string }[]): VexStatement[] {
  const statements: VexStatement[] = [];
  for (const attestation of attestations) {
    const document = (attestation.details as { openvex?: unknown } | null)?.openvex;
    if (document === undefined) continue;
    const parsed = parseOpenVex(document);
    if ("statements" in parsed) statements.push(...parsed.statements);
    else logger.warn({ layerDigest: attestation.layerDigest, problems: parsed.problems }, "an attached OpenVEX document could not be read; its statements were ignored");
  }
  return statements;
}

/** One repository an image is tagged in, with its tags and its organization's exceptions. */
interface ExceptionContext {
  repository: string;
  tags: string[];
  exceptions: VulnerabilityException[];
}

async function loadExceptionScopes(prisma: PrismaClient, digests: readonly string[]): Promise<Map<string, ExceptionContext[]>> {
  const links = await prisma.manifestImage.findMany({
    where: { imageDigest: { in: [...digests] } },
    select: { imageDigest: true, manifest: { select: { tags: { where: { deletedAt: null }, select: { name: true, repository: { select: { name: true, organizationId: true } } } } } } },
  });
  const organizationIds = [...new Set(links.flatMap((link) => link.manifest.tags.map((tag) => tag.repository.organizationId)))];
  const stored = await prisma.vulnerabilityException.findMany({ where: { organizationId: { in: organizationIds }, revokedAt: null } });
  const byOrganization = new Map<string, VulnerabilityException[]>();
  for (const row of stored) {
    const list = byOrganization.get(row.organizationId) ?? [];
    list.push({ ...row, expiresAt: row.expiresAt?.toISOString() ?? null });
    byOrganization.set(row.organizationId, list);
  }

  const scopes = new Map<string, Map<string, ExceptionContext>>();
  for (const link of links) {
    const byRepository = scopes.get(link.imageDigest) ?? new Map<string, ExceptionContext>();
    scopes.set(link.imageDigest, byRepository);
    for (const tag of link.manifest.tags) {
      const context = byRepository.get(tag.repository.name) ?? { repository: tag.repository.name, tags: [], exceptions: byOrganization.get(tag.repository.organizationId) ?? [] };
      context.tags.push(tag.name);
      byRepository.set(tag.repository.name, context);
    }
  }
  return new Map([...scopes].map(([digest, byRepository]) => [digest, [...byRepository.values()]]));
}

/**
 * Applies each repository's exceptions. A report is per image, and an image
 * tagged in several repositories gets one report, so a finding is suppressed
 * only when the exceptions of every one of those repositories suppress it.
 */
function applyScopedExceptions(findings: VulnerabilityFinding[], contexts: readonly ExceptionContext[], now: Date): VulnerabilityFinding[] {
  if (contexts.length === 0 || contexts.every((context) => context.exceptions.length === 0)) return findings;
  const results = contexts.map((context) => applyExceptions(findings, context.exceptions, { repository: context.repository, tags: context.tags, now: now.toISOString() }));
  return findings.map((finding, index) => (results.every((result) => result[index]?.suppressed) ? results[0]![index]! : finding));
}

type StoredAnalysis = { status: string; reason: string | null; osId: string | null; osVersionId: string | null; osPrettyName: string | null; osEcosystem: string | null; osEndOfLife: string | null };
type StoredPackage = { type: string; name: string; version: string; purl: string; license: string | null; layerDigest: string | null };

function analysisFact(analysis: StoredAnalysis | null, packages: StoredPackage[], match: ImageMatch | undefined, advisoriesImported: boolean): AnalysisFact {
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
    advisoriesImported,
  };
}

function baseImageFact(
  image: { baseImageSource: string | null; baseImageReference: string | null; baseImageDigest: string | null; baseImageReason: string | null },
  resolutions: Map<string, { status: string; digest: string | null; equivalentDigests: string[]; reason: string | null; resolvedAt: Date }>,
): BaseImageFact | undefined {
  switch (image.baseImageSource) {
    case null:
      return undefined;
    case "unknown":
      return { source: "unknown", reason: image.baseImageReason ?? "no source named a base image" };
    case "provenance":
    case "annotation":
    case "label":
    case "layers": {
      const fact: BaseImageFact = { source: image.baseImageSource, reference: image.baseImageReference, digest: image.baseImageDigest };
      const key = image.baseImageReference ? baseTagKey(image.baseImageReference) : null;
      const resolution = key === null ? undefined : resolutions.get(key);
      if (resolution) fact.current = currentBaseTag(resolution, image.baseImageDigest);
      return fact;
    }
    default:
      return undefined;
  }
}

/** Converts the base tag's resolution to a fact. A built-on platform manifest of the tag's current index counts as the same digest. */
function currentBaseTag(
  resolution: { status: string; digest: string | null; equivalentDigests: string[]; reason: string | null; resolvedAt: Date },
  builtOn: string | null,
): BaseTagResolution {
  if (resolution.status !== "resolved" || resolution.digest === null) return { status: "unknown", reason: resolution.reason ?? "The base tag could not be resolved." };
  const digest = builtOn !== null && resolution.equivalentDigests.includes(builtOn) ? builtOn : resolution.digest;
  return { status: "resolved", digest, resolvedAt: resolution.resolvedAt.toISOString() };
}
