import { DistributionClient } from "@/lib/registry/distribution-client";
import type { RequestInfo } from "@/lib/registry/client-options";
import type { Descriptor } from "@/lib/registry/manifest";
import type { BlobStream, ManifestContent, ManifestHead, PingResult, RegistrySource } from "@/lib/registry/registry-source";
import { AppError } from "@/lib/errors";
import { HubApi } from "@/lib/dockerhub/hub-api";
import { RateLimit } from "@/lib/dockerhub/rate-limit";

/** Docker Hub's registry endpoint; its bearer challenge names auth.docker.io as the token realm. */
export const DOCKER_HUB_REGISTRY_URL = "https://registry-1.docker.io";

export interface DockerHubSourceOptions {
  /** Namespaces (Docker IDs or organizations) whose repositories are listed. */
  namespaces: string[];
  /** Base URL of the Hub API. Default https://hub.docker.com. */
  apiUrl?: string;
  /** Base URL of the registry API. Default https://registry-1.docker.io. */
  registryUrl?: string;
  username?: string;
  /** A personal or organization access token. */
  password?: string;
  /** Allows plain http to the API, the registry and its token realm, for local servers with recorded responses. */
  insecure?: boolean;
  onRequest?: (info: RequestInfo) => void;
  /** Retries of a registry request after a 5xx or network error. Default 3. */
  retries?: number;
  /** Replacement for the global fetch for every API and registry request, such as one that rejects private addresses. */
  fetch?: typeof fetch;
}

/**
 * Docker Hub as a registry source: repositories and tags (with their
 * last-pushed times) from the Hub API, because Docker Hub has no `_catalog`,
 * and manifests and blobs from its registry with bearer tokens for each
 * repository's pull scope. Manifests are HEADed before any GET, because only
 * GETs count against Docker Hub's pull limit. Once a rate-limit window is
 * exhausted every request raises REGISTRY_ERROR until it resets, and
 * `pausedUntil` returns the reset time.
 */
export class DockerHubSource implements RegistrySource {
  private readonly hub: HubApi;
  private readonly registry: DistributionClient;
  private readonly rateLimit: RateLimit;
  private readonly lastPushed = new Map<string, Date>();

  constructor(private readonly options: DockerHubSourceOptions) {
    this.rateLimit = new RateLimit(options.username ?? "anonymous");
    this.hub = new HubApi({ apiUrl: options.apiUrl, username: options.username, password: options.password, insecure: options.insecure, rateLimit: this.rateLimit, fetch: options.fetch });
    const observingFetch: typeof fetch = async (input, init) => {
      this.rateLimit.check();
      const response = await (options.fetch ?? fetch)(input, init);
      this.rateLimit.observe(response, String(input instanceof Request ? input.url : input));
      return response;
    };
    this.registry = new DistributionClient({
      url: options.registryUrl ?? DOCKER_HUB_REGISTRY_URL,
      username: options.username,
      password: options.password,
      insecure: options.insecure,
      onRequest: options.onRequest,
      retries: options.retries,
      fetch: observingFetch,
    });
  }

  /** Logs in to the Hub API (when credentials are set) and pings the registry. */
  async ping(): Promise<PingResult> {
    await this.hub.login();
    return this.registry.ping();
  }

  async *listRepositories(): AsyncIterable<string> {
    for (const namespace of this.options.namespaces) {
      for await (const repository of this.hub.listRepositories(namespace)) yield `${repository.namespace}/${repository.name}`;
    }
  }

  /** Lists a repository's tags through the Hub API and keeps their last-pushed times for `tagLastPushed`. */
  async listTags(repository: string): Promise<string[]> {
    const [namespace, name, ...rest] = repository.split("/");
    if (!namespace || !name || rest.length > 0) {
      throw new AppError("INVALID_INPUT", `Invalid Docker Hub repository "${repository}": use NAMESPACE/NAME, as in acme/api.`);
    }
    const tags = await this.hub.listTags(namespace, name);
    for (const tag of tags) {
      if (tag.lastPushed) this.lastPushed.set(`${repository}:${tag.name}`, tag.lastPushed);
    }
    return tags.map((tag) => tag.name);
  }

  tagLastPushed(repository: string, tag: string): Date | null {
    return this.lastPushed.get(`${repository}:${tag}`) ?? null;
  }

  pausedUntil(): Date | null {
    return this.rateLimit.pausedUntil();
  }

  headManifest(repository: string, reference: string): Promise<ManifestHead | null> {
    return this.registry.headManifest(repository, reference);
  }

  getManifest(repository: string, reference: string): Promise<ManifestContent> {
    return this.registry.getManifest(repository, reference);
  }

  getBlob(repository: string, digest: string, options?: { maxBytes?: number }): Promise<Uint8Array> {
    return this.registry.getBlob(repository, digest, options);
  }

  openBlob(repository: string, digest: string, options?: { size?: number }): Promise<BlobStream> {
    return this.registry.openBlob(repository, digest, options);
  }

  listReferrers(repository: string, digest: string): Promise<Descriptor[] | null> {
    return this.registry.listReferrers(repository, digest);
  }
}
