import { PackageURL } from "packageurl-js";

import type { Provenance, ProvenanceMaterial } from "@/lib/analysis/attestation-predicates";
import { AppError } from "@/lib/errors";
import { formatReference, parseDigest, parseReference } from "@/lib/registry/reference";

/**
 * Base image detection. The sources are tried in order of trust, and the
 * result records which one found the base: (1) the final stage's `pkg:docker`
 * material in the provenance, (2) the OCI base image annotations, then the same
 * keys as config labels, (3) the longest prefix of layers shared with an image
 * already known to Shipshape.
 */

/** OCI image spec pre-defined annotation keys (annotations.md). */
export const BASE_NAME_KEY = "org.opencontainers.image.base.name";
export const BASE_DIGEST_KEY = "org.opencontainers.image.base.digest";

/** Docker's reserved name for the empty image. Official images built from nothing, such as alpine and ubuntu, annotate it as their base name. */
const SCRATCH = "scratch";

/**
 * Images BuildKit lists among the materials that are build tools, not stages:
 * the Dockerfile frontends and the default SBOM generator.
 */
const BUILD_TOOL_REPOSITORIES = new Set([
  "docker.io/docker/dockerfile",
  "docker.io/docker/dockerfile-upstream",
  "docker.io/docker/buildkit-syft-scanner",
]);

/** An image already known to Shipshape (a synced repository or a configured base image source). */
export interface KnownImage {
  reference: string;
  /** Manifest digest. */
  digest: string;
  /** The config's `rootfs.diff_ids`, base layer first. */
  diffIds: readonly string[];
}

export interface BaseImageInput {
  /** The platform image's parsed provenance, null or absent when it has none. */
  provenance?: Provenance | null;
  /** Annotations of the platform image manifest. */
  annotations?: Readonly<Record<string, string>> | null;
  /** The image config's `config.Labels`. */
  labels?: Readonly<Record<string, string>> | null;
  /** Layer digests as the image manifest lists them (compressed blobs), base layer first. */
  layerDigests?: readonly string[];
  /** The image config's `rootfs.diff_ids`, base layer first. */
  diffIds?: readonly string[];
  /** The image's own manifest digest, so that the image is never taken as its own base. */
  imageDigest?: string;
  knownImages?: readonly KnownImage[];
}

/** The layer match of a base image found by shared layers. */
export interface KnownImageMatch {
  /** Layers, counted from the bottom, that the image and the known image share. */
  sharedLayers: number;
  /** Layer count of the known image. */
  layerCount: number;
  /** True when every layer of the known image is shared, so it is the image's base and not a sibling. */
  exact: boolean;
}

export type BaseImageSource = "provenance" | "annotation" | "label" | "layers";

export type BaseImage =
  | {
      source: BaseImageSource;
      /** Normalised reference (`docker.io/library/debian:12-slim`), `scratch`, or null when only the digest is known. */
      reference: string | null;
      /**
       * Digest of the base image: the manifest the build resolved (provenance),
       * the value of the digest annotation or label, or the known image's manifest digest.
       */
      digest: string | null;
      /** Set for source "layers". */
      knownImage?: KnownImageMatch;
    }
  | { source: "unknown"; reason: string };

/**
 * Normalises an image reference the way the Docker CLI reads it:
 * `debian` is `docker.io/library/debian:latest`, `org/app:1` is
 * `docker.io/org/app:1`, and a digest is kept (`name@sha256:…` gets no tag).
 * Raises AppError INVALID_INPUT for a reference that breaks the grammar.
 */
export function normalizeImageReference(reference: string): string {
  return formatReference(parseReference(reference));
}

/**
 * Converts a `pkg:docker` purl, as BuildKit writes materials, to a normalised
 * reference and the digest it pins. BuildKit puts the registry into the
 * namespace (`pkg:docker/ghcr.io/org/app@v1`), the tag into the version and a
 * pinned digest into the `digest` qualifier. The purl spec's own form, with
 * the registry in `repository_url` and a digest as the version, is read too.
 * A reference without a tag carries the digest (`…/ubuntu@sha256:…`).
 * Raises AppError INVALID_INPUT when the purl or the reference is invalid.
 */
