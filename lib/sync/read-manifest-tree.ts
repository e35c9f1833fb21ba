import type { RegistrySource } from "@/lib/registry/registry-source";
import { parseImageConfig, type Descriptor } from "@/lib/registry/manifest";
import { parseProvenance, parseSpdxPredicate, readStatement, SPDX_DOCUMENT_PREDICATE, type Provenance } from "@/lib/analysis/attestation-predicates";
import type { Prisma } from "@/generated/prisma/client";
import { logger } from "@/lib/log";
import { isTransientRegistryError } from "@/lib/registry/registry-http";
import {
  attestationReferenceDigest,
  attestationReferenceType,
  dsseMediaType,
  inTotoMediaType,
  isOpenVex,
  isProvenance,
  predicateTypeAnnotation,
} from "@/lib/sync/read-attestation";

export interface ReadLayer {
  digest: string;
  mediaType: string;
  size: number;
  diffId: string | null;
}

export interface ReadAttestation {
  manifestDigest: string;
  layerDigest: string;
  predicateType: string;
  provenanceMode: "max" | "min" | null;
  /** A summary of the parsed statement, or an OpenVEX document whole; null when the body was not read or not understood. */
  details: Prisma.InputJsonObject | null;
}

export interface ReadImage {
  digest: string;
  mediaType: string;
  platform: string;
  os: string;
  architecture: string;
  variant: string | null;
  configDigest: string;
  user: string | null;
  labels: Record<string, string>;
  created: Date | null;
  compressedSize: number;
  annotations: Record<string, string>;
  /** The config's build steps, in order; empty-layer steps (ENV, USER …) included. */
  history: { created: string | null; createdBy: string | null; comment: string | null; emptyLayer: boolean }[];
  layers: ReadLayer[];
  attestations: ReadAttestation[];
  /** The parsed provenance statement, when an attestation carries one; used to find the base image. */
  provenance: Provenance | null;
}

export interface ReadManifestTree {
  digest: string;
  mediaType: string;
  isIndex: boolean;
  size: number;
  /** Platform digests in the manifest's order, including images already stored (not re-read). */
  platforms: { digest: string; platform: string }[];
  /** The images read now; images already stored are left out. */
  images: ReadImage[];
}

/** Caps for blobs read whole: image configs and attestation statements. */
const maxConfigBytes = 8 * 1024 * 1024;
const maxStatementBytes = 16 * 1024 * 1024;

/**
 * Reads a tag's manifest or index, each platform manifest and its config, and
 * the BuildKit attestation manifests of the index. Platform images already
 * stored are not fetched again, because a digest's content never changes.
 */
export async function readManifestTree(
  source: RegistrySource,
  repository: string,
  digest: string,
  storedImagePlatform: (digest: string) => Promise<string | null>,
): Promise<ReadManifestTree> {
  const top = await source.getManifest(repository, digest);

  if (top.manifest.kind === "manifest") {
    const storedPlatform = await storedImagePlatform(top.digest);
    const image = storedPlatform !== null ? null : await readImage(source, repository, top.digest, top.mediaType, top.manifest, null);
    if (image) {
      const referrers = await readReferrers(source, repository, image.digest);
      image.attestations.push(...referrers.attestations);
      image.provenance ??= referrers.provenance;
    }
    const platform = storedPlatform ?? image?.platform ?? "unknown";
    return {
      digest: top.digest,
      mediaType: top.mediaType,
      isIndex: false,
      size: top.bytes.byteLength,
      platforms: [{ digest: top.digest, platform }],
      images: image ? [image] : [],
    };
  }

  const platformEntries = top.manifest.manifests.filter((entry) => entry.annotations?.[attestationReferenceType] !== "attestation-manifest");
  const attestationEntries = top.manifest.manifests.filter((entry) => entry.annotations?.[attestationReferenceType] === "attestation-manifest");

  const images: ReadImage[] = [];
  for (const entry of platformEntries) {
    if ((await storedImagePlatform(entry.digest)) !== null) continue;
    const child = await source.getManifest(repository, entry.digest);
    if (child.manifest.kind !== "manifest") continue; // nested indexes are not images
    const declaredPlatform = entry.platform ? formatPlatform(entry.platform.os, entry.platform.architecture, entry.platform.variant) : null;
    images.push(await readImage(source, repository, child.digest, child.mediaType, child.manifest, declaredPlatform));
  }

  // Attestations and OpenVEX documents attached as OCI 1.1 referrers, of each new platform image or of the whole index.
  const indexReferrers = images.length > 0 ? await readReferrers(source, repository, top.digest) : { attestations: [], provenance: null };
  for (const image of images) {
    const own = await readReferrers(source, repository, image.digest);
    image.attestations.push(...own.attestations, ...indexReferrers.attestations);
    image.provenance ??= own.provenance ?? indexReferrers.provenance;
  }

  for (const entry of attestationEntries) {
    const subject = entry.annotations?.[attestationReferenceDigest];
    const image = images.find((candidate) => candidate.digest === subject);
    if (!image) continue; // attestations of an image already stored were stored with it
    const read = await readAttestations(source, repository, entry.digest);
    image.attestations.push(...read.attestations);
    image.provenance ??= read.provenance;
  }

  return {
    digest: top.digest,
    mediaType: top.mediaType,
    isIndex: true,
    size: top.bytes.byteLength,
    platforms: platformEntries.map((entry) => ({
      digest: entry.digest,
      platform: entry.platform ? formatPlatform(entry.platform.os, entry.platform.architecture, entry.platform.variant) : "unknown",
    })),
    images,
  };
}

