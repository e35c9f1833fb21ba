import { AppError } from "@/lib/errors";
import { redactUrl } from "@/lib/registry/registry-error";

/** One HTTP exchange, reported after its response arrives or its attempt fails. */
export interface RequestInfo {
  method: string;
  /** Request URL with credentials redacted. */
  url: string;
  /** Response status, or 0 when no response arrived (network error or timeout). */
  status: number;
}

export interface DistributionClientOptions {
  /** Base URL of the registry, e.g. `https://registry.example.com`; the API is under `<url>/v2/`. */
  url: string;
  /** User for Basic auth and for token requests; set together with `password`. */
  username?: string;
  password?: string;
  /**
   * Allows plain http to the registry and to its token realm. Default false.
   * NOTE: it does not skip TLS certificate checks; trust a private CA with NODE_EXTRA_CA_CERTS.
   */
  insecure?: boolean;
  /**
   * Time limit in ms per attempt. Default 30000. For a buffered response it
   * covers the whole response; for `openBlob` it covers the headers and then
   * each wait for the next chunk.
   */
  timeoutMs?: number;
  /** Retries after the first attempt of a GET or HEAD that failed with a network error, a timeout, 429 or 5xx. Default 3. */
  retries?: number;
  /** Backoff before the first retry in ms, doubled for each later retry, with jitter. Default 250. */
  retryBaseDelayMs?: number;
  /** Upper bound in ms for one backoff or `Retry-After` wait. Default 30000. */
  maxRetryDelayMs?: number;
  /** Largest manifest, tag list page or catalog page accepted, in bytes. Default 4 MiB. */
  maxManifestBytes?: number;
  /** Largest blob `getBlob` buffers (configs, attestations), in bytes. Default 16 MiB. */
  maxBlobBytes?: number;
  /** Called after every HTTP exchange, including token requests and redirects, so callers can count requests. */
  onRequest?: (info: RequestInfo) => void;
  /** Replacement for the global fetch, for tests. */
  fetch?: typeof fetch;
}

export interface ResolvedClientOptions {
  baseUrl: URL;
  credentials: { username: string; password: string } | null;
  insecure: boolean;
  timeoutMs: number;
  retries: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  maxManifestBytes: number;
  maxBlobBytes: number;
  onRequest: (info: RequestInfo) => void;
  fetch: typeof fetch;
}

const MIB = 1024 * 1024;

export const CLIENT_DEFAULTS = {
  insecure: false,
  timeoutMs: 30_000,
  retries: 3,
  retryBaseDelayMs: 250,
  maxRetryDelayMs: 30_000,
  maxManifestBytes: 4 * MIB,
  maxBlobBytes: 16 * MIB,
} as const;

/**
 * Applies the defaults to the client options and validates them once.
 * Raises AppError CONFIGURATION naming the option, for example an http URL
 * without `insecure`, a username without a password, or a non-positive limit.
 */
export function resolveClientOptions(options: DistributionClientOptions): ResolvedClientOptions {
  const baseUrl = parseBaseUrl(options.url, options.insecure ?? CLIENT_DEFAULTS.insecure);

  const username = options.username ?? "";
  const password = options.password ?? "";
  if ((username === "") !== (password === "")) {
    throw invalidOption(
      "REGISTRY_USERNAME and REGISTRY_PASSWORD must be set together: set both for authenticated access, or neither for anonymous access.",
    );
  }
  if (username.includes(":")) {
    throw invalidOption(`The registry username "${username}" contains ":", which Basic auth cannot encode. Check REGISTRY_USERNAME.`);
  }

  const resolved: ResolvedClientOptions = {
    baseUrl,
    credentials: username === "" ? null : { username, password },
    insecure: options.insecure ?? CLIENT_DEFAULTS.insecure,
    timeoutMs: wholeNumber("timeoutMs", options.timeoutMs ?? CLIENT_DEFAULTS.timeoutMs, 1, 10 * 60_000),
    retries: wholeNumber("retries", options.retries ?? CLIENT_DEFAULTS.retries, 0, 10),
    retryBaseDelayMs: wholeNumber("retryBaseDelayMs", options.retryBaseDelayMs ?? CLIENT_DEFAULTS.retryBaseDelayMs, 0, 60_000),
    maxRetryDelayMs: wholeNumber("maxRetryDelayMs", options.maxRetryDelayMs ?? CLIENT_DEFAULTS.maxRetryDelayMs, 0, 10 * 60_000),
    maxManifestBytes: wholeNumber("maxManifestBytes", options.maxManifestBytes ?? CLIENT_DEFAULTS.maxManifestBytes, 1, 1024 * MIB),
    maxBlobBytes: wholeNumber("maxBlobBytes", options.maxBlobBytes ?? CLIENT_DEFAULTS.maxBlobBytes, 1, 1024 * MIB),
    onRequest: options.onRequest ?? (() => {}),
    fetch: options.fetch ?? globalThis.fetch,
  };

  if (resolved.retryBaseDelayMs > resolved.maxRetryDelayMs) {
    throw invalidOption(
      `retryBaseDelayMs (${resolved.retryBaseDelayMs}) is larger than maxRetryDelayMs (${resolved.maxRetryDelayMs}); lower retryBaseDelayMs or raise maxRetryDelayMs.`,
    );
  }
  return resolved;
}

function parseBaseUrl(text: string, insecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidOption(`The registry URL "${redactUrl(text)}" is not an absolute URL. Set REGISTRY_URL to e.g. https://registry.example.com.`);
  }
  const redacted = redactUrl(url);

  if (url.protocol === "http:" && !insecure) {
    throw invalidOption(
      `The registry URL ${redacted} uses plain http, which sends credentials and images unencrypted. Use https, or set REGISTRY_INSECURE=true for a registry on a trusted network.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalidOption(`The registry URL ${redacted} must start with https:// (or http:// with REGISTRY_INSECURE=true).`);
  }
  if (url.username !== "" || url.password !== "") {
    throw invalidOption(`The registry URL ${redacted} contains credentials. Remove them from REGISTRY_URL and set REGISTRY_USERNAME and REGISTRY_PASSWORD instead.`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw invalidOption(`The registry URL ${redacted} contains a query or fragment. Set REGISTRY_URL to the registry's base URL only.`);
  }

  // Requests are built as `<base path>/v2/...`, so keep the base path without a trailing "/" or "/v2".
  url.pathname = url.pathname.replace(/\/+$/, "").replace(/\/v2$/, "");
  return url;
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(`The registry client option ${name} is ${value}; it must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

function invalidOption(message: string): AppError {
  return new AppError("CONFIGURATION", message);
}

/** Returns the URL of an API path such as `/v2/_catalog` under the registry's base URL, which may have a path prefix. */
export function registryEndpoint(baseUrl: URL, path: string): URL {
  const url = new URL(baseUrl);
  url.pathname = `${baseUrl.pathname.replace(/\/+$/, "")}${path}`;
  return url;
}
