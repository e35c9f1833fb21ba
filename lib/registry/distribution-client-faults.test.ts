import type { IncomingMessage, ServerResponse } from "node:http";

import { afterEach, describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { computeDigest } from "@/lib/registry/digest";
import { DistributionClient, type DistributionClientOptions, type RequestInfo } from "@/lib/registry/distribution-client";
import { MediaType } from "@/lib/registry/manifest";
import { RegistryError } from "@/lib/registry/registry-error";
import { loopbackOnlyFetch, startStubServer, type StubHandler, type StubServer } from "@/lib/registry/testing/stub-server";

const encoder = new TextEncoder();

const MANIFEST = encoder.encode(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: `sha256:${"a".repeat(64)}`, size: 10 },
    layers: [],
  }),
);
const MANIFEST_DIGEST = computeDigest(MANIFEST);
const BLOB = encoder.encode("the real blob content");
const BLOB_DIGEST = computeDigest(BLOB);
const TAMPERED = encoder.encode("the evil blob content!");

const servers: StubServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Starts a stub registry; requests its handler leaves unanswered get 200 for `/v2/` and 404 otherwise. */
async function stub(handler: StubHandler): Promise<StubServer> {
  const server = await startStubServer(async (request, response, url) => {
    await handler(request, response, url);
    if (response.headersSent) return;
    if (url.pathname === "/v2/") {
      json(response, 200, {});
    } else {
      json(response, 404, { errors: [{ code: "NOT_FOUND", message: `no stub route for ${url.pathname}` }] });
    }
  });
  servers.push(server);
  return server;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = encoder.encode(JSON.stringify(body));
  response.writeHead(status, { "content-type": "application/json", "content-length": String(bytes.byteLength), ...headers });
  response.end(bytes);
}

function sendManifest(response: ServerResponse, bytes: Uint8Array, headers: Record<string, string> = {}): void {
  response.writeHead(200, { "content-type": MediaType.ociManifest, "content-length": String(bytes.byteLength), ...headers });
  response.end(bytes);
}