type ImageManifest = Extract<Awaited<ReturnType<RegistrySource["getManifest"]>>["manifest"], { kind: "manifest" }>;

async function readImage(
  source: RegistrySource,
  repository: string,
  digest: string,
  mediaType: string,
  manifest: ImageManifest,
  declaredPlatform: string | null,
): Promise<ReadImage> {
  const configBytes = await source.getBlob(repository, manifest.config.digest, { maxBytes: maxConfigBytes });
  const config = parseImageConfig(configBytes, { repository, digest: manifest.config.digest });
  const os = config.os ?? "unknown";
  const architecture = config.architecture ?? "unknown";
  const variant = config.variant ?? null;
  const diffIds = config.rootfs?.diff_ids ?? [];
  const user = config.config?.User;
  const created = config.created ? new Date(config.created) : null;

  return {
    digest,
    mediaType,
    platform: declaredPlatform ?? formatPlatform(os, architecture, variant ?? undefined),
    os,
    architecture,
    variant,
    configDigest: manifest.config.digest,
    user: user === undefined || user === null ? null : user,
    labels: config.config?.Labels ?? {},
    created: created && !Number.isNaN(created.getTime()) ? created : null,
    compressedSize: manifest.layers.reduce((total, layer) => total + layer.size, 0),
    annotations: manifest.annotations ?? {},
    history: (config.history ?? []).map((step) => ({
      created: step.created ?? null,
      createdBy: step.created_by ?? null,
      comment: step.comment ?? null,
      emptyLayer: step.empty_layer === true,
    })),
    layers: manifest.layers.map((layer, position) => ({
      digest: layer.digest,
      mediaType: layer.mediaType,
      size: layer.size,
      diffId: diffIds[position] ?? null,
    })),
    attestations: [],
    provenance: null,
  };
}

async function readAttestations(
  source: RegistrySource,
  repository: string,
  manifestDigest: string,
): Promise<{ attestations: ReadAttestation[]; provenance: Provenance | null }> {
  const attestationManifest = await source.getManifest(repository, manifestDigest);
  if (attestationManifest.manifest.kind !== "manifest") return { attestations: [], provenance: null };

  const attestations: ReadAttestation[] = [];
  let provenance: Provenance | null = null;
  for (const layer of attestationManifest.manifest.layers) {
    if (layer.mediaType !== inTotoMediaType && layer.mediaType !== dsseMediaType) continue;
    let predicateType = layer.annotations?.[predicateTypeAnnotation] ?? null;
    let mode: "max" | "min" | null = null;
    let details: Prisma.InputJsonObject | null = null;
    // Statements whose body matters are read: provenance (max or min mode, base image), SBOMs and OpenVEX documents.
    if (predicateType === null || readsBody(predicateType)) {
      const value = parseJson(await source.getBlob(repository, layer.digest, { maxBytes: maxStatementBytes }));
      if (value === undefined) continue;
      try {
        const statement = readStatement(value);
        predicateType = statement.predicateType;
        if (isProvenance(predicateType)) {
          const parsed = parseProvenance(value);
          mode = parsed.mode;
          provenance ??= parsed;
          details = provenanceDetails(parsed);
        } else if (predicateType === SPDX_DOCUMENT_PREDICATE) {
          const sbom = parseSpdxPredicate(statement.predicate);
          // BuildKit's SBOMs describe only the image itself; a document that marks every package described still lists them all.
          const contained = sbom.packages.filter((pkg) => !pkg.described).length;
          details = { spdxVersion: sbom.spdxVersion, name: sbom.name, packages: contained > 0 ? contained : sbom.packages.length, problems: sbom.problems.length };
        } else if (isOpenVex(predicateType) && typeof statement.predicate === "object" && statement.predicate !== null) {
          details = { openvex: statement.predicate as Prisma.InputJsonObject };
        }
      } catch {
        continue; // Not an in-toto statement, or provenance of another predicate version: it proves nothing.
      }
    }
    attestations.push({ manifestDigest, layerDigest: layer.digest, predicateType, provenanceMode: mode, details });
  }
  return { attestations, provenance };
}

