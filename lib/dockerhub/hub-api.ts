import { z } from "zod";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { redactUrl } from "@/lib/registry/registry-error";
import { readBodyCapped, readBodyTruncated, MAX_SMALL_BODY_BYTES } from "@/lib/registry/response-body";
import type { RateLimit } from "@/lib/dockerhub/rate-limit";

/** Docker Hub's API, which lists namespaces' repositories and tags; the registry API has no catalog there. */
export const DOCKER_HUB_API_URL = "https://hub.docker.com";

export interface HubApiOptions {
  /** Base URL of the Hub API. Default https://hub.docker.com. */
  apiUrl?: string;
  /** Docker ID or organization name that owns the access token; anonymous when unset. */
  username?: string;
  /** A personal or organization access token (or the account password). */
  password?: string;
  /** Allows plain http, for a local server with recorded responses. */
  insecure?: boolean;
  rateLimit: RateLimit;
  /** Time limit per request in ms. Default 30000. */
  timeoutMs?: number;
  /** Replacement for the global fetch, such as one that rejects private addresses. */
  fetch?: typeof fetch;
}

export interface HubRepository {
  name: string;
  namespace: string;
}

export interface HubTag {
  name: string;
  /** The digest the tag points to; null for tags pushed before Docker Hub recorded it. */
  digest: string | null;
  lastPushed: Date | null;
}

/** Pages followed per listing, so `next` links that never end cannot keep a sync busy forever. */
const MAX_PAGES = 10_000;
const PAGE_SIZE = 100;
/** Largest page accepted, in bytes. A page of 100 repositories or tags is some 100 KiB. */
const MAX_PAGE_BYTES = 4 * 1024 * 1024;

const loginSchema = z.object({ token: z.string().min(1) });
const repositoryPageSchema = z.object({
  next: z.string().nullable().optional(),
  results: z.array(z.looseObject({ name: z.string(), namespace: z.string() })),
});
const tagPageSchema = z.object({
  next: z.string().nullable().optional(),
  results: z.array(
    z.looseObject({
      name: z.string(),
      digest: z.string().nullable().optional(),
      tag_last_pushed: z.string().nullable().optional(),
      last_updated: z.string().nullable().optional(),
    }),
  ),
});

/**
 * A client for the parts of the Docker Hub API that a sync needs. With
 * credentials it exchanges the access token for a JWT at `/v2/users/login`
 * and sends that as a bearer token. A JWT that expires mid-sync (401) is
 * replaced once per request; a second 401 raises REGISTRY_AUTH_FAILED.
 */
export class HubApi {
  private readonly apiUrl: URL;
  private jwt: string | null = null;

  constructor(private readonly options: HubApiOptions) {
    this.apiUrl = new URL(options.apiUrl ?? DOCKER_HUB_API_URL);
    if (this.apiUrl.protocol !== "https:" && !(this.apiUrl.protocol === "http:" && options.insecure)) {
      throw new AppError("CONFIGURATION", `The Docker Hub API URL ${redactUrl(this.apiUrl)} must use https. Use https, or mark the registry insecure for a local test server.`);
    }
    if (Boolean(options.username) !== Boolean(options.password)) {
      throw new AppError("CONFIGURATION", "Docker Hub needs a username and an access token together. Set both, or neither for public repositories.");
    }
  }