function client(server: StubServer, options: Partial<DistributionClientOptions> = {}, requests: RequestInfo[] = []): DistributionClient {
  return new DistributionClient({
    url: server.url,
    insecure: true,
    retryBaseDelayMs: 1,
    fetch: loopbackOnlyFetch,
    onRequest: (info) => requests.push(info),
    ...options,
  });
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

function pathRequests(server: StubServer, pathPrefix: string) {
  return server.requests.filter((request) => request.path.startsWith(pathPrefix));
}

describe("DistributionClient retries", () => {
  it("retries 429 with Retry-After, then succeeds", async () => {
    let calls = 0;
    const server = await stub((_request, response, url) => {
      if (url.pathname === "/v2/acme/api/manifests/1.0") {
        calls += 1;
        if (calls === 1) {
          json(response, 429, { errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }, { "retry-after": "0" });
        } else {
          sendManifest(response, MANIFEST);
        }
      }
    });
    const requests: RequestInfo[] = [];

    const result = await client(server, {}, requests).getManifest("acme/api", "1.0");

    expect(result.digest).toBe(MANIFEST_DIGEST);
    const manifestRequests = requests.filter((request) => request.url.endsWith("/manifests/1.0"));
    expect(manifestRequests.map((request) => request.status)).toEqual([429, 200]);
  });

  it("gives up on 500 after the configured retries", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname.startsWith("/v2/acme/api/")) {
        json(response, 500, { errors: [{ code: "UNKNOWN", message: "storage backend down" }] });
      }
    });

    const error = await caught(client(server, { retries: 2 }).getManifest("acme/api", "1.0"));

    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message).toContain("HTTP 500");
    expect(error.message).toContain("storage backend down");
    expect(error.message).toContain("3 attempts");
    expect((error as RegistryError).registryStatus).toBe(500);
    expect((error as RegistryError).registryErrors[0]?.code).toBe("UNKNOWN");
    expect(pathRequests(server, "/v2/acme/api/manifests/1.0")).toHaveLength(3);
  });

  it("reports 429 that never ends", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname.startsWith("/v2/acme/")) json(response, 429, {}, { "retry-after": "0" });
    });
    const error = await caught(client(server, { retries: 1 }).listTags("acme/api"));
    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message).toMatch(/rate-limited .* on all 2 attempts/);
  });

  it.each([
    { status: 400, code: "REGISTRY_ERROR" },
    { status: 403, code: "REGISTRY_AUTH_FAILED" },
    { status: 404, code: "NOT_FOUND" },
    { status: 501, code: "REGISTRY_ERROR" },
  ])("does not retry $status", async ({ status, code }) => {
    const server = await stub((_request, response, url) => {
      if (url.pathname.startsWith("/v2/acme/")) json(response, status, { errors: [{ code: "X", message: "no" }] });
    });
    const error = await caught(client(server).getBlob("acme/api", BLOB_DIGEST));
    expect(error.code).toBe(code);
    expect(pathRequests(server, "/v2/acme/api/blobs/")).toHaveLength(1);
  });

  it("retries a dropped connection", async () => {
    let calls = 0;
    const server = await stub((request, response, url) => {
      if (url.pathname === `/v2/acme/api/blobs/${BLOB_DIGEST}`) {
        calls += 1;
        if (calls === 1) {
          request.socket.destroy();
          return;
        }
        response.writeHead(200, { "content-length": String(BLOB.byteLength) });
        response.end(BLOB);
      }
    });
    expect(await client(server).getBlob("acme/api", BLOB_DIGEST)).toEqual(BLOB);
    expect(calls).toBe(2);
  });

  it("times out a registry that never answers", async () => {
    const server = await stub((_request, _response, url) => {
      if (url.pathname.startsWith("/v2/acme/")) return new Promise<void>(() => {});
    });
    const requests: RequestInfo[] = [];
    const error = await caught(client(server, { timeoutMs: 100, retries: 1 }, requests).listTags("acme/api"));

    expect(error.code).toBe("TIMEOUT");
    expect(error.message).toContain(`${server.url}/v2/acme/api/tags/list`);
    expect(requests.filter((request) => request.url.includes("tags/list")).map((request) => request.status)).toEqual([0, 0]);
  });

  it("times out a body that stalls", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === `/v2/acme/api/blobs/${BLOB_DIGEST}`) {
        response.writeHead(200, { "content-length": String(BLOB.byteLength) });
        response.write(BLOB.subarray(0, 4));
        return new Promise<void>(() => {});
      }
    });
    const error = await caught(client(server, { timeoutMs: 100, retries: 1 }).getBlob("acme/api", BLOB_DIGEST));
    expect(error.code).toBe("TIMEOUT");
    expect(pathRequests(server, "/v2/acme/api/blobs/")).toHaveLength(2);
  });

  it("times out a streamed blob that stalls", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === `/v2/acme/api/blobs/${BLOB_DIGEST}`) {
        response.writeHead(200, { "content-length": String(BLOB.byteLength) });
        response.write(BLOB.subarray(0, 4));
        return new Promise<void>(() => {});
      }
    });
    const blob = await client(server, { timeoutMs: 100 }).openBlob("acme/api", BLOB_DIGEST);
    const error = await caught(new Response(blob.stream).arrayBuffer());
    expect(error.code).toBe("TIMEOUT");
    expect(error.message).toContain(`/v2/acme/api/blobs/${BLOB_DIGEST}`);
  });
});

