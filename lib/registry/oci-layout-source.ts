import { createReadStream } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";

import { z } from "zod";

import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { CLIENT_DEFAULTS } from "@/lib/registry/client-options";
import { createDigestVerifier, verifyDigest } from "@/lib/registry/digest";
import { imageIndexSchema, parseManifest, type Descriptor } from "@/lib/registry/manifest";
import { parseDigest, parseManifestReference, validateRepositoryName, validateTag, type ParsedDigest } from "@/lib/registry/reference";
import type { PingResult } from "@/lib/registry/registry-auth";
import type { BlobStream, ManifestContent, ManifestHead, RegistrySource } from "@/lib/registry/registry-source";

/** Annotation that names an image in an OCI layout's index.json (OCI image spec, "Pre-Defined Annotation Keys"). */
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

export interface OciLayoutSourceOptions {
  /** The layout directory, containing `oci-layout`, `index.json` and `blobs/`. */
  path: string;
  /** Largest manifest or index.json read, in bytes. Default 4 MiB, as for registries. */
  maxManifestBytes?: number;
  /** Largest blob `getBlob` reads whole, in bytes. Default 16 MiB, as for registries. */
  maxBlobBytes?: number;
}

const layoutFileSchema = z.object({ imageLayoutVersion: z.string() });

/** Tags of each repository: repository → tag → descriptor from index.json. */
type LayoutIndex = Map<string, Map<string, Descriptor>>;

/**
 * Reads images from an OCI image layout directory, read-only, for air-gapped
 * mirrors, the CLI and the demo. One directory contains many repositories: each
 * entry of index.json names its image with the annotation
 * `org.opencontainers.image.ref.name` = `<repository>:<tag>` (`acme/api:1.0`).
 * Entries without a repository in that annotation are skipped with a warning.
 * Every blob read is checked against its digest, and digests map only to
 * files inside `blobs/`.
 */
export class OciLayoutSource implements RegistrySource {
  private readonly root: string;
  private readonly maxManifestBytes: number;
  private readonly maxBlobBytes: number;
  private readonly log = logger.child({ module: "registry", source: "oci-layout" });
  /** The last index.json read, keyed by its modification time and size, so skipped entries are logged once per change. */
  private cachedIndex: { key: string; index: LayoutIndex } | null = null;

  constructor(options: OciLayoutSourceOptions) {
    this.root = path.resolve(options.path);
    this.maxManifestBytes = positiveSize("maxManifestBytes", options.maxManifestBytes ?? CLIENT_DEFAULTS.maxManifestBytes);
    this.maxBlobBytes = positiveSize("maxBlobBytes", options.maxBlobBytes ?? CLIENT_DEFAULTS.maxBlobBytes);
  }

  /** Checks that the directory is an OCI image layout of version 1.x with a readable index.json. */
  async ping(): Promise<PingResult> {
    const layoutPath = path.join(this.root, "oci-layout");
    let layout: unknown;
    try {
      layout = JSON.parse(new TextDecoder().decode(await this.readFileCapped(layoutPath, 64 * 1024)));
    } catch (error) {
      throw new AppError(
        "REGISTRY_UNREACHABLE",
        `${this.root} is not a readable OCI image layout: ${layoutPath} is missing or not JSON (${describeError(error)}). Check the layout path.`,
        { cause: error, details: { path: this.root } },
      );
    }
    const parsed = layoutFileSchema.safeParse(layout);
    if (!parsed.success || !parsed.data.imageLayoutVersion.startsWith("1.")) {
      throw new AppError(
        "REGISTRY_ERROR",
        `${layoutPath} does not declare imageLayoutVersion 1.x, so ${this.root} is not a supported OCI image layout.`,
        { details: { path: this.root } },
      );
    }
    await this.readIndex();
    return { authScheme: "none" };
  }

  /** Yields the repositories named in index.json, sorted. Paging options are ignored, as the whole index is local. */
  async *listRepositories(): AsyncIterable<string> {
    const index = await this.readIndex();
    yield* [...index.keys()].sort();
  }

  /** Returns the repository's tags, sorted. Paging options are ignored, as the whole index is local. */
  async listTags(repository: string): Promise<string[]> {
    const tags = await this.repositoryTags(repository);
    return [...tags.keys()].sort();
  }

