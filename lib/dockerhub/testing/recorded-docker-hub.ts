import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, beforeEach } from "vitest";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { sha256Digest } from "@/lib/registry/testing/push-image";
import { startStubServer, type StubServer } from "@/lib/registry/testing/stub-server";

/**
 * Loopback servers that respond like Docker Hub, with responses in the
 * formats Docker documents. One is the Hub API: `/v2/users/login` and the
 * paged `/v2/namespaces/{namespace}/repositories` and `.../tags`. The other
 * is the registry, standing in for registry-1.docker.io, whose bearer
 * challenge names its own `/token` as the realm in place of auth.docker.io.
 */

export const HUB_USER = "acme-ci";
export const HUB_TOKEN = "dckr_pat_recorded-test-token";

const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value));

/** One tiny image: a config and a manifest without layers. */
const config = json({ architecture: "amd64", os: "linux", created: "2026-11-01T10:00:00Z", config: { User: "app" }, rootfs: { type: "layers", diff_ids: [] } });
export const imageManifest = json({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256Digest(config), size: config.byteLength },
  layers: [],
});
export const imageDigest = sha256Digest(imageManifest);

/** Tags of each repository with their `tag_last_pushed` times. */
export const hubTags: Record<string, { name: string; pushed: string }[]> = {
  "acme/api": [
    { name: "1.0", pushed: "2026-11-02T08:00:00.000000Z" },
    { name: "latest", pushed: "2026-11-03T09:30:00.000000Z" },
  ],
  "acme/web": [{ name: "2.1", pushed: "2026-11-04T12:00:00.000000Z" }],
};

export interface HubBehaviour {
  /** JWTs issued so far; the first is `jwt-1`. */
  logins: number;
  /** JWTs that the API treats as expired (responds 401). */
  expiredJwts: Set<string>;
  /** Every JWT is rejected, as after the access token is revoked. */
  rejectAllJwts: boolean;
  /** A `next` link to another origin on the first repositories page. */
  foreignNextLink: boolean;
  /** `ratelimit-remaining` sent with manifest responses; null sends none. */
  registryRemaining: number | null;
}

export interface RecordedDockerHub {
  api: StubServer;
  registry: StubServer;
  behaviour: HubBehaviour;
  close(): Promise<void>;
}

export async function startRecordedDockerHub(): Promise<RecordedDockerHub> {
  const behaviour: HubBehaviour = { logins: 0, expiredJwts: new Set(), rejectAllJwts: false, foreignNextLink: false, registryRemaining: null };
  const api = await startStubServer((request, response, url) => handleApi(request, response, url, behaviour, apiUrl()));
  const apiUrl = () => api.url;
  const registry = await startStubServer((request, response, url) => handleRegistry(request, response, url, behaviour, registryUrl()));
  const registryUrl = () => registry.url;
  return {
    api,
    registry,
    behaviour,
    async close() {
      await api.close();
      await registry.close();
    },
  };
}

/**
 * Registers hooks that empty the database and start fresh recorded servers
 * before each test of the file, and close them after it. Returns a getter for the current servers.
 */