describe("DistributionClient streamed blob resumes", () => {
  const blobPath = `/v2/acme/api/blobs/${BLOB_DIGEST}`;
  const half = Math.floor(BLOB.byteLength / 2);

  /** Sends the full Content-Length and the first `bytes` of the blob, then resets the connection. */
  function sendTruncated(response: ServerResponse, bytes: number): void {
    response.writeHead(200, { "content-length": String(BLOB.byteLength) });
    response.write(BLOB.subarray(0, bytes), () => response.socket?.destroy());
  }

  function rangeHeaders(server: StubServer): (string | undefined)[] {
    return server.requests.filter((request) => request.path === blobPath).map((request) => request.headers.range as string | undefined);
  }

  it("resumes a reset blob with Range", async () => {
    const server = await stub((request, response, url) => {
      if (url.pathname !== blobPath) return;
      const range = /^bytes=(\d+)-$/.exec(String(request.headers.range ?? ""));
      if (range === null) {
        sendTruncated(response, half);
        return;
      }
      const start = Number(range[1]);
      response.writeHead(206, { "content-length": String(BLOB.byteLength - start), "content-range": `bytes ${start}-${BLOB.byteLength - 1}/${BLOB.byteLength}` });
      response.end(BLOB.subarray(start));
    });

    const blob = await client(server).openBlob("acme/api", BLOB_DIGEST, { size: BLOB.byteLength });
    const bytes = new Uint8Array(await new Response(blob.stream).arrayBuffer());

    expect(bytes).toEqual(BLOB);
    expect(rangeHeaders(server)).toEqual([undefined, `bytes=${half}-`]);
  });

  /** Starts a stub that truncates the blob's first response at half its size and sends every later one through `later`. */
  function truncateFirstResponse(later: (response: ServerResponse) => void): Promise<StubServer> {
    let calls = 0;
    return stub((_request, response, url) => {
      if (url.pathname !== blobPath) return;
      calls += 1;
      if (calls === 1) sendTruncated(response, half);
      else later(response);
    });
  }

  it("resumes from a registry that ignores Range", async () => {
    const server = await truncateFirstResponse((response) => {
      response.writeHead(200, { "content-length": String(BLOB.byteLength) });
      response.end(BLOB);
    });

    const blob = await client(server).openBlob("acme/api", BLOB_DIGEST);
    const bytes = new Uint8Array(await new Response(blob.stream).arrayBuffer());

    expect(bytes).toEqual(BLOB);
    expect(rangeHeaders(server)).toEqual([undefined, `bytes=${half}-`]);
  });

  it("rejects a resumed range at another offset", async () => {
    const server = await truncateFirstResponse((response) => {
      response.writeHead(206, { "content-length": String(BLOB.byteLength), "content-range": `bytes 0-${BLOB.byteLength - 1}/${BLOB.byteLength}` });
      response.end(BLOB);
    });

    const blob = await client(server).openBlob("acme/api", BLOB_DIGEST);
    const error = await caught(new Response(blob.stream).arrayBuffer());

    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message).toContain(`bytes 0-${BLOB.byteLength - 1}/${BLOB.byteLength}`);
    expect(error.message).toContain(`does not start at ${half}`);
  });

  it("gives up after the retries, counting attempts", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === blobPath) sendTruncated(response, 1);
    });

    const blob = await client(server, { retries: 2 }).openBlob("acme/api", BLOB_DIGEST);
    const error = await caught(new Response(blob.stream).arrayBuffer());

    expect(error.code).toBe("REGISTRY_UNREACHABLE");
    expect(error.message).toContain("3 attempts");
    // The stub ignores Range and sends byte 0 again, so every resume starts at byte 1.
    expect(rangeHeaders(server)).toEqual([undefined, "bytes=1-", "bytes=1-"]);
  });

  it("needs no resume when only the end is lost", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname !== blobPath) return;
      // Chunked, so the reset before the final empty chunk fails the read after every byte arrived.
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.write(BLOB, () => response.socket?.destroy());
    });

    const blob = await client(server).openBlob("acme/api", BLOB_DIGEST, { size: BLOB.byteLength });
    const bytes = new Uint8Array(await new Response(blob.stream).arrayBuffer());

    expect(bytes).toEqual(BLOB);
    expect(rangeHeaders(server)).toEqual([undefined]);
  });

  it("resumes a stalled blob", async () => {
    let calls = 0;
    const server = await stub((_request, response, url) => {
      if (url.pathname !== blobPath) return;
      calls += 1;
      if (calls === 1) {
        response.writeHead(200, { "content-length": String(BLOB.byteLength) });
        response.write(BLOB.subarray(0, 4));
        return new Promise<void>(() => {});
      }
      response.writeHead(206, { "content-length": String(BLOB.byteLength - 4), "content-range": `bytes 4-${BLOB.byteLength - 1}/${BLOB.byteLength}` });
      response.end(BLOB.subarray(4));
    });

    const blob = await client(server, { timeoutMs: 100 }).openBlob("acme/api", BLOB_DIGEST);
    const bytes = new Uint8Array(await new Response(blob.stream).arrayBuffer());

    expect(bytes).toEqual(BLOB);
    expect(rangeHeaders(server)).toEqual([undefined, "bytes=4-"]);
  });
});