  async headManifest(repository: string, reference: string): Promise<ManifestHead | null> {
    validateRepositoryName(repository);
    const parsedReference = parseManifestReference(reference);
    const tags = (await this.readIndex()).get(repository);
    if (tags === undefined) return null;

    if (parsedReference.kind === "tag") {
      const descriptor = tags.get(parsedReference.tag);
      return descriptor === undefined ? null : { digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size };
    }

    const digest = parsedReference.digest;
    if (!(await this.blobExists(digest))) return null;
    const manifest = await this.getManifest(repository, digest.value);
    return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.byteLength };
  }

  async getManifest(repository: string, reference: string): Promise<ManifestContent> {
    const parsedReference = parseManifestReference(reference);
    const tags = await this.repositoryTags(repository);

    let digest: ParsedDigest;
    let descriptor: Descriptor | null = null;
    if (parsedReference.kind === "tag") {
      descriptor = tags.get(parsedReference.tag) ?? null;
      if (descriptor === null) {
        throw new AppError("NOT_FOUND", `Manifest ${repository}:${parsedReference.tag} was not found in the OCI layout ${this.root}.`, {
          details: { repository, reference },
        });
      }
      digest = this.descriptorDigest(descriptor);
    } else {
      digest = parsedReference.digest;
    }

    const bytes = await this.readBlob(repository, digest, this.maxManifestBytes, "maxManifestBytes");
    if (descriptor !== null && descriptor.size !== bytes.byteLength) {
      throw new AppError(
        "DIGEST_MISMATCH",
        `Manifest ${repository}:${reference} in ${this.root} is ${bytes.byteLength} bytes, but index.json lists a size of ${descriptor.size}. Copy the layout again.`,
        { details: { repository, digest: digest.value } },
      );
    }
    const manifest = parseManifest(bytes, descriptor?.mediaType ?? null, { repository, digest: digest.value });
    return { digest: digest.value, mediaType: manifest.mediaType, bytes, manifest };
  }

  async getBlob(repository: string, digest: string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    const parsedDigest = parseDigest(digest);
    await this.repositoryTags(repository);
    const maxBytes = positiveSize("maxBytes", options.maxBytes ?? this.maxBlobBytes);
    return this.readBlob(repository, parsedDigest, maxBytes, "maxBytes");
  }

  async openBlob(repository: string, digest: string, options: { size?: number } = {}): Promise<BlobStream> {
    const parsedDigest = parseDigest(digest);
    await this.repositoryTags(repository);
    const file = await this.blobPath(repository, parsedDigest);
    const fileSize = (await stat(file)).size;

    const nodeStream = createReadStream(file);
    const stream = (Readable.toWeb(nodeStream) as ReadableStream<Uint8Array>).pipeThrough(
      createDigestVerifier(parsedDigest, { repository, size: options.size ?? null }),
    );
    return { stream, size: options.size ?? fileSize };
  }

  /** Returns the tags of `repository`, raising NOT_FOUND when index.json names no such repository. */
  private async repositoryTags(repository: string): Promise<Map<string, Descriptor>> {
    validateRepositoryName(repository);
    const tags = (await this.readIndex()).get(repository);
    if (tags === undefined) {
      throw new AppError(
        "NOT_FOUND",
        `Repository ${repository} was not found in the OCI layout ${this.root}: no index.json entry has ${REF_NAME_ANNOTATION} "${repository}:<tag>".`,
        { details: { repository } },
      );
    }
    return tags;
  }

  private async readIndex(): Promise<LayoutIndex> {
    const indexPath = path.join(this.root, "index.json");
    let bytes: Uint8Array;
    let key: string;
    try {
      const info = await stat(indexPath);
      key = `${info.mtimeMs}:${info.size}`;
      if (this.cachedIndex?.key === key) {
        return this.cachedIndex.index;
      }
      bytes = await this.readFileCapped(indexPath, this.maxManifestBytes);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError("REGISTRY_UNREACHABLE", `Cannot read ${indexPath} (${describeError(error)}). Check the OCI layout path.`, {
        cause: error,
        details: { path: this.root },
      });
    }

    let document: unknown;
    try {
      document = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      document = undefined;
    }
    const parsed = imageIndexSchema.safeParse(document);
    if (!parsed.success) {
      throw new AppError("MALFORMED_MANIFEST", `${indexPath} is not valid JSON in the form of an OCI image index. Copy the layout again.`, {
        details: { path: this.root },
      });
    }

    const index: LayoutIndex = new Map();
    for (const descriptor of parsed.data.manifests) {
      const name = descriptor.annotations?.[REF_NAME_ANNOTATION];
      const entry = name === undefined ? null : splitRefName(name);
      if (entry === null) {
        this.log.warn({ path: this.root, digest: descriptor.digest, refName: name ?? null }, `skipping an index.json entry without a ${REF_NAME_ANNOTATION} of the form <repository>:<tag>`);
        continue;
      }
      const tags = index.get(entry.repository) ?? new Map<string, Descriptor>();
      if (tags.has(entry.tag)) {
        this.log.warn({ path: this.root, repository: entry.repository, tag: entry.tag }, "index.json names this tag twice; using the first entry");
        continue;
      }
      tags.set(entry.tag, descriptor);
      index.set(entry.repository, tags);
    }
    this.cachedIndex = { key, index };
    return index;
  }

  private descriptorDigest(descriptor: Descriptor): ParsedDigest {
    try {
      return parseDigest(descriptor.digest);
    } catch (error) {
      throw new AppError("MALFORMED_MANIFEST", `index.json in ${this.root} has an entry with the unsupported digest ${descriptor.digest}: only sha256 and sha512 can be verified.`, {
        cause: error,
      });
    }
  }

  private async readBlob(repository: string, digest: ParsedDigest, maxBytes: number, option: string): Promise<Uint8Array> {
    const file = await this.blobPath(repository, digest);
    const bytes = await this.readFileCapped(file, maxBytes, () => {
      return new AppError("TOO_LARGE", `Blob ${repository}@${digest.value} in ${this.root} is larger than the limit of ${maxBytes} bytes. Raise ${option} if it is legitimate.`, {
        details: { repository, digest: digest.value, maxBytes },
      });
    });
    verifyDigest(bytes, digest, repository);
    return bytes;
  }

  private async blobExists(digest: ParsedDigest): Promise<boolean> {
    try {
      await stat(path.join(this.root, "blobs", digest.algorithm, digest.encoded));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Returns the file of a blob. The digest grammar already allows only hex
   * names. Symbolic links are resolved too, and the result must be inside
   * `blobs/`, so a link planted in the layout cannot expose other files.
   */
  private async blobPath(repository: string, digest: ParsedDigest): Promise<string> {
    const blobsRoot = path.join(this.root, "blobs");
    const candidate = path.join(blobsRoot, digest.algorithm, digest.encoded);

    let resolved: string;
    let resolvedRoot: string;
    try {
      resolved = await realpath(candidate);
      resolvedRoot = await realpath(blobsRoot);
    } catch (error) {
      throw new AppError("NOT_FOUND", `Blob ${repository}@${digest.value} was not found in the OCI layout ${this.root} (${describeError(error)}). Copy the layout again.`, {
        cause: error,
        details: { repository, digest: digest.value },
      });
    }

    if (!resolved.startsWith(resolvedRoot + path.sep)) {
      throw new AppError("INVALID_INPUT", `Blob ${repository}@${digest.value} in ${this.root} resolves to ${resolved}, outside the layout's blobs directory. Remove the symbolic link.`, {
        details: { repository, digest: digest.value },
      });
    }
    return resolved;
  }

  private async readFileCapped(file: string, maxBytes: number, tooLarge?: () => AppError): Promise<Uint8Array> {
    const handle = await open(file, "r");
    try {
      const { size } = await handle.stat();
      const bytes = size > maxBytes ? null : await handle.readFile();
      if (bytes === null || bytes.byteLength > maxBytes) {
        throw tooLarge?.() ?? new AppError("TOO_LARGE", `${file} is larger than the limit of ${maxBytes} bytes.`, { details: { path: file, maxBytes } });
      }
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } finally {
      await handle.close();
    }
  }
}

/** Splits `acme/api:1.0` into repository and tag; returns null for a bare tag or an invalid name. */
function splitRefName(name: string): { repository: string; tag: string } | null {
  const separator = name.lastIndexOf(":");
  if (separator <= 0 || separator < name.lastIndexOf("/")) return null;
  const repository = name.slice(0, separator);
  const tag = name.slice(separator + 1);
  try {
    validateRepositoryName(repository);
    validateTag(tag);
  } catch {
    return null;
  }
  return { repository, tag };
}

function positiveSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new AppError("CONFIGURATION", `The OCI layout option ${name} is ${value}; it must be a positive whole number of bytes.`);
  }
  return value;
}

function describeError(error: unknown): string {
  if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.message : String(error);
}
