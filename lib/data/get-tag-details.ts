import { z } from "zod";

import type { Prisma } from "@/generated/prisma/client";
import type { Viewer } from "@/lib/auth/get-viewer";
import { findRepository } from "@/lib/data/find-repository";
import { readFindings } from "@/lib/data/get-image-vulnerabilities";
import { getPrisma, type PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { loadBaseTagCandidates } from "@/lib/grading/base-tag-candidates";
import { baseTagKey } from "@/lib/grading/base-tag-key";
import { loadImageFacts } from "@/lib/grading/grade-images";
import { latestReports } from "@/lib/grading/refresh-grades";
import { policyConfigFor } from "@/lib/grading/policy-configs";
import { parseReference } from "@/lib/registry/reference";
import { isOpenVex, isProvenance } from "@/lib/sync/read-attestation";
import {
  defaultPolicyConfig,
  fixPlan,
  parsePolicyConfig,
  worstGrade,
  type Fix,
  type Grade,
  type NoFixableCriticalHighSettings,
  type PolicyConfig,
  type PolicyResult,
  type ScoreReport,
  type VulnerabilityFinding,
} from "@/scoring";

/** Grade changes and digests listed in the history. Older ones are counted, not loaded. */
export const MAX_HISTORY_ENTRIES = 100;

/** Packages listed per layer. The rest are counted, and the package table filtered by layer lists them all. */
export const MAX_LAYER_PACKAGES_LISTED = 200;

/** A fix of the selected platform with what it does to the tag, whose grade is its worst platform's. */
export interface TagFix extends Fix {
  /** The tag's grade if this change alone were made on this platform and every other platform kept its grade. */
  tagGradeIfFixed: Grade;
}

export interface FixPlanView {
  /** The platform image's grade in its latest score report. */
  platformGrade: Grade | null;
  /** The worst grade over the tag's graded platforms. */
  tagGrade: Grade | null;
  /** Most points regained first, as fixPlan orders them. */
  fixes: TagFix[];
  /**
   * The policy configuration version the fixes were planned under. It differs
   * from the report's when that version can no longer be read. Then the
   * vulnerability fixes may list no packages.
   */
  configVersion: number;
  reportConfigVersion: number;
  /** The report's settings of "no-fixable-critical-high", to filter the vulnerability table to the findings that count. */
  criticalHighRule: NoFixableCriticalHighSettings;
}

export type BaseImageSource = "provenance" | "annotation" | "label" | "layers" | "unknown";

/** The current target of the base image's tag, from the cached resolution. */
export type BaseTagState =
  | { reference: string; status: "resolved"; digest: string; resolvedAt: Date }
  | { reference: string; status: "unknown"; reason: string; resolvedAt: Date; lastDigest: string | null };

export interface BaseImageDetails {
  /** Null while the image has not been looked at. "unknown" when no source named a base image. */
  source: BaseImageSource | null;
  reference: string | null;
  /** The digest the image was built on, from the source or from the reference. */
  digest: string | null;
  /** The reason the base image is unknown, for the source "unknown". */
  reason: string | null;
  /** The tag the image follows, without a digest: `docker.io/library/debian:12-slim`. Null when the reference names no tag. */
  tagReference: string | null;
  /** Null when the tag has not been looked up yet, or there is no tag to look up. */
  tag: BaseTagState | null;
  /** Whether the tag still points to the digest the image was built on, or why that is not known. */
  freshness: { state: "current" | "outdated" | "unknown"; reason: string };
}

export interface SbomSummary {
  spdxVersion: string | null;
  name: string | null;
  /** Packages the document lists, without the ones it describes (the image itself). */
  packageCount: number | null;
  problemCount: number;
}

export interface ProvenanceSummary {
  builderId: string | null;
  buildType: string | null;
  frontendImage: string | null;
  /** Material URIs (`pkg:docker/debian@12-slim?platform=…`, git sources). */
  materials: string[];
  startedOn: string | null;
  finishedOn: string | null;
}

export interface AttestationDetails {
  predicateType: string;
  kind: "sbom" | "provenance" | "openvex" | "other";
  provenanceMode: string | null;
  /** The attestation manifest and its layer that carry the statement. */
  manifestDigest: string;
  layerDigest: string;
  sbom: SbomSummary | null;
  provenance: ProvenanceSummary | null;
  openvex: { statementCount: number; author: string | null } | null;
  /** The reason no details are shown, when the statement was not read or is stored in another form. */
  detailsMissing: string | null;
}

/** One step of the image config's `history`. */
export interface BuildStep {
  created: string | null;
  createdBy: string | null;
  comment: string | null;
  emptyLayer: boolean;
}

export interface LayerPackage {
  name: string;
  version: string;
  type: string;
}

export interface LayerDetails {
  /** 0-based position in the manifest's `layers`, bottom layer first. */
  position: number;
  digest: string;
  mediaType: string;
  /** Compressed size in bytes. */
  size: number;
  diffId: string | null;
  /** The history step that added the layer. Null when the history cannot be matched to the layers. */
  step: BuildStep | null;
  /** Packages added in this layer, by name. At most MAX_LAYER_PACKAGES_LISTED. */
  packages: LayerPackage[];
  packageCount: number;
}

/** The image's build in history order: layers with their step, and the steps that add no layer (USER, CMD …). */
export type BuildEntry = { kind: "layer"; layer: LayerDetails } | { kind: "config"; step: BuildStep };

export interface LayersView {
  entries: BuildEntry[];
  layerCount: number;
  /** Sum of the compressed layer sizes, in bytes. */
  totalSize: number;
  /** The reason the commands are not shown next to the layers. Null when they are. */
  historyProblem: string | null;
  /** The whole history, for when it cannot be matched to the layers. */
  history: BuildStep[];
  /** Packages whose layer is unknown or not one of the image's layers. */
  packagesOutsideLayers: number;
}

export interface GradeChangeEntry {
  changedAt: Date;
  /** The tag's digest when its grade changed. */
  digest: string | null;
  fromGrade: string | null;
  toGrade: string | null;
  fromPercent: number | null;
  toPercent: number | null;
  cause: string;
  causeIds: string[];
}

export interface TagHistory {
  /** Newest first, at most MAX_HISTORY_ENTRIES. */
  gradeChanges: GradeChangeEntry[];
  gradeChangeCount: number;
  /** Every digest the tag pointed to, newest first, at most MAX_HISTORY_ENTRIES. */
  digests: { digest: string; seenAt: Date; current: boolean }[];
  digestCount: number;
}

export interface TagDetails {
  image: { digest: string; platform: string };
  /** Null before the platform image is first graded. */
  fixPlan: FixPlanView | null;
  baseImage: BaseImageDetails;
  attestations: AttestationDetails[];
  layers: LayersView;
  history: TagHistory;
}

/**
 * Loads what the tag view shows beside the grade for one platform image of a
 * tag: the fixes of its latest score report ordered by points regained, its
 * base image and the base tag's current digest, its attestations, its layers
 * with their build commands and packages, and the tag's grade and digest
 * history. Throws NOT_FOUND, before any image query, when the viewer may not
 * read the repository or the tag does not exist, and INVALID_INPUT when the
 * digest is not one of the tag's platform images.
 */
export async function getTagDetails(viewer: Viewer, organizationName: string, repositoryName: string, tagName: string, imageDigest: string): Promise<TagDetails> {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const prisma = getPrisma();
  const tag = await prisma.tag.findFirst({
    where: { repositoryId: repository.id, name: tagName, deletedAt: null },
    select: { id: true, name: true, digest: true, manifest: { select: { images: { orderBy: { platform: "asc" }, select: { imageDigest: true, platform: true } } } } },
  });
  if (!tag) throw new AppError("NOT_FOUND", `Tag ${repository.name}:${tagName} was not found.`);

  const imageDigests = tag.manifest.images.map((entry) => entry.imageDigest);
  if (!imageDigests.includes(imageDigest)) {
    const accepted = tag.manifest.images.map((entry) => `${entry.imageDigest} (${entry.platform})`).join(", ");
    const problem = imageDigest === "" ? `No platform image of ${repository.name}:${tag.name} was given.` : `Platform image "${imageDigest}" is not an image of ${repository.name}:${tag.name}.`;
    throw new AppError("INVALID_INPUT", `${problem} Use one of: ${accepted}.`, { details: { accepted: imageDigests } });
  }

  const image = await prisma.image.findUniqueOrThrow({
    where: { digest: imageDigest },
    include: { attestations: { orderBy: [{ predicateType: "asc" }, { layerDigest: "asc" }] }, layers: { orderBy: { position: "asc" }, include: { layer: true } } },
  });
  const [plan, baseImage, layers, history] = await Promise.all([
    loadFixPlan(prisma, repository.organizationId, image.digest, image.platform, imageDigests),
    loadBaseImage(prisma, image),
    loadLayers(prisma, image),
    loadHistory(prisma, tag.id, tag.digest),
  ]);

  return {
    image: { digest: image.digest, platform: image.platform },
    fixPlan: plan,
    baseImage,
    attestations: image.attestations.map(describeAttestation),
    layers,
    history,
  };
}

// Fixes

/**
 * Plans the fixes of the image's latest report with the facts it was graded
 * on: loadImageFacts at the report's time, so exceptions and grace periods
 * are judged as they were, under the configuration version the report names.
 * The findings are the report's own. Only when a stored finding cannot be read
 * are they matched again against the advisories stored now. Then, if those
 * changed without a re-grade, fixPlan keeps the report's remediation and lists
 * no packages for that policy.
 */
async function loadFixPlan(prisma: PrismaClient, organizationId: string, digest: string, platform: string, tagImageDigests: string[]): Promise<FixPlanView | null> {
  const latest = await latestReports(prisma, tagImageDigests);
  const reports = [...latest.values()];
  const row = latest.get(digest);
  if (row === undefined) return null;
  const { findings: storedRows } = await prisma.scoreReport.findUniqueOrThrow({ where: { id: row.id }, select: { findings: true } });

  const report: ScoreReport = {
    engineVersion: row.engineVersion,
    digest,
    platform,
    policyConfigVersion: row.policyConfigVersion,
    advisorySnapshot: row.advisorySnapshot,
    earned: row.earned,
    possible: row.possible,
    percent: row.percent,
    grade: row.grade as Grade | null,
    results: row.results as unknown as PolicyResult[],
  };
  // The report's own findings, as exceptions and VEX left them, so the plan explains that report without matching again.
  const stored = readFindings(storedRows);
  const storedFindings = stored.unreadable === 0 ? new Map([[digest, stored.findings.map(withoutKey)]]) : undefined;
  const [facts, config] = await Promise.all([
    loadImageFacts(prisma, [digest], row.createdAt, { storedFindings }),
    configOfVersion(prisma, organizationId, row.policyConfigVersion),
  ]);
  const imageFacts = facts.get(digest);
  if (imageFacts === undefined) throw new AppError("INTERNAL", `Image ${digest} has a score report but no stored facts.`);

  const otherGrades = reports.filter((candidate) => candidate.imageDigest !== digest).map((candidate) => candidate.grade as Grade | null);
  const base = imageFacts.baseImage;
  const baseTags = await loadBaseTagCandidates(prisma, base === undefined || base.source === "unknown" ? null : base.reference, platform);
  const fixes = fixPlan(report, imageFacts, config, { baseTags }).map((fix) => ({ ...fix, tagGradeIfFixed: worstGrade([...otherGrades, fix.gradeIfFixed]) ?? fix.gradeIfFixed }));
  return {
    platformGrade: report.grade,
    tagGrade: worstGrade(reports.map((candidate) => candidate.grade as Grade | null)),
    fixes,
    configVersion: config.version,
    reportConfigVersion: row.policyConfigVersion,
    criticalHighRule: { ...defaultPolicyConfig.policies["no-fixable-critical-high"], ...config.policies["no-fixable-critical-high"] },
  };
}

/** Drops the table row key from a stored finding. */
function withoutKey(row: VulnerabilityFinding & { key?: string }): VulnerabilityFinding {
  const finding = { ...row };
  delete finding.key;
  return finding;
}

/**
 * Returns the organization's policy configuration of one version: the current
 * one, the built-in default (version 1) or a stored earlier version. A version
 * that is gone or no longer validates gives the current configuration.
 */
async function configOfVersion(prisma: PrismaClient, organizationId: string, version: number): Promise<PolicyConfig> {
  const current = await policyConfigFor(prisma, organizationId);
  if (current.version === version) return current;
  if (version === defaultPolicyConfig.version) return defaultPolicyConfig;
  const stored = await prisma.policyConfiguration.findUnique({ where: { organizationId_version: { organizationId, version } }, select: { config: true } });
  if (stored === null) return current;
  try {
    return parsePolicyConfig(stored.config);
  } catch {
    return current;
  }
}

// Base image

interface StoredBaseImage {
  baseImageSource: string | null;
  baseImageReference: string | null;
  baseImageDigest: string | null;
  baseImageReason: string | null;
}

const baseImageSources: readonly BaseImageSource[] = ["provenance", "annotation", "label", "layers", "unknown"];

async function loadBaseImage(prisma: PrismaClient, image: StoredBaseImage): Promise<BaseImageDetails> {
  const source = baseImageSources.find((candidate) => candidate === image.baseImageSource) ?? null;
  const reference = image.baseImageReference;
  const digest = image.baseImageDigest ?? digestInReference(reference);
  const tagReference = reference === null ? null : baseTagKey(reference);
  const details: BaseImageDetails = { source, reference, digest, reason: image.baseImageReason, tagReference, tag: null, freshness: { state: "unknown", reason: "" } };

  if (source === null) return { ...details, freshness: { state: "unknown", reason: "The base image has not been looked for yet." } };
  if (source === "unknown") return { ...details, freshness: { state: "unknown", reason: `The base image is unknown: ${asSentence(image.baseImageReason ?? "no source named one")}` } };
  if (reference === null) return { ...details, freshness: { state: "unknown", reason: "Only the base image's digest is known, not the tag it was built from." } };
  if (tagReference === null) return { ...details, freshness: { state: "unknown", reason: `The base image ${reference} is named by digest alone, so there is no tag that could move.` } };

  const resolution = await prisma.baseTagResolution.findUnique({ where: { reference: tagReference } });
  if (resolution === null) return { ...details, freshness: { state: "unknown", reason: `The current digest of ${tagReference} has not been looked up yet.` } };
  if (resolution.status !== "resolved" || resolution.digest === null) {
    const reason = resolution.reason ?? "The base tag could not be resolved.";
    return {
      ...details,
      tag: { reference: tagReference, status: "unknown", reason, resolvedAt: resolution.resolvedAt, lastDigest: resolution.digest },
      freshness: { state: "unknown", reason: `The current digest of ${tagReference} is not known: ${asSentence(reason)}` },
    };
  }

  const tagState: BaseTagState = { reference: tagReference, status: "resolved", digest: resolution.digest, resolvedAt: resolution.resolvedAt };
  if (digest === null) return { ...details, tag: tagState, freshness: { state: "unknown", reason: "The digest the image was built on is not known." } };
  // A platform manifest of the tag's current index is the same base image as the index.
  if (resolution.digest === digest || resolution.equivalentDigests.includes(digest)) {
    return { ...details, tag: tagState, freshness: { state: "current", reason: `${tagReference} still points to the digest the image was built on.` } };
  }
  return { ...details, tag: tagState, freshness: { state: "outdated", reason: `${tagReference} now points to ${resolution.digest}, but the image was built on ${digest}.` } };
}

/** Ends a reason with a full stop unless it already ends a sentence. */
function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function digestInReference(reference: string | null): string | null {
  if (reference === null) return null;
  try {
    return parseReference(reference).digest;
  } catch {
    return null;
  }
}

// Attestations

// The details JSON as lib/sync/read-manifest-tree.ts writes it for each kind of statement.
const sbomDetailsSchema = z.object({
  spdxVersion: z.string().nullable().default(null),
  name: z.string().nullable().default(null),
  packages: z.number().int().nonnegative().nullable().default(null),
  problems: z.number().int().nonnegative().default(0),
});
const provenanceDetailsSchema = z.object({
  builderId: z.string().nullable().default(null),
  buildType: z.string().nullable().default(null),
  frontendImage: z.string().nullable().default(null),
  materials: z.array(z.string()).default([]),
  startedOn: z.string().nullable().default(null),
  finishedOn: z.string().nullable().default(null),
});
const openVexDetailsSchema = z.object({
  openvex: z.object({ author: z.string().optional(), statements: z.array(z.unknown()).default([]) }),
});

// SBOM predicate types: SPDX as BuildKit writes it, and the versioned SPDX and CycloneDX forms of the in-toto predicate list.
const sbomPredicate = /^https:\/\/(spdx\.dev\/Document|cyclonedx\.org\/bom)(\/v\d+(\.\d+)*)?$/;

function describeAttestation(row: { predicateType: string; provenanceMode: string | null; manifestDigest: string; layerDigest: string; details: Prisma.JsonValue }): AttestationDetails {
  const kind = sbomPredicate.test(row.predicateType) ? "sbom" : isProvenance(row.predicateType) ? "provenance" : isOpenVex(row.predicateType) ? "openvex" : "other";
  const result: AttestationDetails = {
    predicateType: row.predicateType,
    kind,
    provenanceMode: row.provenanceMode,
    manifestDigest: row.manifestDigest,
    layerDigest: row.layerDigest,
    sbom: null,
    provenance: null,
    openvex: null,
    detailsMissing: null,
  };
  if (kind === "other") return result;
  if (row.details === null) return { ...result, detailsMissing: "The statement's body was not read when the image was synced." };

  if (kind === "sbom") {
    const parsed = sbomDetailsSchema.safeParse(row.details);
    if (parsed.success) return { ...result, sbom: { spdxVersion: parsed.data.spdxVersion, name: parsed.data.name, packageCount: parsed.data.packages, problemCount: parsed.data.problems } };
  } else if (kind === "provenance") {
    const parsed = provenanceDetailsSchema.safeParse(row.details);
    if (parsed.success) return { ...result, provenance: parsed.data };
  } else {
    const parsed = openVexDetailsSchema.safeParse(row.details);
    if (parsed.success) return { ...result, openvex: { statementCount: parsed.data.openvex.statements.length, author: parsed.data.openvex.author ?? null } };
  }
  return { ...result, detailsMissing: "The statement's details are stored in a form this page cannot read. The next sync of a new digest stores them again." };
}

// Layers

const buildStepSchema = z.object({
  created: z.string().nullable().default(null),
  createdBy: z.string().nullable().default(null),
  comment: z.string().nullable().default(null),
  emptyLayer: z.boolean().default(false),
});

/** Reads the stored config history. Returns null when any step is of another shape, so no command is matched to the wrong layer. */
export function readBuildSteps(value: unknown): BuildStep[] | null {
  if (!Array.isArray(value)) return null;
  const steps: BuildStep[] = [];
  for (const entry of value) {
    const parsed = buildStepSchema.safeParse(entry);
    if (!parsed.success) return null;
    steps.push(parsed.data);
  }
  return steps;
}

/**
 * Matches history steps to layers: the steps that are not `emptyLayer` add the
 * layers in manifest order, as the OCI image spec defines `history`. Returns
 * each step with the position of the layer it added (null for empty-layer
 * steps). When the number of layer-adding steps differs from the number of
 * layers, no step can be trusted to name its layer, so it returns a problem.
 */
export function matchStepsToLayers(steps: readonly BuildStep[], layerCount: number): { steps: { step: BuildStep; position: number | null }[]; problem: string | null } {
  const adding = steps.filter((step) => !step.emptyLayer).length;
  if (steps.length === 0) {
    return { steps: [], problem: "The image config records no build history, so the commands that made the layers are not known." };
  }
  if (adding !== layerCount) {
    const stepWord = adding === 1 ? "step adds" : "steps add";
    const layerWord = layerCount === 1 ? "layer" : "layers";
    return {
      steps: steps.map((step) => ({ step, position: null })),
      problem: `The image config's history says ${adding} build ${stepWord} a layer, but the manifest lists ${layerCount} ${layerWord}, so the commands cannot be matched to the layers.`,
    };
  }
  let position = 0;
  return {
    steps: steps.map((step) => {
      if (step.emptyLayer) return { step, position: null };
      const matched = { step, position };
      position += 1;
      return matched;
    }),
    problem: null,
  };
}

interface StoredImageLayers {
  digest: string;
  history: Prisma.JsonValue;
  layers: { position: number; layerDigest: string; layer: { mediaType: string; size: bigint; diffId: string | null } }[];
}

async function loadLayers(prisma: PrismaClient, image: StoredImageLayers): Promise<LayersView> {
  const packages = await prisma.imagePackage.findMany({
    where: { imageDigest: image.digest },
    orderBy: [{ name: "asc" }, { version: "asc" }, { id: "asc" }],
    select: { name: true, version: true, type: true, layerDigest: true },
  });

  // A layer can appear twice in a manifest. Its packages are listed at its first position, where its files were first added.
  const firstPosition = new Map<string, number>();
  for (const entry of image.layers) if (!firstPosition.has(entry.layerDigest)) firstPosition.set(entry.layerDigest, entry.position);
  const packagesByPosition = new Map<number, LayerPackage[]>();
  let packagesOutsideLayers = 0;
  for (const { layerDigest, ...item } of packages) {
    const position = layerDigest === null ? undefined : firstPosition.get(layerDigest);
    if (position === undefined) {
      packagesOutsideLayers += 1;
      continue;
    }
    const list = packagesByPosition.get(position) ?? [];
    list.push(item);
    packagesByPosition.set(position, list);
  }

  const layers = image.layers.map((entry): LayerDetails => {
    const added = packagesByPosition.get(entry.position) ?? [];
    return {
      position: entry.position,
      digest: entry.layerDigest,
      mediaType: entry.layer.mediaType,
      size: Number(entry.layer.size),
      diffId: entry.layer.diffId,
      step: null,
      packages: added.slice(0, MAX_LAYER_PACKAGES_LISTED),
      packageCount: added.length,
    };
  });

  const steps = readBuildSteps(image.history);
  const matched = steps === null ? null : matchStepsToLayers(steps, layers.length);
  const view = { layerCount: layers.length, totalSize: layers.reduce((total, layer) => total + layer.size, 0), packagesOutsideLayers };
  if (matched === null || matched.problem !== null) {
    return {
      ...view,
      entries: layers.map((layer) => ({ kind: "layer", layer })),
      historyProblem: matched?.problem ?? "The image config's history is stored in a form this page cannot read, so the commands that made the layers are not shown.",
      history: steps ?? [],
    };
  }

  const entries = matched.steps.map(({ step, position }): BuildEntry => {
    if (position === null) return { kind: "config", step };
    return { kind: "layer", layer: { ...layers[position]!, step } };
  });
  return { ...view, entries, historyProblem: null, history: steps ?? [] };
}

// History

async function loadHistory(prisma: PrismaClient, tagId: string, currentDigest: string): Promise<TagHistory> {
  const [gradeChanges, gradeChangeCount, digests, digestCount] = await Promise.all([
    prisma.gradeChange.findMany({
      where: { tagId },
      orderBy: [{ changedAt: "desc" }, { id: "desc" }],
      take: MAX_HISTORY_ENTRIES,
      select: { changedAt: true, digest: true, fromGrade: true, toGrade: true, fromPercent: true, toPercent: true, cause: true, causeIds: true },
    }),
    prisma.gradeChange.count({ where: { tagId } }),
    prisma.tagDigest.findMany({ where: { tagId }, orderBy: [{ seenAt: "desc" }, { id: "desc" }], take: MAX_HISTORY_ENTRIES, select: { digest: true, seenAt: true } }),
    prisma.tagDigest.count({ where: { tagId } }),
  ]);

  // The tag points to its current digest from the newest time it was seen there. An earlier visit to the same digest is history.
  const newestCurrent = digests.findIndex((entry) => entry.digest === currentDigest);
  return {
    gradeChanges,
    gradeChangeCount,
    digests: digests.map((entry, index) => ({ ...entry, current: index === newestCurrent })),
    digestCount,
  };
}