describe("DistributionClient content checks", () => {
  it("rejects a tampered blob", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === `/v2/acme/api/blobs/${BLOB_DIGEST}`) {
        response.writeHead(200, { "content-length": String(TAMPERED.byteLength) });
        response.end(TAMPERED);
      }
    });
    const error = await caught(client(server).getBlob("acme/api", BLOB_DIGEST));

    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.message).toContain(`acme/api@${BLOB_DIGEST}`);
    expect(error.message).toContain(computeDigest(TAMPERED));
    expect((error as RegistryError).url).toBe(`${server.url}/v2/acme/api/blobs/${BLOB_DIGEST}`);
  });

  it("rejects a tampered streamed blob at its end", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === `/v2/acme/api/blobs/${BLOB_DIGEST}`) {
        response.writeHead(200, { "content-length": String(TAMPERED.byteLength) });
        response.end(TAMPERED);
      }
    });
    const blob = await client(server).openBlob("acme/api", BLOB_DIGEST);
    const error = await caught(new Response(blob.stream).arrayBuffer());
    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.message).toContain(computeDigest(TAMPERED));
  });

  it("rejects a streamed blob longer than its size", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === `/v2/acme/api/blobs/${BLOB_DIGEST}`) response.end(BLOB);
    });
    const blob = await client(server).openBlob("acme/api", BLOB_DIGEST, { size: 5 });
    const error = await caught(new Response(blob.stream).arrayBuffer());
    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.message).toContain("expected 5 bytes");
  });

  it("rejects a manifest that does not match the requested digest", async () => {
    const requested = computeDigest(encoder.encode("something else"));
    const server = await stub((_request, response, url) => {
      if (url.pathname === `/v2/acme/api/manifests/${requested}`) sendManifest(response, MANIFEST);
    });
    const error = await caught(client(server).getManifest("acme/api", requested));
    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.message).toContain(MANIFEST_DIGEST);
  });

  it("rejects a manifest that contradicts Docker-Content-Digest", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === "/v2/acme/api/manifests/1.0") sendManifest(response, MANIFEST, { "docker-content-digest": BLOB_DIGEST });
    });
    const error = await caught(client(server).getManifest("acme/api", "1.0"));
    expect(error.code).toBe("DIGEST_MISMATCH");
  });

  it("caps a manifest sent without Content-Length", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === "/v2/acme/api/manifests/big") {
        response.writeHead(200, { "content-type": MediaType.ociManifest });
        for (let chunk = 0; chunk < 64; chunk += 1) response.write(new Uint8Array(1024).fill(32));
        response.end();
      }
    });
    const error = await caught(client(server, { maxManifestBytes: 4096 }).getManifest("acme/api", "big"));
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toContain("4096 bytes");
  });

  it("rejects a malformed manifest naming repository and digest", async () => {
    const body = encoder.encode("<html>login page</html>");
    const server = await stub((_request, response, url) => {
      if (url.pathname === "/v2/acme/api/manifests/1.0") {
        response.writeHead(200, { "content-type": "text/html" });
        response.end(body);
      }
    });
    const error = await caught(client(server).getManifest("acme/api", "1.0"));
    expect(error.code).toBe("MALFORMED_MANIFEST");
    expect(error.message).toContain(`acme/api@${computeDigest(body)}`);
    expect((error as RegistryError).url).toBe(`${server.url}/v2/acme/api/manifests/1.0`);
  });

  it("falls back to GET when HEAD lacks the digest", async () => {
    const server = await stub((request, response, url) => {
      if (url.pathname === "/v2/acme/api/manifests/1.0") {
        if (request.method === "HEAD") {
          response.writeHead(200, { "content-type": MediaType.ociManifest, "content-length": String(MANIFEST.byteLength) });
          response.end();
        } else {
          sendManifest(response, MANIFEST);
        }
      }
    });
    const head = await client(server).headManifest("acme/api", "1.0");

    expect(head).toEqual({ digest: MANIFEST_DIGEST, mediaType: MediaType.ociManifest, size: MANIFEST.byteLength });
    expect(pathRequests(server, "/v2/acme/api/manifests/1.0").map((request) => request.method)).toEqual(["HEAD", "GET"]);
  });

  it("falls back to GET when HEAD is not allowed", async () => {
    const server = await stub((request, response, url) => {
      if (url.pathname === "/v2/acme/api/manifests/1.0") {
        if (request.method === "HEAD") {
          response.writeHead(405);
          response.end();
        } else {
          sendManifest(response, MANIFEST);
        }
      }
    });
    expect((await client(server).headManifest("acme/api", "1.0"))?.digest).toBe(MANIFEST_DIGEST);
  });

  it("sends the manifest Accept header", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === "/v2/acme/api/manifests/1.0") sendManifest(response, MANIFEST, { "docker-content-digest": MANIFEST_DIGEST });
    });
    await client(server).headManifest("acme/api", "1.0");
    const accept = String(pathRequests(server, "/v2/acme/api/manifests/1.0")[0]?.headers.accept);
    for (const mediaType of [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList]) {
      expect(accept).toContain(mediaType);
    }
  });
});

