import { setTimeout as sleep } from "node:timers/promises";

import type { Logger } from "pino";
import { z } from "zod";

import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { registryEndpoint, resolveClientOptions, type DistributionClientOptions, type ResolvedClientOptions } from "@/lib/registry/client-options";
import { computeDigest, createDigestVerifier, verifyDigest } from "@/lib/registry/digest";
import { parseNextLink } from "@/lib/registry/link-header";
import { imageIndexSchema, MANIFEST_ACCEPT_TYPES, normalizeMediaType, parseManifest, type Descriptor } from "@/lib/registry/manifest";
import { parseDigest, parseManifestReference, validateRepositoryName, type ManifestReference, type ParsedDigest } from "@/lib/registry/reference";
import { RegistryAuth, type PingResult } from "@/lib/registry/registry-auth";
import { redactUrl, RegistryError } from "@/lib/registry/registry-error";
import { RegistryHttp, timeChunkReads, type AttemptContext } from "@/lib/registry/registry-http";
import type { BlobStream, ListOptions, ManifestContent, ManifestHead, RegistrySource } from "@/lib/registry/registry-source";
import { resumeAfterTransportFailure, streamFromOffset } from "@/lib/registry/resumable-stream";
import { discardBody, readBodyCapped } from "@/lib/registry/response-body";
import { retryDelayMs } from "@/lib/registry/retry-after";
import { statusError } from "@/lib/registry/status-error";

export type { DistributionClientOptions, RequestInfo } from "@/lib/registry/client-options";

/** Pages followed per listing, so a registry whose next links never end cannot keep the client busy forever. */
const MAX_PAGES = 10_000;

const MAX_PAGE_SIZE = 10_000;

const catalogPageSchema = z.object({ repositories: z.array(z.string()).nullable().optional() });
const tagsPageSchema = z.object({ tags: z.array(z.string()).nullable().optional() });

/** Response headers of a manifest request. */
interface ManifestHeaders {
  contentType: string | null;
  digest: ParsedDigest | null;
}

/**
 * A client for registries that speak the OCI Distribution API / Docker
 * Registry HTTP API V2 (CNCF distribution, Harbor, Zot, GHCR, Quay …).
 * Read-only: every request is a GET or HEAD, so every request may be retried.
 * Layers: RegistryHttp (timeouts, redirects, retries), RegistryAuth (Basic and
 * Bearer tokens), and this class (API paths, size caps, digest checks).
 */
export class DistributionClient implements RegistrySource {
  private readonly options: ResolvedClientOptions;
  private readonly log: Logger;
  private readonly auth: RegistryAuth;

  constructor(options: DistributionClientOptions) {
    this.options = resolveClientOptions(options);
    this.log = logger.child({ module: "registry", registry: redactUrl(this.options.baseUrl) });
    this.auth = new RegistryAuth(this.options, new RegistryHttp(this.options, this.log), this.log);
  }

  /** The registry's base URL, without credentials. */
  get url(): string {
    return redactUrl(this.options.baseUrl);
  }

  /**
   * Sends `GET /v2/` to discover the auth scheme and, when credentials are
   * configured, checks them. Raises REGISTRY_UNREACHABLE, REGISTRY_AUTH_FAILED
   * or REGISTRY_ERROR with a message saying what to fix.
   */
  ping(): Promise<PingResult> {
    return this.auth.ping();
  }

  /** Lists all repositories through `/v2/_catalog`, following the `Link` header from page to page. */
  async *listRepositories(options: ListOptions = {}): AsyncIterable<string> {
    const url = this.endpoint("/v2/_catalog");
    setPageSize(url, options.pageSize);

    const pages = this.pages(url, ["registry:catalog:*"], "the repository catalog", catalogPageSchema, {
      notFoundMessage: `The registry at ${this.url} does not offer the catalog API (/v2/_catalog returned 404), so repositories cannot be listed. Use a registry that enables it.`,
    });
    for await (const page of pages) {
      yield* page.repositories ?? [];
    }
  }