/** Artifact types an OpenVEX document is attached with. */
const vexArtifactTypes = new Set(["application/openvex+json", "application/vnd.openvex+json"]);

/**
 * Reads the attestations and OpenVEX documents attached to a manifest as OCI
 * 1.1 referrers. They are listed through the referrers API where the source
 * has it, and otherwise through the referrers tag schema (`sha256-<hex>`),
 * which every registry can serve. In-toto attestations are read like
 * BuildKit's. A referrer that cannot be read is logged and skipped, because
 * it must not fail the sync of the image it refers to. A transient registry
 * failure (timeout, network error, 429 or 5xx) is raised instead, because an
 * image stored without its referrers is never read again.
 */
async function readReferrers(source: RegistrySource, repository: string, subject: string): Promise<{ attestations: ReadAttestation[]; provenance: Provenance | null }> {
  const found: ReadAttestation[] = [];
  let provenance: Provenance | null = null;
  let entries: Descriptor[];
  try {
    entries = await listReferrerDescriptors(source, repository, subject);
  } catch (error) {
    if (isTransientRegistryError(error)) throw error;
    logger.warn({ repository, subject, err: error }, "listing referrers failed; the image is synced without them");
    return { attestations: found, provenance };
  }

  for (const entry of entries) {
    try {
      const read = await readReferrer(source, repository, entry);
      found.push(...read.attestations);
      provenance ??= read.provenance;
    } catch (error) {
      if (isTransientRegistryError(error)) throw error;
      logger.warn({ repository, subject, referrer: entry.digest, err: error }, "reading a referrer failed; the image is synced without it");
    }
  }
  return { attestations: found, provenance };
}

/** Reads one referrer, an in-toto attestation manifest or an OpenVEX document. Other artifact types yield nothing. */
async function readReferrer(source: RegistrySource, repository: string, entry: Descriptor): Promise<{ attestations: ReadAttestation[]; provenance: Provenance | null }> {
  if (entry.artifactType === inTotoMediaType) return readAttestations(source, repository, entry.digest);

  const none = { attestations: [], provenance: null };
  if (!vexArtifactTypes.has(entry.artifactType ?? "")) return none;
  const artifact = await source.getManifest(repository, entry.digest);
  if (artifact.manifest.kind !== "manifest") return none;
  const layer = artifact.manifest.layers[0];
  if (!layer) return none;
  const document = parseJson(await source.getBlob(repository, layer.digest, { maxBytes: maxStatementBytes }));
  if (typeof document !== "object" || document === null || Array.isArray(document)) return none;
  const context = (document as Record<string, unknown>)["@context"];
  const predicateType = typeof context === "string" && isOpenVex(context) ? context : "https://openvex.dev/ns";
  const vex: ReadAttestation = { manifestDigest: entry.digest, layerDigest: layer.digest, predicateType, provenanceMode: null, details: { openvex: document as Prisma.InputJsonObject } };
  return { attestations: [vex], provenance: null };
}

/** Lists a manifest's referrers: from the referrers API, or from the `sha256-<hex>` tag when the source has no API. */
async function listReferrerDescriptors(source: RegistrySource, repository: string, subject: string): Promise<Descriptor[]> {
  const listed = source.listReferrers ? await source.listReferrers(repository, subject) : null;
  if (listed !== null) return listed;

  const tag = subject.replace(":", "-");
  if ((await source.headManifest(repository, tag)) === null) return [];
  const index = await source.getManifest(repository, tag);
  return index.manifest.kind === "index" ? index.manifest.manifests : [];
}

function readsBody(predicateType: string): boolean {
  return isProvenance(predicateType) || predicateType === SPDX_DOCUMENT_PREDICATE || isOpenVex(predicateType);
}

function provenanceDetails(provenance: Provenance): Prisma.InputJsonObject {
  return {
    builderId: provenance.builderId,
    buildType: provenance.buildType,
    frontendImage: provenance.frontendImage,
    materials: provenance.materials.map((material) => material.uri),
    startedOn: provenance.startedOn,
    finishedOn: provenance.finishedOn,
  };
}

export function formatPlatform(os: string, architecture: string, variant?: string | null): string {
  return variant ? `${os}/${architecture}/${variant}` : `${os}/${architecture}`;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}