  /** Exchanges the access token for a JWT; raises REGISTRY_AUTH_FAILED when Docker Hub rejects it. */
  async login(): Promise<void> {
    if (!this.options.username || !this.options.password) return;
    const url = new URL("/v2/users/login", this.apiUrl);
    const response = await this.send(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: this.options.username, password: this.options.password }),
    });
    if (response.status === 401 || response.status === 403) {
      const reason = new TextDecoder().decode(await readBodyTruncated(response, 512));
      throw new AppError("REGISTRY_AUTH_FAILED", `Docker Hub rejected the access token of ${this.options.username} (HTTP ${response.status}: ${reason.slice(0, 200)}). Check that the token is active and has read access, or create a new one in Docker Hub's account settings.`);
    }
    const body = await this.readJson(response, url, "the login response");
    const parsed = loginSchema.safeParse(body);
    if (!parsed.success) throw new AppError("REGISTRY_ERROR", `Docker Hub's login response at ${redactUrl(url)} has no token. Check the Docker Hub API URL.`);
    this.jwt = parsed.data.token;
  }

  /** Lists a namespace's repositories through `/v2/namespaces/{namespace}/repositories`, page by page. */
  async *listRepositories(namespace: string): AsyncIterable<HubRepository> {
    const first = new URL(`/v2/namespaces/${encodeURIComponent(namespace)}/repositories`, this.apiUrl);
    first.searchParams.set("page_size", String(PAGE_SIZE));
    for await (const page of this.pages(first, repositoryPageSchema, `the repositories of ${namespace}`)) {
      yield* page.results.map((entry) => ({ name: entry.name, namespace: entry.namespace }));
    }
  }

  /** Lists a repository's tags with their digests and last-pushed times. Raises NOT_FOUND for an unknown repository. */
  async listTags(namespace: string, repository: string): Promise<HubTag[]> {
    const first = new URL(`/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(repository)}/tags`, this.apiUrl);
    first.searchParams.set("page_size", String(PAGE_SIZE));
    const tags: HubTag[] = [];
    for await (const page of this.pages(first, tagPageSchema, `the tags of ${namespace}/${repository}`)) {
      for (const entry of page.results) {
        const pushed = entry.tag_last_pushed ?? entry.last_updated ?? null;
        const time = pushed === null ? Number.NaN : Date.parse(pushed);
        tags.push({ name: entry.name, digest: entry.digest ?? null, lastPushed: Number.isNaN(time) ? null : new Date(time) });
      }
    }
    return tags;
  }

  private async *pages<T extends { next?: string | null }>(first: URL, schema: z.ZodType<T>, resource: string): AsyncGenerator<T> {
    let next: URL | null = first;
    for (let count = 0; next !== null; count += 1) {
      if (count === MAX_PAGES) throw new AppError("REGISTRY_ERROR", `Docker Hub's next-page links for ${resource} exceed ${MAX_PAGES} pages.`);
      const url: URL = next;
      const response = await this.authorizedGet(url);
      if (response.status === 404) {
        await response.body?.cancel();
        throw new AppError("NOT_FOUND", `Docker Hub has no ${resource} at ${redactUrl(url)}. Check the namespace and repository names.`);
      }
      const parsed = schema.safeParse(await this.readJson(response, url, resource));
      if (!parsed.success) {
        throw new AppError("REGISTRY_ERROR", `Docker Hub returned a malformed page of ${resource} at ${redactUrl(url)}: ${parsed.error.issues[0]?.message ?? "unknown shape"}.`);
      }
      yield parsed.data;
      next = parsed.data.next ? this.sameOriginNext(parsed.data.next, resource) : null;
    }
  }

  /** Sends a GET with the JWT, logging in first; a 401 logs in again once, because JWTs expire. */
  private async authorizedGet(url: URL): Promise<Response> {
    const hasCredentials = Boolean(this.options.username);
    if (hasCredentials && this.jwt === null) await this.login();
    const response = await this.send(url, { method: "GET", headers: this.authorization() });
    if (response.status !== 401 || !hasCredentials) return response;

    await response.body?.cancel();
    logger.info({ account: this.options.username, url: redactUrl(url) }, "Docker Hub JWT rejected; logging in again");
    await this.login();
    const retried = await this.send(url, { method: "GET", headers: this.authorization() });
    if (retried.status === 401) {
      await retried.body?.cancel();
      throw new AppError("REGISTRY_AUTH_FAILED", `Docker Hub rejected a fresh JWT of ${this.options.username} for ${redactUrl(url)}. Check that the access token may read this namespace.`);
    }
    return retried;
  }

  private authorization(): Record<string, string> {
    return this.jwt === null ? {} : { authorization: `Bearer ${this.jwt}` };
  }

  /** Sends one request after checking the rate limit, and records the limit headers of the response. */
  private async send(url: URL, init: RequestInit): Promise<Response> {
    this.options.rateLimit.check();
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, { ...init, redirect: "error", signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError("REGISTRY_UNREACHABLE", `Docker Hub's API at ${redactUrl(url)} could not be reached: ${(error as Error).message}. Check the Docker Hub API URL and the network.`, { cause: error });
    }
    this.options.rateLimit.observe(response, redactUrl(url));
    if (response.status === 429) {
      await response.body?.cancel();
      this.options.rateLimit.check();
      throw new AppError("REGISTRY_ERROR", `Docker Hub's API rate-limited ${redactUrl(url)} (HTTP 429). Try again later.`);
    }
    return response;
  }

  private async readJson(response: Response, url: URL, resource: string): Promise<unknown> {
    if (!response.ok) {
      const text = new TextDecoder().decode(await readBodyTruncated(response, MAX_SMALL_BODY_BYTES));
      throw new AppError("REGISTRY_ERROR", `Docker Hub returned HTTP ${response.status} for ${resource} at ${redactUrl(url)}: ${text.slice(0, 200)}`);
    }
    const bytes = await readBodyCapped(response, MAX_PAGE_BYTES, () => new AppError("TOO_LARGE", `Docker Hub's response for ${resource} exceeds ${MAX_PAGE_BYTES} bytes.`));
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new AppError("REGISTRY_ERROR", `Docker Hub returned invalid JSON for ${resource} at ${redactUrl(url)}.`);
    }
  }

  /** Parses a `next` link and rejects one on another origin, because the JWT is sent with it. */
  private sameOriginNext(link: string, resource: string): URL {
    const next = new URL(link, this.apiUrl);
    if (next.origin !== this.apiUrl.origin) {
      throw new AppError("REGISTRY_ERROR", `Docker Hub's next-page link for ${resource} points to ${redactUrl(next)}, outside ${this.apiUrl.origin}; it was not followed.`);
    }
    return next;
  }
}