  /** Lists a repository's tags through `/v2/<name>/tags/list`, following `Link` headers. Raises NOT_FOUND for an unknown repository. */
  async listTags(repository: string, options: ListOptions = {}): Promise<string[]> {
    validateRepositoryName(repository);
    const url = this.endpoint(`/v2/${repository}/tags/list`);
    setPageSize(url, options.pageSize);

    const tags: string[] = [];
    const pages = this.pages(url, [pullScope(repository)], `the tags of ${repository}`, tagsPageSchema, {
      notFoundMessage: `Repository ${repository} was not found at ${this.url}. Check the repository name, or push an image to it first.`,
      details: { repository },
    });
    for await (const page of pages) {
      tags.push(...(page.tags ?? []));
    }
    return tags;
  }

  /**
   * Lists the manifests that refer to `digest` through the OCI 1.1 referrers
   * API (`/v2/<name>/referrers/<digest>`), following `Link` headers. A
   * registry with the API returns 200 for any digest of an existing repository
   * (OCI distribution spec 1.1, "Listing Referrers"), so a 404 means it has
   * none, and this returns null: read the `sha256-<hex>` tag then.
   */
  async listReferrers(repository: string, digest: string): Promise<Descriptor[] | null> {
    validateRepositoryName(repository);
    parseDigest(digest);
    const url = this.endpoint(`/v2/${repository}/referrers/${digest}`);
    const referrers: Descriptor[] = [];
    try {
      const pages = this.pages(url, [pullScope(repository)], `the referrers of ${repository}@${digest}`, imageIndexSchema, {
        notFoundMessage: `The registry at ${this.url} has no referrers API.`,
        details: { repository, digest },
      });
      for await (const page of pages) referrers.push(...page.manifests);
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND") return null;
      throw error;
    }
    return referrers;
  }

