import { AppError } from "@/lib/errors";
import {
  buildAttestationManifest,
  REFERENCE_DIGEST_ANNOTATION,
  REFERENCE_TYPE_ANNOTATION,
  type AttestationLayout,
} from "@/lib/samples/attestation-manifest";
import { gzipDeterministic } from "@/lib/samples/deterministic-gzip";
import { encodeJson, sortKeys } from "@/lib/samples/encode-json";
import { imageSubject, IN_TOTO_STATEMENT_V01, type InTotoStatement } from "@/lib/samples/in-toto-statement";
import { createLayerTar, readLayerEntries, type LayerEntry } from "@/lib/samples/layer-tar";
import { mediaTypes, type MediaTypeFamily } from "@/lib/samples/media-types";
import { formatPlatform, type Descriptor, type Platform } from "@/lib/samples/oci-descriptor";
import { buildProvenanceStatement, type ProvenanceInput } from "@/lib/samples/provenance-statement";
import { buildSbomStatement, type SbomInput } from "@/lib/samples/sbom-statement";
import { sha256Digest } from "@/lib/samples/sha256-digest";

export type { AttestationLayout } from "@/lib/samples/attestation-manifest";
export type { LayerEntry, LayerFile, LayerSymlink } from "@/lib/samples/layer-tar";
export type { MediaTypeFamily } from "@/lib/samples/media-types";
export type { Descriptor, Platform } from "@/lib/samples/oci-descriptor";

/**
 * Encoding of a layer blob:
 * - `gzip`: node:zlib deflate at level 9; the bytes can differ between Node
 *   builds because Node bundles its own zlib fork.
 * - `gzip-stored`: gzip of stored deflate blocks, byte-identical everywhere.
 * - `none`: the tar itself, so the digest equals the diff id.
 */
export type LayerCompression = "gzip" | "gzip-stored" | "none";

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Modification time of every tar entry unless `BuildLayerOptions.mtime` sets another. */
export const DEFAULT_LAYER_MTIME = new Date("2024-01-01T00:00:00Z");

export interface BuildLayerOptions {
  /** Default `gzip`. */
  compression?: LayerCompression;
  /** Default `DEFAULT_LAYER_MTIME`. */
  mtime?: Date;
}

/** A layer blob and the identities a manifest and a config need. */
export interface Layer {
  /** Digest of `bytes`, the blob as pushed. */
  digest: string;
  /** Digest of the uncompressed tar. */
  diffId: string;
  /** Length of `bytes` in bytes. */
  size: number;
  bytes: Uint8Array;
  /** OCI media type of the blob; `buildImage` writes the Docker equivalent in Docker manifests. */
  mediaType: string;
  compression: LayerCompression;
}

/**
 * Builds a layer from a list of entries or from the files under a root
 * directory. The same input gives the same tar bytes and diff id on every
 * machine; see `LayerCompression` for the compressed bytes.
 */
export async function buildLayer(input: readonly LayerEntry[] | string, options: BuildLayerOptions = {}): Promise<Layer> {
  const compression = options.compression ?? "gzip";
  const entries = typeof input === "string" ? await readLayerEntries(input) : input;
  const tar = await createLayerTar(entries, options.mtime ?? DEFAULT_LAYER_MTIME);
  const diffId = sha256Digest(tar);

  const bytes =
    compression === "none" ? tar : gzipDeterministic(tar, compression === "gzip-stored" ? "stored" : "zlib");
  return {
    digest: compression === "none" ? diffId : sha256Digest(bytes),
    diffId,
    size: bytes.byteLength,
    bytes,
    mediaType: compression === "none" ? mediaTypes.ociLayerTar : mediaTypes.ociLayerGzip,
    compression,
  };
}

/** One entry of the config's `history`, with the JSON names in camel case. */
export interface HistoryEntry {
  created: string;
  createdBy: string;
  comment?: string;
  /** True for instructions that add no layer (USER, CMD, ENV …). */
  emptyLayer?: boolean;
}