export function setUpRecordedDockerHub(): () => RecordedDockerHub {
  let hub: RecordedDockerHub | undefined;
  beforeEach(async () => {
    await resetDatabase();
    hub = await startRecordedDockerHub();
  });
  afterEach(async () => {
    await hub?.close();
  });
  return () => {
    if (!hub) throw new Error("The recorded Docker Hub starts before each test; call the getter inside a test.");
    return hub;
  };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL, behaviour: HubBehaviour, base: string): Promise<void> {
  if (request.method === "POST" && url.pathname === "/v2/users/login") {
    const body = JSON.parse(await readBody(request)) as { username?: string; password?: string };
    if (body.username !== HUB_USER || body.password !== HUB_TOKEN) {
      return send(response, 401, { detail: "Incorrect authentication credentials", message: "Incorrect authentication credentials" });
    }
    behaviour.logins += 1;
    return send(response, 200, { token: `jwt-${behaviour.logins}` });
  }

  const jwt = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
  if (!jwt || behaviour.rejectAllJwts || behaviour.expiredJwts.has(jwt)) {
    return send(response, 401, { detail: "Authentication credentials were not provided or the token has expired." });
  }
  const limitHeaders = { "x-ratelimit-limit": "180", "x-ratelimit-remaining": "179", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 60) };

  const repositories = /^\/v2\/namespaces\/([^/]+)\/repositories$/.exec(url.pathname);
  if (repositories?.[1] === "acme") {
    // Two pages of one repository each, linked by absolute `next` URLs as Docker Hub sends them.
    const page = Number(url.searchParams.get("page") ?? "1");
    const name = page === 1 ? "api" : "web";
    let next: string | null = page === 1 ? `${base}/v2/namespaces/acme/repositories?page=2&page_size=1` : null;
    if (behaviour.foreignNextLink && page === 1) next = "http://169.254.169.254/v2/namespaces/acme/repositories?page=2";
    return send(response, 200, { count: 2, next, previous: null, results: [{ name, namespace: "acme", repository_type: "image", status: 1, is_private: true, last_updated: "2026-11-04T12:00:00Z" }] }, limitHeaders);
  }

  const tags = /^\/v2\/namespaces\/([^/]+)\/repositories\/([^/]+)\/tags$/.exec(url.pathname);
  const listed = tags ? hubTags[`${tags[1]}/${tags[2]}`] : undefined;
  if (listed) {
    const results = listed.map((tag) => ({ name: tag.name, digest: imageDigest, tag_last_pushed: tag.pushed, last_updated: tag.pushed, tag_status: "active", images: [] }));
    return send(response, 200, { count: results.length, next: null, previous: null, results }, limitHeaders);
  }
  return send(response, 404, { message: "object not found", errinfo: {} });
}

function handleRegistry(request: IncomingMessage, response: ServerResponse, url: URL, behaviour: HubBehaviour, base: string): void {
  if (url.pathname === "/token") {
    const expected = `Basic ${Buffer.from(`${HUB_USER}:${HUB_TOKEN}`).toString("base64")}`;
    if (request.headers.authorization !== expected) return send(response, 401, { details: "incorrect username or password" });
    const scope = url.searchParams.get("scope") ?? "";
    return send(response, 200, { token: `registry-token ${scope}`, access_token: `registry-token ${scope}`, expires_in: 300, issued_at: new Date().toISOString() });
  }

  const scope = /^\/v2\/([^/]+\/[^/]+)\//.exec(url.pathname)?.[1];
  const expectedToken = scope ? `Bearer registry-token repository:${scope}:pull` : null;
  if (request.headers.authorization !== expectedToken && !(url.pathname === "/v2/" && request.headers.authorization?.startsWith("Bearer "))) {
    const challenge = scope
      ? `Bearer realm="${base}/token",service="registry.docker.io",scope="repository:${scope}:pull"`
      : `Bearer realm="${base}/token",service="registry.docker.io"`;
    return send(response, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }, { "www-authenticate": challenge });
  }
  if (url.pathname === "/v2/") return send(response, 200, {});

  const limit: Record<string, string> = behaviour.registryRemaining === null ? {} : { "ratelimit-limit": "100;w=21600", "ratelimit-remaining": `${behaviour.registryRemaining};w=21600` };
  const manifest = /^\/v2\/acme\/(api|web)\/manifests\/(1\.0|latest|2\.1|sha256:[0-9a-f]{64})$/.exec(url.pathname);
  if (manifest) {
    response.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "content-length": String(imageManifest.byteLength), "docker-content-digest": imageDigest, ...limit });
    response.end(request.method === "HEAD" ? undefined : Buffer.from(imageManifest));
    return;
  }
  if (/^\/v2\/acme\/(api|web)\/blobs\//.test(url.pathname) && url.pathname.endsWith(sha256Digest(config))) {
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(config.byteLength) });
    response.end(request.method === "HEAD" ? undefined : Buffer.from(config));
    return;
  }
  if (/\/referrers\//.test(url.pathname)) return send(response, 404, { errors: [{ code: "NOT_FOUND", message: "not found" }] });
  return send(response, 404, { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] });
}