  /**
   * Sends HEAD for a manifest and returns its digest, media type and size, or
   * null when the tag or digest does not exist. When the registry rejects HEAD
   * (405) or its response lacks `Docker-Content-Digest`, a manifest media type
   * or `Content-Length`, the manifest is fetched with GET and its digest computed.
   */
  async headManifest(repository: string, reference: string): Promise<ManifestHead | null> {
    validateRepositoryName(repository);
    const parsedReference = parseManifestReference(reference);
    const url = this.endpoint(`/v2/${repository}/manifests/${reference}`);
    const resource = `manifest ${describeReference(repository, parsedReference)}`;

    const head = await this.auth.send(
      { method: "HEAD", url, headers: manifestAcceptHeaders(), followRedirects: true, timeout: "response" },
      [pullScope(repository)],
      resource,
      async (response, context) => {
        if (response.status === 404) {
          await discardBody(response);
          return null;
        }
        if (response.status === 405) {
          await discardBody(response);
          return { contentType: null, digest: null, size: Number.NaN, url: context.url };
        }
        if (!response.ok) {
          throw await statusError(response, context.url, this.requestContext(resource, context, { repository, reference }));
        }
        await discardBody(response);
        const size = Number(response.headers.get("content-length") ?? Number.NaN);
        return { ...this.readManifestHeaders(response, context.url), size, url: context.url };
      },
    );
    if (head === null) {
      return null;
    }

    if (head.digest !== null && parsedReference.kind === "digest") {
      checkHeaderDigest(head.digest, parsedReference.digest, repository, head.url);
    }

    const mediaType = head.contentType;
    const knownType = mediaType !== null && MANIFEST_ACCEPT_TYPES.includes(mediaType);
    if (head.digest !== null && knownType && Number.isInteger(head.size) && head.size >= 0) {
      return { digest: head.digest.value, mediaType, size: head.size };
    }

    this.log.debug({ repository, reference, url: redactUrl(head.url) }, "HEAD was rejected or lacks digest, media type or size; fetching the manifest");
    try {
      const manifest = await this.getManifest(repository, reference);
      return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.byteLength };
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND") {
        this.log.debug({ repository, reference }, "manifest disappeared between HEAD and GET");
        return null;
      }
      throw error;
    }
  }

  /**
   * Fetches and parses a manifest or index. The body is capped at
   * `maxManifestBytes` (TOO_LARGE). The bytes are checked against `reference`
   * when it is a digest, and against `Docker-Content-Digest` when the registry
   * sends one (DIGEST_MISMATCH). The returned digest is the requested one, or
   * else the sha256 of the bytes.
   */
  async getManifest(repository: string, reference: string): Promise<ManifestContent> {
    validateRepositoryName(repository);
    const parsedReference = parseManifestReference(reference);
    const url = this.endpoint(`/v2/${repository}/manifests/${reference}`);
    const described = describeReference(repository, parsedReference);
    const resource = `manifest ${described}`;

    const fetched = await this.auth.send(
      { method: "GET", url, headers: manifestAcceptHeaders(), followRedirects: true, timeout: "response" },
      [pullScope(repository)],
      resource,
      async (response, context) => {
        if (!response.ok) {
          throw await statusError(response, context.url, {
            ...this.requestContext(resource, context, { repository, reference }),
            notFoundMessage: `Manifest ${described} was not found at ${this.url}. The tag or digest does not exist or was deleted.`,
          });
        }
        const bytes = await readBodyCapped(
          response,
          this.options.maxManifestBytes,
          () => tooLarge(`Manifest ${described}`, context.url, this.options.maxManifestBytes, "maxManifestBytes"),
        );
        return { bytes, ...this.readManifestHeaders(response, context.url), url: context.url };
      },
    );

    let digest: string;
    if (parsedReference.kind === "digest") {
      verifyDigest(fetched.bytes, parsedReference.digest, repository, fetched.url);
      digest = parsedReference.digest.value;
    } else {
      digest = computeDigest(fetched.bytes);
    }
    if (fetched.digest !== null) {
      verifyDigest(fetched.bytes, fetched.digest, repository, fetched.url);
    }

    const manifest = withUrl(fetched.url, () => parseManifest(fetched.bytes, fetched.contentType, { repository, digest }));
    return { digest, mediaType: manifest.mediaType, bytes: fetched.bytes, manifest };
  }

  /**
   * Fetches a blob whole, following redirects to blob storage, and verifies its
   * digest (DIGEST_MISMATCH). `maxBytes` defaults to `maxBlobBytes`; a larger
   * blob raises TOO_LARGE. Use `openBlob` for layers.
   */
  async getBlob(repository: string, digest: string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    validateRepositoryName(repository);
    const parsedDigest = parseDigest(digest);
    const maxBytes = options.maxBytes ?? this.options.maxBlobBytes;
    if (!Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new AppError("INVALID_INPUT", `maxBytes for blob ${repository}@${digest} is ${maxBytes}; it must be a positive whole number of bytes.`);
    }
    const url = this.endpoint(`/v2/${repository}/blobs/${digest}`);
    const resource = `blob ${repository}@${digest}`;

    const fetched = await this.auth.send(
      { method: "GET", url, headers: new Headers(), followRedirects: true, timeout: "response" },
      [pullScope(repository)],
      resource,
      async (response, context) => {
        if (!response.ok) throw await this.blobStatusError(response, context, repository, digest);
        const bytes = await readBodyCapped(response, maxBytes, () => tooLarge(`Blob ${repository}@${digest}`, context.url, maxBytes, "maxBytes"));
        return { bytes, url: context.url };
      },
    );

    verifyDigest(fetched.bytes, parsedDigest, repository, fetched.url);
    return fetched.bytes;
  }

  /**
   * Opens a blob as a stream without buffering it. The stream checks the
   * digest, and `size` when given, as it ends. `timeoutMs` limits the wait for
   * the headers and then each wait for the next chunk. When the body breaks
   * off (a reset, a truncated or stalled body), the stream requests the rest
   * with a `Range` header and goes on, at most `retries` times.
   */
  async openBlob(repository: string, digest: string, options: { size?: number } = {}): Promise<BlobStream> {
    validateRepositoryName(repository);
    const parsedDigest = parseDigest(digest);
    const expectedSize = options.size ?? null;
    if (expectedSize !== null && (!Number.isInteger(expectedSize) || expectedSize < 0)) {
      throw new AppError("INVALID_INPUT", `size for blob ${repository}@${digest} is ${expectedSize}; it must be a whole number of bytes.`);
    }
    const url = this.endpoint(`/v2/${repository}/blobs/${digest}`);
    const resource = `blob ${repository}@${digest}`;

    // Attempts of every request for this blob, so the error after the last resume counts them all.
    let attemptsSoFar = 0;
    const open = (offset: number) =>
      this.auth.send(
        { method: "GET", url, headers: offset === 0 ? new Headers() : new Headers({ range: `bytes=${offset}-` }), followRedirects: true, timeout: "headers" },
        [pullScope(repository)],
        resource,
        async (response, context) => {
          if (!response.ok) throw await this.blobStatusError(response, context, repository, digest);
          const declared = Number(response.headers.get("content-length") ?? Number.NaN);
          const body = response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
          const attempts = attemptsSoFar + context.attempts;
          attemptsSoFar = attempts;
          const timed = timeChunkReads(body, context.timer, context.url, this.options.timeoutMs, attempts);
          return { stream: streamFromOffset(response, timed, offset, context.url), declared, url: context.url };
        },
      );

    const first = await open(0);
    const knownSize = expectedSize ?? (Number.isInteger(first.declared) ? first.declared : null);
    const resumable = resumeAfterTransportFailure(first.stream, {
      maxResumes: this.options.retries,
      reopen: async (offset) => {
        // Every byte arrived and only the end of the response was lost, so nothing is left to request. The digest check decides.
        if (knownSize !== null && offset >= knownSize) return new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
        return (await open(offset)).stream;
      },
      beforeResume: async (resume, offset, error) => {
        const delayMs = retryDelayMs(resume - 1, null, { baseDelayMs: this.options.retryBaseDelayMs, maxDelayMs: this.options.maxRetryDelayMs });
        this.log.warn({ repository, digest, offset, resume, maxResumes: this.options.retries, delayMs, err: error }, "blob stream broke off, requesting the rest");
        await sleep(delayMs);
      },
    });
    const stream = resumable.pipeThrough(createDigestVerifier(parsedDigest, { repository, url: first.url, size: expectedSize }));
    return { stream, size: knownSize };
  }

  /** Yields each page of a paged listing, following `rel="next"` links on the registry's own origin. */
  private async *pages<T>(
    first: URL,
    scopes: string[],
    resource: string,
    schema: z.ZodType<T>,
    extra: { notFoundMessage: string; details?: Record<string, unknown> },
  ): AsyncGenerator<T> {
    const seen = new Set<string>();
    let next: URL | null = first;

    while (next !== null) {
      const url: URL = next;
      if (seen.has(url.href) || seen.size === MAX_PAGES) {
        throw new RegistryError(
          "REGISTRY_ERROR",
          `The registry's next-page links for ${resource} at ${this.url} repeat or exceed ${MAX_PAGES} pages. Check the registry; a page size (pageSize) may help.`,
          { url },
        );
      }
      seen.add(url.href);

      const page: { body: T; next: URL | null } = await this.auth.send(
        { method: "GET", url, headers: new Headers({ accept: "application/json" }), followRedirects: true, timeout: "response" },
        scopes,
        resource,
        async (response, context) => {
          if (!response.ok) {
            throw await statusError(response, context.url, { ...this.requestContext(resource, context, extra.details ?? {}), notFoundMessage: extra.notFoundMessage });
          }
          const bytes = await readBodyCapped(response, this.options.maxManifestBytes, () =>
            tooLarge(`A page of ${resource}`, context.url, this.options.maxManifestBytes, "maxManifestBytes"),
          );
          const body = parseJsonBody(bytes, schema, resource, context.url);
          const link = withUrl(context.url, () => parseNextLink(response.headers.get("link"), context.url));
          return { body, next: link };
        },
      );
      yield page.body;

      if (page.next !== null && page.next.origin !== this.options.baseUrl.origin) {
        throw new RegistryError(
          "REGISTRY_ERROR",
          `The registry's next-page link for ${resource} points to another origin (${redactUrl(page.next)}), which would receive the registry credentials. Check the registry's configuration.`,
          { url },
        );
      }
      next = page.next;
    }
  }

  private readManifestHeaders(response: Response, url: URL): ManifestHeaders {
    const header = response.headers.get("docker-content-digest");
    let digest: ParsedDigest | null = null;
    if (header !== null) {
      try {
        digest = parseDigest(header.trim());
      } catch {
        this.log.warn({ url: redactUrl(url), header }, "ignoring an unsupported Docker-Content-Digest header");
      }
    }
    return { contentType: normalizeMediaType(response.headers.get("content-type")), digest };
  }

  private blobStatusError(response: Response, context: AttemptContext, repository: string, digest: string): Promise<RegistryError> {
    return statusError(response, context.url, {
      ...this.requestContext(`blob ${repository}@${digest}`, context, { repository, digest }),
      notFoundMessage: `Blob ${repository}@${digest} was not found at ${this.url}. The image is incomplete in the registry; push it again.`,
    });
  }

  private requestContext(resource: string, context: AttemptContext, details: Record<string, unknown>) {
    return { resource, username: this.options.credentials?.username ?? null, attempts: context.attempts, details };
  }

  private endpoint(path: string): URL {
    return registryEndpoint(this.options.baseUrl, path);
  }
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function manifestAcceptHeaders(): Headers {
  return new Headers({ accept: MANIFEST_ACCEPT_TYPES.join(", ") });
}