describe("DistributionClient paging", () => {
  const allTags = ["a", "b", "c", "d", "e"];

  /** Responds to a tag list request with the page of `n` tags after `last`, and a next link while more remain. */
  function pagedTags(response: ServerResponse, url: URL, linkBase = "") {
    const n = Number(url.searchParams.get("n") ?? "100");
    const last = url.searchParams.get("last");
    const start = last === null ? 0 : allTags.indexOf(last) + 1;
    const page = allTags.slice(start, start + n);
    const headers: Record<string, string> = {};
    if (start + n < allTags.length) {
      headers.link = `<${linkBase}/v2/acme/api/tags/list?n=${n}&last=${page[page.length - 1]}>; rel="next"`;
    }
    json(response, 200, { name: "acme/api", tags: page }, headers);
  }

  it("follows Link headers through tag pages", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === "/v2/acme/api/tags/list") pagedTags(response, url);
    });
    expect(await client(server).listTags("acme/api", { pageSize: 2 })).toEqual(allTags);
    expect(pathRequests(server, "/v2/acme/api/tags/list").map((request) => request.path)).toEqual([
      "/v2/acme/api/tags/list?n=2",
      "/v2/acme/api/tags/list?n=2&last=b",
      "/v2/acme/api/tags/list?n=2&last=d",
    ]);
  });

  it("rejects a next link to another origin", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === "/v2/acme/api/tags/list") pagedTags(response, url, "http://127.0.0.2:1");
    });
    const error = await caught(client(server).listTags("acme/api", { pageSize: 2 }));
    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message).toContain("another origin");
    expect(pathRequests(server, "/v2/acme/api/tags/list")).toHaveLength(1);
  });

  it("stops a next link that repeats", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname === "/v2/_catalog") json(response, 200, { repositories: ["acme/api"] }, { link: '</v2/_catalog?last=acme%2Fapi&n=1>; rel="next"' });
    });
    const names: string[] = [];
    const error = await caught(
      (async () => {
        for await (const name of client(server).listRepositories({ pageSize: 1 })) names.push(name);
      })(),
    );
    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message).toContain("repeat");
    expect(names).toEqual(["acme/api", "acme/api"]);
  });

  it("rejects an invalid page size", async () => {
    const server = await stub(() => {});
    const error = await caught(client(server).listTags("acme/api", { pageSize: 0 }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(server.requests).toHaveLength(0);
  });
});