/** The image config fields the samples set; unset fields are left out of the JSON. */
export interface ImageConfigInput extends Platform {
  /** ISO 8601 time. */
  created: string;
  user?: string;
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  labels?: Record<string, string>;
  history?: HistoryEntry[];
}

export interface BuildImageInput {
  /** Layers from the bottom of the filesystem up. */
  layers: readonly Layer[];
  config: ImageConfigInput;
  mediaTypes: MediaTypeFamily;
  /** Manifest annotations; only OCI manifests have them. */
  annotations?: Record<string, string>;
}

/** A manifest or index as pushed: digest of `bytes`, media type, bytes. */
export interface ManifestBlob {
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
}

/** One platform's image: its manifest and every blob it references. */
export interface BuiltImage {
  manifest: ManifestBlob;
  config: { digest: string; bytes: Uint8Array };
  /** The config and the layers, by digest. */
  blobs: Map<string, Uint8Array>;
  platform: Platform;
  mediaTypes: MediaTypeFamily;
  /** Layer descriptors as written in the manifest. */
  layers: Descriptor[];
}

/** Builds an image config and manifest over `layers`. */
export function buildImage(input: BuildImageInput): BuiltImage {
  const { config, layers } = input;
  const family = input.mediaTypes;
  validateImageInput(input);

  const configBytes = encodeJson(imageConfigJson(config, layers));
  const configDigest = sha256Digest(configBytes);
  const configMediaType = family === "docker" ? mediaTypes.dockerConfig : mediaTypes.ociConfig;

  const layerDescriptors = layers.map((layer) => ({
    mediaType: layerMediaType(layer.compression, family),
    digest: layer.digest,
    size: layer.size,
  }));

  const manifestMediaType = family === "docker" ? mediaTypes.dockerManifest : mediaTypes.ociManifest;
  const manifestJson = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: descriptorJson(family, { mediaType: configMediaType, digest: configDigest, size: configBytes.byteLength }),
    layers: layerDescriptors.map((descriptor) => descriptorJson(family, descriptor)),
    ...(input.annotations === undefined ? {} : { annotations: sortKeys(input.annotations) }),
  };
  const manifestBytes = encodeJson(manifestJson);

  const blobs = new Map<string, Uint8Array>([[configDigest, configBytes]]);
  for (const layer of layers) blobs.set(layer.digest, layer.bytes);

  return {
    manifest: { digest: sha256Digest(manifestBytes), mediaType: manifestMediaType, bytes: manifestBytes },
    config: { digest: configDigest, bytes: configBytes },
    blobs,
    platform: platformOf(config),
    mediaTypes: family,
    layers: layerDescriptors,
  };
}

/** Attestations to attach to one platform image; each present input becomes one in-toto layer. */
export interface AttestationInput {
  sbom?: SbomInput;
  provenance?: ProvenanceInput;
  /** An OpenVEX document, attached as the predicate of an `https://openvex.dev/ns/v0.2.0` statement. */
  vex?: Record<string, unknown>;
}

/** The predicate type of OpenVEX v0.2.0 statements. */
export const OPENVEX_PREDICATE = "https://openvex.dev/ns/v0.2.0";

export interface IndexEntry {
  image: BuiltImage;
  attestations?: AttestationInput;
}

export interface BuildIndexOptions {
  mediaTypes: MediaTypeFamily;
  /** Repository and tag the attestations name as their subject; required with attestations. */
  reference?: { repository: string; tag: string };
  /** Default `image-config`. */
  attestationLayout?: AttestationLayout;
}

/** An index with every manifest it references, in push order, and all their blobs. */
export interface BuiltIndex {
  manifest: ManifestBlob;
  /** Platform manifests, then attestation manifests: push them by digest before the index. */
  manifests: Map<string, ManifestBlob>;
  blobs: Map<string, Uint8Array>;
}

