import { DistributionClient } from "@/lib/registry/distribution-client";
import type { DistributionClientOptions } from "@/lib/registry/client-options";
import type { Descriptor, ParsedManifest } from "@/lib/registry/manifest";
import { OciLayoutSource, type OciLayoutSourceOptions } from "@/lib/registry/oci-layout-source";
import type { PingResult } from "@/lib/registry/registry-auth";

export type { PingResult } from "@/lib/registry/registry-auth";

export interface ListOptions {
  /** Entries requested per page (`n`); the registry's default when unset. Ignored by OCI layouts. */
  pageSize?: number;
}

/** A manifest's identity from a HEAD request, without its content. */
export interface ManifestHead {
  digest: string;
  mediaType: string;
  /** Size in bytes. */
  size: number;
}

export interface ManifestContent {
  /** The digest of `bytes`: the requested digest, or sha256 for a tag. */
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  manifest: ParsedManifest;
}

export interface BlobStream {
  /**
   * The blob's bytes. The stream errors with AppError DIGEST_MISMATCH at its
   * end if they do not match the digest, so read it to the end.
   */
  stream: ReadableStream<Uint8Array>;
  /** Size in bytes when known before reading. */
  size: number | null;
}

/**
 * Source of images: an OCI Distribution registry or an OCI image layout
 * directory. Every method verifies content against its digest.
 */
export interface RegistrySource {
  /** Checks that the source is reachable and, for a registry, that the credentials work. */
  ping(): Promise<PingResult>;
  /** Lists repository names, page by page. */
  listRepositories(options?: ListOptions): AsyncIterable<string>;
  /** Lists a repository's tags. Raises AppError NOT_FOUND for an unknown repository. */
  listTags(repository: string, options?: ListOptions): Promise<string[]>;
  /** Returns a manifest's digest, media type and size, or null when the tag or digest does not exist. */
  headManifest(repository: string, reference: string): Promise<ManifestHead | null>;
  /** Fetches and parses a manifest or index by tag or digest. Raises AppError NOT_FOUND when it does not exist. */
  getManifest(repository: string, reference: string): Promise<ManifestContent>;
  /**
   * Lists the manifests that refer to a digest through the OCI 1.1 referrers API. Returns null when the
   * source has no such API; callers then read the `sha256-<hex>` tag of the referrers tag schema.
   */
  listReferrers?(repository: string, digest: string): Promise<Descriptor[] | null>;
  /** Returns the registry's last-push time of a tag from the latest `listTags`, for registries that record one (Docker Hub). */
  tagLastPushed?(repository: string, tag: string): Date | null;
  /** Returns when an exhausted rate-limit window resets, or null when requests may be sent (Docker Hub). */
  pausedUntil?(): Date | null;
  /** Fetches a small blob (a config or an attestation) whole, at most `maxBytes`. */
  getBlob(repository: string, digest: string, options?: { maxBytes?: number }): Promise<Uint8Array>;
  /** Opens a blob as a stream, for layers, which are never buffered whole. `size`, when given, is enforced. */
  openBlob(repository: string, digest: string, options?: { size?: number }): Promise<BlobStream>;
}

export type RegistrySourceConfig =
  | ({ kind: "distribution" } & DistributionClientOptions)
  | ({ kind: "oci-layout" } & OciLayoutSourceOptions);

/** Creates the source for a registry URL or an OCI layout path. */
export function createRegistrySource(config: RegistrySourceConfig): RegistrySource {
  if (config.kind === "oci-layout") {
    return new OciLayoutSource(config);
  }
  return new DistributionClient(config);
}