export function dockerPurlToReference(purl: string): { reference: string; digest: string | null } {
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch (error) {
    return invalidPurl(purl, error instanceof Error ? error.message : String(error));
  }
  if (parsed.type !== "docker") {
    return invalidPurl(purl, `its type is "${parsed.type}", not "docker"`);
  }

  const registry = parsed.qualifiers?.repository_url?.replace(/^[a-z]+:\/\//i, "").replace(/\/+$/, "");
  const path = parsed.namespace ? `${parsed.namespace}/${parsed.name}` : parsed.name;
  const name = registry ? `${registry}/${path}` : path;

  const version = parsed.version ?? null;
  const versionIsDigest = version !== null && /^[a-z0-9]+:[0-9a-f]+$/i.test(version);
  const tag = version !== null && !versionIsDigest ? version : null;
  const digest = parsed.qualifiers?.digest ?? (versionIsDigest ? version : null);

  let text = name;
  if (tag !== null) {
    text = `${name}:${tag}`;
  } else if (digest !== null) {
    text = `${name}@${digest}`;
  }
  const reference = normalizeImageReference(text);
  return { reference, digest: digest === null ? null : parseDigest(digest).value };
}

/** Finds the base image of one platform image from the sources in `input`, most trusted first. */
export function detectBaseImage(input: BaseImageInput): BaseImage {
  const notes: string[] = [];

  const fromProvenance = baseFromProvenance(input, notes);
  if (fromProvenance !== null) return fromProvenance;

  const fromAnnotations = baseFromKeys("annotation", input.annotations, notes);
  if (fromAnnotations !== null) return fromAnnotations;

  const fromLabels = baseFromKeys("label", input.labels, notes);
  if (fromLabels !== null) return fromLabels;

  const fromLayers = baseFromLayers(input, notes);
  if (fromLayers !== null) return fromLayers;

  return { source: "unknown", reason: `No base image found: ${notes.join("; ")}.` };
}

interface StageImage {
  material: ProvenanceMaterial;
  reference: string;
  digest: string | null;
}

/**
 * Picks the final stage's base among the `pkg:docker` materials. BuildKit lists
 * the images of every stage (and `COPY --from` images), in no documented
 * order. With max-mode layer data, the final stage's base is the image whose
 * layers are a prefix of the image's layers, the longest such prefix when one
 * stage builds on another. Without layer data it is the last material.
 */
function baseFromProvenance(input: BaseImageInput, notes: string[]): BaseImage | null {
  const provenance = input.provenance;
  if (provenance === null || provenance === undefined) {
    notes.push("the image has no provenance");
    return null;
  }

  const frontend = frontendRepository(provenance.frontendImage);
  const stages: StageImage[] = [];
  for (const material of provenance.materials) {
    if (!material.uri.startsWith("pkg:docker/")) continue;

    let converted: { reference: string; digest: string | null };
    try {
      converted = dockerPurlToReference(material.uri);
    } catch (error) {
      notes.push(`provenance material "${material.uri}" was skipped: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const repository = repositoryOf(converted.reference);
    if (BUILD_TOOL_REPOSITORIES.has(repository) || repository === frontend) continue;

    // The material's digest is the manifest the build resolved; the purl's digest is only what the Dockerfile pinned.
    const resolvedHex = material.digest.sha256;
    const resolved = resolvedHex !== undefined && /^[0-9a-f]{64}$/.test(resolvedHex) ? `sha256:${resolvedHex}` : null;
    stages.push({ material, reference: converted.reference, digest: resolved ?? converted.digest });
  }

  if (stages.length === 0) {
    notes.push("the provenance names no pkg:docker material other than build tools");
    return null;
  }

  const imageLayers = input.layerDigests ?? [];
  const withLayers = stages.filter((stage) => stage.material.layers !== undefined && stage.material.layers.length > 0);
  if (imageLayers.length > 0 && withLayers.length > 0) {
    let best: StageImage | null = null;
    for (const stage of withLayers) {
      const layers = stage.material.layers ?? [];
      if (!isPrefix(layers, imageLayers)) continue;
      if (best === null || layers.length >= (best.material.layers?.length ?? 0)) best = stage;
    }
    if (best === null) {
      // A final stage FROM scratch, or layers recompressed on export.
      notes.push("no image in the provenance has layers that start the image's layers");
      return null;
    }
    return { source: "provenance", reference: best.reference, digest: best.digest };
  }

  // NOTE: without layer data a final stage FROM scratch is not recognised,
  // and the last image used by an earlier stage is returned.
  const last = stages[stages.length - 1];
  if (last === undefined) return null;
  return { source: "provenance", reference: last.reference, digest: last.digest };
}

/** Reads the OCI base image keys from manifest annotations or config labels; empty values count as absent. */
function baseFromKeys(
  source: "annotation" | "label",
  values: Readonly<Record<string, string>> | null | undefined,
  notes: string[],
): BaseImage | null {
  const where = source === "annotation" ? "manifest annotation" : "config label";
  const name = values?.[BASE_NAME_KEY]?.trim() ?? "";
  const digestText = values?.[BASE_DIGEST_KEY]?.trim() ?? "";
  if (name === "" && digestText === "") {
    notes.push(`there is no ${BASE_NAME_KEY} or ${BASE_DIGEST_KEY} ${where}`);
    return null;
  }

  let reference: string | null = null;
  let referenceDigest: string | null = null;
  if (name === SCRATCH) {
    reference = SCRATCH;
  } else if (name !== "") {
    try {
      const parsed = parseReference(name);
      reference = formatReference(parsed);
      referenceDigest = parsed.digest;
    } catch (error) {
      notes.push(`the ${BASE_NAME_KEY} ${where} is invalid: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  let digest: string | null = null;
  if (digestText !== "") {
    try {
      digest = parseDigest(digestText).value;
    } catch (error) {
      notes.push(`the ${BASE_DIGEST_KEY} ${where} is invalid: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  digest ??= referenceDigest;
  if (reference === null && digest === null) return null;
  return { source, reference, digest };
}

/**
 * Compares the image's diff ids with each known image's. A known image that
 * shares fewer layers than the image has ranks first. One that shares them all
 * is usually another tag or a rebuild of the image itself, so it is taken only
 * when nothing shorter matches (it may be a base with only config changes).
 * Then the longest shared prefix wins, then an exact base, then the reference
 * and digest in code-unit order, so that the result is stable.
 */
function baseFromLayers(input: BaseImageInput, notes: string[]): BaseImage | null {
  const diffIds = input.diffIds ?? [];
  const known = input.knownImages ?? [];
  if (diffIds.length === 0) {
    notes.push("the image's layer diff ids are not known");
    return null;
  }
  if (known.length === 0) {
    notes.push("no known images to compare layers with");
    return null;
  }

  const matches = known
    .filter((candidate) => candidate.digest !== input.imageDigest)
    .map((candidate) => ({ candidate, shared: sharedPrefixLength(candidate.diffIds, diffIds) }))
    .filter((match) => match.shared >= 1)
    .map((match) => ({ ...match, proper: match.shared < diffIds.length, exact: match.shared === match.candidate.diffIds.length }));

  if (matches.length === 0) {
    notes.push(`none of ${known.length} known images shares the image's first layer`);
    return null;
  }

  matches.sort(
    (a, b) =>
      Number(b.proper) - Number(a.proper) ||
      b.shared - a.shared ||
      Number(b.exact) - Number(a.exact) ||
      compareText(a.candidate.reference, b.candidate.reference) ||
      compareText(a.candidate.digest, b.candidate.digest),
  );
  const best = matches[0];
  if (best === undefined) return null;

  let reference = best.candidate.reference;
  try {
    reference = normalizeImageReference(reference);
  } catch {
    // Known images come from synced repositories, so a reference that does not parse is kept as stored.
  }
  return {
    source: "layers",
    reference,
    digest: best.candidate.digest,
    knownImage: { sharedLayers: best.shared, layerCount: best.candidate.diffIds.length, exact: best.exact },
  };
}

/** Returns `registry/repository` of a normalised reference, without tag or digest. */
function repositoryOf(reference: string): string {
  const parsed = parseReference(reference);
  return `${parsed.registry}/${parsed.repository}`;
}

function frontendRepository(image: string | null): string | null {
  if (image === null) return null;
  try {
    return repositoryOf(image);
  } catch {
    return null;
  }
}

function isPrefix(prefix: readonly string[], values: readonly string[]): boolean {
  return prefix.length <= values.length && prefix.every((value, index) => values[index] === value);
}

function sharedPrefixLength(a: readonly string[], b: readonly string[]): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length++;
  return length;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function invalidPurl(purl: string, reason: string): never {
  throw new AppError("INVALID_INPUT", `Invalid docker purl "${purl}": ${reason}.`, { details: { purl } });
}