/**
 * Builds an OCI image index (or a Docker manifest list) over `entries`, and,
 * for entries with attestations, one BuildKit-style attestation manifest
 * each: platform unknown/unknown, annotated with the platform manifest's
 * digest, listed after all platform manifests as BuildKit orders them.
 */
export function buildIndex(entries: readonly IndexEntry[], options: BuildIndexOptions): BuiltIndex {
  const family = options.mediaTypes;
  validateIndexInput(entries, options);

  const manifests = new Map<string, ManifestBlob>();
  const blobs = new Map<string, Uint8Array>();
  const indexEntries: Record<string, unknown>[] = [];

  for (const { image } of entries) {
    mergeInto(blobs, image.blobs);
    manifests.set(image.manifest.digest, image.manifest);
    indexEntries.push({ ...descriptorJson(family, describe(image.manifest)), platform: platformJson(image.platform) });
  }

  for (const { image, attestations } of entries) {
    const statements = attestationStatements(image, attestations, options);
    if (statements.length === 0) continue;

    const attestation = buildAttestationManifest(
      describe(image.manifest),
      statements,
      options.attestationLayout ?? "image-config",
    );
    mergeInto(blobs, attestation.blobs);
    manifests.set(attestation.digest, {
      digest: attestation.digest,
      mediaType: mediaTypes.ociManifest,
      bytes: attestation.bytes,
    });
    indexEntries.push({
      mediaType: mediaTypes.ociManifest,
      digest: attestation.digest,
      size: attestation.bytes.byteLength,
      annotations: {
        [REFERENCE_DIGEST_ANNOTATION]: image.manifest.digest,
        [REFERENCE_TYPE_ANNOTATION]: "attestation-manifest",
      },
      platform: { architecture: "unknown", os: "unknown" },
    });
  }

  const indexMediaType = family === "docker" ? mediaTypes.dockerManifestList : mediaTypes.ociIndex;
  const indexBytes = encodeJson({ schemaVersion: 2, mediaType: indexMediaType, manifests: indexEntries });
  return {
    manifest: { digest: sha256Digest(indexBytes), mediaType: indexMediaType, bytes: indexBytes },
    manifests,
    blobs,
  };
}

function attestationStatements(
  image: BuiltImage,
  attestations: AttestationInput | undefined,
  options: BuildIndexOptions,
): InTotoStatement<unknown>[] {
  if (attestations === undefined || options.reference === undefined) return [];

  const { repository, tag } = options.reference;
  const subject = imageSubject(repository, tag, formatPlatform(image.platform), image.manifest.digest);
  const statements: InTotoStatement<unknown>[] = [];
  if (attestations.sbom !== undefined) {
    statements.push(buildSbomStatement(subject, attestations.sbom));
  }
  if (attestations.provenance !== undefined) {
    statements.push(buildProvenanceStatement(subject, attestations.provenance, image));
  }
  if (attestations.vex !== undefined) {
    statements.push({ _type: IN_TOTO_STATEMENT_V01, predicateType: OPENVEX_PREDICATE, subject: [subject], predicate: attestations.vex });
  }
  return statements;
}

function validateImageInput(input: BuildImageInput): void {
  const { config, layers } = input;

  const times = [
    { field: "created", value: config.created },
    ...(config.history ?? []).map((entry, index) => ({ field: `history[${index}].created`, value: entry.created })),
  ];
  for (const { field, value } of times) {
    if (!ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) {
      throw new AppError("INVALID_INPUT", `Invalid image config ${field} "${value}": use an ISO 8601 time such as 2024-05-01T12:00:00Z.`);
    }
  }

  if (config.history !== undefined) {
    const layerEntries = config.history.filter((entry) => entry.emptyLayer !== true).length;
    if (layerEntries !== layers.length) {
      throw new AppError(
        "INVALID_INPUT",
        `Image config history has ${layerEntries} entries that add a layer but the image has ${layers.length} layers: mark the other entries emptyLayer.`,
      );
    }
  }

  if (input.mediaTypes === "docker" && input.annotations !== undefined) {
    throw new AppError("INVALID_INPUT", "Docker schema 2 manifests have no annotations: use mediaTypes \"oci\" or move them to config labels.");
  }
}

