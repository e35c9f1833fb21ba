import { z } from "zod";

import { AppError, type ErrorCode } from "@/lib/errors";
import { hideUrlCredentials } from "@/lib/security/hide-credentials";
import { parsePolicyConfig, PolicyConfigError, type PolicyConfig } from "@/scoring";
import { parseOsvRecord, type OsvRecord } from "@/scoring/advisories";

/**
 * Client of the /api/v1 endpoints that `shipshape score --server` needs. Every
 * failure becomes an AppError whose message names the URL and the fix; the
 * token never appears in a message.
 */

export interface ApiClientOptions {
  /** Time allowed for each request, in milliseconds. Default 30,000. */
  timeoutMs?: number;
}

export interface ServerPolicyConfiguration {
  version: number;
  configuration: PolicyConfig;
}

export interface ServerAdvisories {
  /** The advisory import the records come from; null when the server has imported none. */
  snapshotId: string | null;
  /** The records that name any of the packages, parsed as the server's matching parses them, sorted by id. */
  records: OsvRecord[];
  /** Publication time of each record by id, ISO 8601, or null when the record gives none. */
  published: Map<string, string | null>;
  /** CVE ids of the records that are in CISA's Known Exploited Vulnerabilities catalog. */
  knownExploited: Set<string>;
  /** Ids of records that no longer pass the OSV schema. The server's own matching skips them too. */
  unreadable: string[];
  /** Each readable record as the server sent it, by id, for a local store to import. */
  documents: Map<string, unknown>;
}

/** Package names per request; the server accepts up to 5,000. */
const PACKAGES_PER_REQUEST = 2000;

const DEFAULT_TIMEOUT_MS = 30_000;

const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const policyResponseSchema = z.object({ version: z.int().min(1), configuration: z.unknown() });
const advisoryResponseSchema = z.object({
  snapshotId: z.string().nullable(),
  advisories: z.array(z.object({ id: z.string(), published: z.string().nullable(), record: z.unknown() })),
  knownExploited: z.array(z.string()),
});

/** Fetches an organization's current policy configuration, so a local grade uses the dashboard's weights and options. */
export async function fetchPolicyConfiguration(serverUrl: string, token: string, org: string, options: ApiClientOptions = {}): Promise<ServerPolicyConfiguration> {
  const url = endpointUrl(serverUrl, `orgs/${encodeURIComponent(org)}/policy-configuration`);
  const body = policyResponseSchema.safeParse(await requestJson(url, token, { method: "GET" }, options));
  if (!body.success) throw unexpectedShape(url, body.error);
  try {
    const configuration = parsePolicyConfig(body.data.configuration);
    return { version: body.data.version, configuration };
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    throw new AppError("SERVER_ERROR", `The policy configuration from ${displayUrl(url)} is not one this version of Shipshape reads: ${error.message} Use the same Shipshape version as the server.`, { cause: error });
  }
}

/**
 * Fetches the advisories that name any of the packages, in batches of
 * PACKAGES_PER_REQUEST. Each package is named as advisories file it: the OSV
 * ecosystem with its release and the advisory package name.
 */
export async function queryAdvisories(serverUrl: string, token: string, packages: readonly { ecosystem: string; name: string }[], options: ApiClientOptions = {}): Promise<ServerAdvisories> {
  const url = endpointUrl(serverUrl, "advisories/query");
  const unique = [...new Map(packages.map(({ ecosystem, name }) => [`${ecosystem}\u0000${name}`, { ecosystem, name }])).values()];
  const result: ServerAdvisories = { snapshotId: null, records: [], published: new Map(), knownExploited: new Set(), unreadable: [], documents: new Map() };
  const byId = new Map<string, OsvRecord>();

  for (let start = 0; start < unique.length; start += PACKAGES_PER_REQUEST) {
    const batch = unique.slice(start, start + PACKAGES_PER_REQUEST);
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ packages: batch }) };
    const body = advisoryResponseSchema.safeParse(await requestJson(url, token, init, options));
    if (!body.success) throw unexpectedShape(url, body.error);

    // NOTE: an import that finishes between two batches gives them different snapshot ids; the last one is kept.
    result.snapshotId = body.data.snapshotId;
    for (const cveId of body.data.knownExploited) result.knownExploited.add(cveId);
    for (const advisory of body.data.advisories) {
      if (byId.has(advisory.id) || result.unreadable.includes(advisory.id)) continue;
      const parsed = parseOsvRecord(advisory.record);
      if (!("record" in parsed)) {
        result.unreadable.push(advisory.id);
        continue;
      }
      byId.set(advisory.id, parsed.record);
      result.published.set(advisory.id, advisory.published);
      result.documents.set(advisory.id, advisory.record);
    }
  }
  result.records = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return result;
}

