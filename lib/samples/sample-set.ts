import { AppError } from "@/lib/errors";
import type { BuiltImage, BuiltIndex } from "@/lib/samples/image-builder";

/** A tag and the manifest or index it points at. */
export interface SampleTag {
  /** Repository name with its organization, for example `demo/web`. */
  repository: string;
  tag: string;
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  /** Position in push order, from 0; a later push has a higher number. */
  pushedOrder: number;
}

/**
 * Images ready to push: first every blob, then every entry of `manifests` by
 * digest in map order, then the tags in `pushedOrder`. `manifests` holds the
 * manifests that indexes reference (platform images before attestations), so
 * each exists before an index that lists it.
 */
export interface SampleSet {
  blobs: Map<string, Uint8Array>;
  tags: SampleTag[];
  manifests: Map<string, { mediaType: string; bytes: Uint8Array }>;
}

// Repository and tag grammar of the OCI distribution specification.
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function createSampleSet(): SampleSet {
  return { blobs: new Map(), tags: [], manifests: new Map() };
}

/** Adds `built` under `repository:tag` as the next push, with all its blobs and child manifests. */
export function addSampleTag(set: SampleSet, repository: string, tag: string, built: BuiltImage | BuiltIndex): SampleTag {
  if (!REPOSITORY_NAME.test(repository)) {
    throw new AppError(
      "INVALID_INPUT",
      `Invalid repository name "${repository}": use lowercase letters and digits in components separated by "/", ".", "_" or "-".`,
    );
  }
  if (!TAG_NAME.test(tag)) {
    throw new AppError(
      "INVALID_INPUT",
      `Invalid tag "${tag}": use up to 128 letters, digits, "_", "." or "-", not starting with "." or "-".`,
    );
  }
  if (set.tags.some((existing) => existing.repository === repository && existing.tag === tag)) {
    throw new AppError("CONFLICT", `Tag ${repository}:${tag} is already in the sample set: give each tag once.`);
  }

  for (const [digest, bytes] of built.blobs) set.blobs.set(digest, bytes);
  if ("manifests" in built) {
    for (const [digest, manifest] of built.manifests) {
      set.manifests.set(digest, { mediaType: manifest.mediaType, bytes: manifest.bytes });
    }
  }

  const sampleTag: SampleTag = {
    repository,
    tag,
    digest: built.manifest.digest,
    mediaType: built.manifest.mediaType,
    bytes: built.manifest.bytes,
    pushedOrder: set.tags.length,
  };
  set.tags.push(sampleTag);
  return sampleTag;
}