function validateIndexInput(entries: readonly IndexEntry[], options: BuildIndexOptions): void {
  if (entries.length === 0) {
    throw new AppError("INVALID_INPUT", "An image index needs at least one image.");
  }

  const platforms = new Set<string>();
  for (const { image } of entries) {
    if (image.mediaTypes !== options.mediaTypes) {
      throw new AppError(
        "INVALID_INPUT",
        `Image ${image.manifest.digest} uses ${image.mediaTypes} media types but the index uses ${options.mediaTypes}: build both with the same mediaTypes.`,
      );
    }
    const platform = formatPlatform(image.platform);
    if (platforms.has(platform)) {
      throw new AppError("INVALID_INPUT", `Two images of the index have platform ${platform}: give each platform one image.`);
    }
    platforms.add(platform);
  }

  const hasAttestations = entries.some(
    ({ attestations }) => attestations?.sbom !== undefined || attestations?.provenance !== undefined,
  );
  if (hasAttestations && options.mediaTypes === "docker") {
    throw new AppError(
      "INVALID_INPUT",
      "Attestations need an OCI image index: BuildKit switches to OCI media types when it adds them, so build with mediaTypes \"oci\".",
    );
  }
  if (hasAttestations && options.reference === undefined) {
    throw new AppError("INVALID_INPUT", "Attestations name the image's repository and tag as their subject: pass options.reference.");
  }
}

// Field order follows the Go structs of the OCI image spec (specs-go/v1), the
// order in which Go tools write these documents.
function imageConfigJson(config: ImageConfigInput, layers: readonly Layer[]): Record<string, unknown> {
  const containerConfig = {
    ...(config.user === undefined ? {} : { User: config.user }),
    ...(config.env === undefined ? {} : { Env: config.env }),
    ...(config.entrypoint === undefined ? {} : { Entrypoint: config.entrypoint }),
    ...(config.cmd === undefined ? {} : { Cmd: config.cmd }),
    ...(config.workingDir === undefined ? {} : { WorkingDir: config.workingDir }),
    ...(config.labels === undefined ? {} : { Labels: sortKeys(config.labels) }),
  };

  return {
    created: config.created,
    architecture: config.architecture,
    ...(config.variant === undefined ? {} : { variant: config.variant }),
    os: config.os,
    config: containerConfig,
    rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.diffId) },
    ...(config.history === undefined ? {} : { history: config.history.map(historyJson) }),
  };
}

function historyJson(entry: HistoryEntry): Record<string, unknown> {
  return {
    created: entry.created,
    created_by: entry.createdBy,
    ...(entry.comment === undefined ? {} : { comment: entry.comment }),
    ...(entry.emptyLayer === true ? { empty_layer: true } : {}),
  };
}

function layerMediaType(compression: LayerCompression, family: MediaTypeFamily): string {
  if (family === "docker") {
    return compression === "none" ? mediaTypes.dockerLayerTar : mediaTypes.dockerLayerGzip;
  }
  return compression === "none" ? mediaTypes.ociLayerTar : mediaTypes.ociLayerGzip;
}

// Docker's schema 2 structs declare size before digest; the OCI structs declare digest first.
function descriptorJson(family: MediaTypeFamily, descriptor: Descriptor): Record<string, unknown> {
  return family === "docker"
    ? { mediaType: descriptor.mediaType, size: descriptor.size, digest: descriptor.digest }
    : { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}

function platformJson(platform: Platform): Record<string, string> {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
  };
}

function platformOf(config: ImageConfigInput): Platform {
  return {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant === undefined ? {} : { variant: config.variant }),
  };
}

function describe(manifest: ManifestBlob): Descriptor {
  return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.byteLength };
}

function mergeInto(target: Map<string, Uint8Array>, source: ReadonlyMap<string, Uint8Array>): void {
  for (const [digest, bytes] of source) target.set(digest, bytes);
}