function describeReference(repository: string, reference: ManifestReference): string {
  return reference.kind === "digest" ? `${repository}@${reference.digest.value}` : `${repository}:${reference.tag}`;
}

function setPageSize(url: URL, pageSize: number | undefined): void {
  if (pageSize === undefined) return;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new AppError("INVALID_INPUT", `pageSize is ${pageSize}; it must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  url.searchParams.set("n", String(pageSize));
}

/** Raises DIGEST_MISMATCH when the registry's digest header names other content than the requested digest. */
function checkHeaderDigest(header: ParsedDigest, requested: ParsedDigest, repository: string, url: URL): void {
  if (header.algorithm === requested.algorithm && header.value !== requested.value) {
    throw new RegistryError(
      "DIGEST_MISMATCH",
      `The registry returned a manifest with digest ${header.value} for the request of ${repository}@${requested.value}. Check the registry and any proxy in between.`,
      { url, details: { repository, expected: requested.value, actual: header.value } },
    );
  }
}

function tooLarge(subject: string, url: URL, maxBytes: number, option: string): RegistryError {
  return new RegistryError(
    "TOO_LARGE",
    `${subject} at ${redactUrl(url)} is larger than the limit of ${maxBytes} bytes. Raise the client's ${option} if the content is legitimate.`,
    { url, details: { maxBytes } },
  );
}

function parseJsonBody<T>(bytes: Uint8Array, schema: z.ZodType<T>, resource: string, url: URL): T {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    document = undefined;
  }
  const result = schema.safeParse(document);
  if (!result.success) {
    throw new RegistryError("REGISTRY_ERROR", `The registry's response for ${resource} at ${redactUrl(url)} is not the JSON the registry API defines. Check the registry.`, { url });
  }
  return result.data;
}

/** Runs `parse` and re-raises its AppError as a RegistryError that also carries `url`. */
function withUrl<T>(url: URL, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AppError && !(error instanceof RegistryError)) {
      throw new RegistryError(error.code, error.message, { url, cause: error, details: error.details });
    }
    throw error;
  }
}