/** Resolves an endpoint below the server's /api/v1, rejecting a server URL that is not http(s) or carries credentials. */
function endpointUrl(serverUrl: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(serverUrl);
  } catch {
    throw new AppError("INVALID_INPUT", `The server URL "${hideUrlCredentials(serverUrl)}" is not a valid URL. Give the dashboard's address, such as https://shipshape.example.com.`);
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new AppError("INVALID_INPUT", `The server URL "${displayUrl(base)}" does not use http or https. Give the dashboard's address, such as https://shipshape.example.com.`);
  }
  if (base.username !== "" || base.password !== "") {
    throw new AppError("INVALID_INPUT", `The server URL "${displayUrl(base)}" contains a user name or password. Remove them: the API token authenticates every request.`);
  }
  const prefix = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  return new URL(`${prefix}api/v1/${path}`, base.origin);
}

/** Formats a URL for messages: without credentials, query or fragment. */
function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Sends one request and returns its parsed JSON body, turning every failure into an AppError naming the URL. */
async function requestJson(url: URL, token: string, init: RequestInit, options: ApiClientOptions): Promise<unknown> {
  const shownUrl = displayUrl(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), Accept: "application/json", Authorization: `Bearer ${token}` },
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw new AppError("TIMEOUT", `The Shipshape server at ${shownUrl} did not respond within ${timeoutMs} ms. Check that the server is running, or try again later.`, { cause: error });
    }
    const reason = networkReason(error);
    throw new AppError("SERVER_UNREACHABLE", `Could not reach the Shipshape server at ${shownUrl}: ${reason}. Check the --server URL and that the server is running and reachable from here.`, { cause: error });
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const kind = response.ok ? "is not valid JSON" : `is HTTP ${response.status} without a JSON error`;
    throw new AppError("SERVER_ERROR", `The response from ${shownUrl} ${kind}. Check that --server names a Shipshape server with the /api/v1 API, not a proxy or another site.`);
  }
  if (response.ok) return body;

  const error = errorBodySchema.safeParse(body);
  const serverMessage = error.success ? error.data.error.message : `HTTP ${response.status}`;
  throw new AppError(statusCode(response.status), `${shownUrl} returned HTTP ${response.status}: ${serverMessage}${fixFor(response.status)}`);
}

/** Returns the fix for an error status that the server's own message does not give. */
function fixFor(status: number): string {
  if (status === 401) return " Check the token given to the command.";
  if (status === 404) return " Check the organization name, and that the token's user is a member of it.";
  if (status >= 500) return " Try again later, or ask the server's administrator to check its log.";
  return "";
}

function statusCode(status: number): ErrorCode {
  if (status === 400) return "INVALID_INPUT";
  if (status === 401) return "UNAUTHORIZED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  if (status === 413) return "TOO_LARGE";
  return "SERVER_ERROR";
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function unexpectedShape(url: URL, error: z.ZodError): AppError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join(".") : "the body";
  return new AppError("SERVER_ERROR", `The response from ${displayUrl(url)} does not have the expected shape at ${where}: ${issue?.message ?? "unknown problem"}. Use the same Shipshape version as the server.`);
}