describe("DistributionClient redirects", () => {
  it("follows a blob redirect without sending the registry credentials", async () => {
    const storage = await startStubServer((_request, response, url) => {
      if (url.pathname === "/bucket/blob") {
        response.writeHead(200, { "content-length": String(BLOB.byteLength) });
        response.end(BLOB);
      }
    });
    servers.push(storage);
    const server = await stub((request, response, url) => {
      if (url.pathname === "/v2/" && request.headers.authorization === undefined) {
        response.writeHead(401, { "www-authenticate": 'Basic realm="stub"' });
        response.end();
        return;
      }
      if (url.pathname === `/v2/acme/api/blobs/${BLOB_DIGEST}`) {
        response.writeHead(307, { location: `${storage.url}/bucket/blob?X-Amz-Signature=secret` });
        response.end();
      }
    });

    const requests: RequestInfo[] = [];
    const blob = await client(server, { username: "bot", password: "pw" }, requests).getBlob("acme/api", BLOB_DIGEST);

    expect(blob).toEqual(BLOB);
    expect(pathRequests(server, "/v2/acme/api/blobs/")[0]?.headers.authorization).toMatch(/^Basic /);
    expect(storage.requests[0]?.headers.authorization).toBeUndefined();
    expect(requests.map((request) => request.url)).toContain(`${storage.url}/bucket/blob?X-Amz-Signature=[redacted]`);
  });

  it("rejects a redirect from https to http", async () => {
    const requests: RequestInfo[] = [];
    const fakeFetch: typeof fetch = async () => new Response(null, { status: 307, headers: { location: "http://127.0.0.1:9/blob" } });
    const secure = new DistributionClient({ url: "https://127.0.0.1:8443", fetch: fakeFetch, onRequest: (info) => requests.push(info) });
    const error = await caught(secure.getBlob("acme/api", BLOB_DIGEST));
    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message).toContain("not https");
  });
});

/**
 * Starts a token server and a registry on two stub servers, both on 127.0.0.1,
 * as Docker's token auth splits them. Tokens encode their scope, so the registry
 * can check that each request carries a token for the scope it needs.
 */
async function startBearerRegistry(options: {
  password?: string;
  requiredScope?: (url: URL) => string | null;
  tokenField?: "token" | "access_token";
  tokenBody?: (scopes: string[]) => unknown;
  realm?: (tokenServer: StubServer) => string;
}) {
  const password = options.password ?? "s3cret";
  const expectedBasic = `Basic ${Buffer.from(`bot:${password}`).toString("base64")}`;

  const tokens = await startStubServer((request: IncomingMessage, response: ServerResponse, url: URL) => {
    if (request.headers.authorization !== expectedBasic) {
      json(response, 401, { details: "bad credentials" });
      return;
    }
    const scopes = url.searchParams.getAll("scope");
    const body = options.tokenBody?.(scopes) ?? { [options.tokenField ?? "token"]: `token:${scopes.join(" ")}`, expires_in: 300 };
    json(response, 200, body);
  });
  servers.push(tokens);
  const realm = options.realm?.(tokens) ?? `${tokens.url}/token`;

  const registry = await stub((request, response, url) => {
    const scope = url.pathname === "/v2/" ? "" : (options.requiredScope?.(url) ?? "repository:acme/api:pull");
    if (request.headers.authorization !== `Bearer token:${scope}`) {
      const scopeParameter = scope === "" ? "" : `,scope="${scope}"`;
      response.writeHead(401, { "www-authenticate": `Bearer realm="${realm}",service="stub-registry"${scopeParameter}` });
      response.end();
      return;
    }
    if (url.pathname === "/v2/") return;
    if (url.pathname.startsWith("/v2/acme/api/manifests/")) sendManifest(response, MANIFEST);
    if (url.pathname === "/v2/acme/api/tags/list") json(response, 200, { name: "acme/api", tags: ["1.0"] });
  });
  return { registry, tokens };
}

describe("DistributionClient bearer auth", () => {
  it("fetches one token per scope and reuses it", async () => {
    const { registry, tokens } = await startBearerRegistry({});
    const bearer = client(registry, { username: "bot", password: "s3cret" });

    expect(await bearer.ping()).toEqual({ authScheme: "bearer" });
    await bearer.getManifest("acme/api", "1.0");
    await bearer.getManifest("acme/api", "1.0");
    expect(await bearer.listTags("acme/api")).toEqual(["1.0"]);

    expect(tokens.requests.map((request) => request.path)).toEqual([
      "/token?service=stub-registry",
      "/token?service=stub-registry&scope=repository%3Aacme%2Fapi%3Apull",
    ]);
  });

  it("accepts access_token", async () => {
    const { registry } = await startBearerRegistry({ tokenField: "access_token" });
    expect((await client(registry, { username: "bot", password: "s3cret" }).getManifest("acme/api", "1.0")).digest).toBe(MANIFEST_DIGEST);
  });

  it("follows a challenge for a new scope once", async () => {
    const { registry, tokens } = await startBearerRegistry({
      requiredScope: (url) => (url.pathname.endsWith("/tags/list") ? "repository:acme/api:pull,push" : "repository:acme/api:pull"),
    });
    expect(await client(registry, { username: "bot", password: "s3cret" }).listTags("acme/api")).toEqual(["1.0"]);
    expect(pathRequests(registry, "/v2/acme/api/tags/list")).toHaveLength(2);
    expect(tokens.requests.at(-1)?.path).toBe("/token?service=stub-registry&scope=repository%3Aacme%2Fapi%3Apull%2Cpush");
  });

  it("fails after one retry when the token is never accepted", async () => {
    const { registry, tokens } = await startBearerRegistry({ tokenBody: () => ({ token: "not-accepted-anywhere" }) });
    const error = await caught(client(registry, { username: "bot", password: "s3cret" }).getManifest("acme/api", "1.0"));

    expect(error.code).toBe("REGISTRY_AUTH_FAILED");
    expect(error.message).toContain("user bot");
    expect(pathRequests(registry, "/v2/acme/api/manifests/1.0")).toHaveLength(2);
    expect(tokens.requests.filter((request) => request.path.includes("scope="))).toHaveLength(2);
  });

  it("rejects wrong credentials at the token server", async () => {
    const { registry, tokens } = await startBearerRegistry({ password: "right" });
    const error = await caught(client(registry, { username: "bot", password: "wrong" }).ping());

    expect(error.code).toBe("REGISTRY_AUTH_FAILED");
    expect(error.message).toContain(`Registry rejected the credentials for user bot at ${tokens.url}/token`);
    expect(error.message).not.toContain("wrong");
  });

  it("rejects an oversized token response", async () => {
    const { registry } = await startBearerRegistry({ tokenBody: () => ({ token: "x".repeat(100 * 1024) }) });
    const error = await caught(client(registry, { username: "bot", password: "s3cret" }).ping());
    expect(error.code).toBe("TOO_LARGE");
  });

  it("rejects a token response without a token", async () => {
    const { registry } = await startBearerRegistry({ tokenBody: () => ({ expires_in: 60 }) });
    const error = await caught(client(registry, { username: "bot", password: "s3cret" }).ping());
    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message).toContain('"token" or "access_token"');
  });

  it.each([
    { name: "a private address", realm: "https://10.0.0.1/token" },
    { name: "the metadata address", realm: "http://169.254.169.254/latest/api/token" },
    { name: "another loopback name", realm: "http://localhost:1/token" },
  ])("never follows a realm to $name", async ({ realm }) => {
    const { registry } = await startBearerRegistry({ realm: () => realm });
    const requests: RequestInfo[] = [];
    const error = await caught(client(registry, { username: "bot", password: "s3cret" }, requests).getManifest("acme/api", "1.0"));

    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message).toContain("token realm");
    expect(requests.every((request) => request.url.startsWith(registry.url))).toBe(true);
  });
});

describe("DistributionClient error bodies", () => {
  it("reads at most 64 KiB of an error body", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname.startsWith("/v2/acme/")) {
        response.writeHead(400, { "content-type": "text/plain" });
        for (let chunk = 0; chunk < 1024; chunk += 1) response.write("x".repeat(1024));
        response.end();
      }
    });
    const error = await caught(client(server).listTags("acme/api"));
    expect(error.code).toBe("REGISTRY_ERROR");
    expect(error.message.length).toBeLessThan(600);
  });

  it("names a 403 as denied access", async () => {
    const server = await stub((_request, response, url) => {
      if (url.pathname.startsWith("/v2/acme/")) json(response, 403, { errors: [{ code: "DENIED", message: "requested access to the resource is denied" }] });
    });
    const error = await caught(client(server, { username: "bot", password: "pw" }).listTags("acme/api"));
    expect(error.code).toBe("REGISTRY_AUTH_FAILED");
    expect(error.message).toContain("denied user bot access");
    expect(error.message).toContain("DENIED");
  });
});
