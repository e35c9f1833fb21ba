import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

import { startStubServer, type StubServer } from "@/lib/registry/testing/stub-server";

/** A fault the proxy can inject into one response. */
export type Fault =
  /** Sends the headers and half the body, then destroys the socket. A response without a body is cut before its headers. */
  | { kind: "reset" }
  /** Returns this 5xx status with a registry error body instead of the registry's response. */
  | { kind: "status"; status: 500 | 502 | 503 }
  /** Returns 429 with `Retry-After` in whole seconds. */
  | { kind: "rate-limit"; retryAfterSeconds: number }
  /** Sends the body in chunks of `chunkBytes`, waiting `delayMs` before each. A response without a body waits once before its headers. */
  | { kind: "slow"; chunkBytes: number; delayMs: number }
  /** Sends the full `Content-Length` header but only the first `afterBytes` bytes of the body, then destroys the socket. */
  | { kind: "truncate"; afterBytes: number };

export type FaultKind = Fault["kind"];

export interface FaultRule {
  /** Key under which the proxy counts the faults this rule injected. */
  name: string;
  fault: Fault;
  /** Request paths (without the query) the rule applies to. */
  path: RegExp;
  /** HTTP methods the rule applies to, or all when unset. */
  methods?: string[];
  /** Faults only the first N requests that match the rule, whatever their paths. */
  first?: number;
  /** Faults only the first N matching requests of each distinct path. */
  firstPerPath?: number;
  /** Faults each matching request with this probability, drawn from the proxy's seeded generator. */
  fraction?: number;
}

export interface FaultProxy extends StubServer {
  /** Rules tried in order; the first that selects a request injects its fault. Empty passes everything through. */
  rules: FaultRule[];
  /** Faults injected so far, by rule name. */
  injected: Map<string, number>;
  /** Total faults injected so far. */
  injectedTotal(): number;
  /** Removes every rule and resets the counts and the tallies of `first` and `firstPerPath`. */
  clearRules(): void;
}

/**
 * Starts an HTTP proxy on 127.0.0.1 in front of a real registry. It streams
 * each response through without buffering it. The first rule that selects a
 * request injects its fault: a reset, a 5xx, a 429 with `Retry-After`, a slow
 * body or a truncated body. Selection by `fraction` draws from a generator
 * seeded with `seed`, so a run with the same seed and the same request order
 * faults the same requests.
 */
export async function startFaultProxy(upstream: string, options: { seed?: number } = {}): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const injected = new Map<string, number>();
  const matchTallies = new Map<string, number>();
  const random = seededRandom(options.seed ?? 1);

  /** Counts one more match under `key` and returns the number of matches before it. */
  const countMatch = (key: string): number => {
    const before = matchTallies.get(key) ?? 0;
    matchTallies.set(key, before + 1);
    return before;
  };

  const selectFault = (method: string, path: string): FaultRule | undefined => {
    for (const rule of rules) {
      if (!rule.path.test(path)) continue;
      if (rule.methods && !rule.methods.includes(method)) continue;
      if (rule.first !== undefined) {
        if (countMatch(rule.name) >= rule.first) continue;
      } else if (rule.firstPerPath !== undefined) {
        if (countMatch(`${rule.name}\u0000${path}`) >= rule.firstPerPath) continue;
      } else if (rule.fraction !== undefined && random() >= rule.fraction) {
        continue;
      }
      return rule;
    }
    return undefined;
  };

  const server = await startStubServer(async (request, response, url) => {
    const method = request.method ?? "GET";
    const rule = selectFault(method, url.pathname);
    const fault = rule?.fault;
    const count = () => {
      if (rule) injected.set(rule.name, (injected.get(rule.name) ?? 0) + 1);
    };

    if (fault?.kind === "status" || fault?.kind === "rate-limit") {
      count();
      await discardRequestBody(request);
      sendError(response, method, fault);
      return;
    }

    const upstreamResponse = await forward(upstream, request, url);
    const headers = copyResponseHeaders(upstreamResponse);
    const body = method === "HEAD" || upstreamResponse.body === null ? null : upstreamResponse.body;
    const declaredLength = Number(upstreamResponse.headers.get("content-length") ?? Number.NaN);

    if (fault === undefined) {
      await streamBody(response, upstreamResponse.status, headers, body, {});
      return;
    }

    if (body === null && fault.kind === "reset") {
      count();
      response.socket?.destroy();
      return;
    }
    if (body === null && fault.kind === "slow") {
      count();
      await sleep(fault.delayMs);
      await streamBody(response, upstreamResponse.status, headers, null, {});
      return;
    }
    if (body === null) {
      // A truncation needs a body, so the response passes through and counts as no fault.
      await streamBody(response, upstreamResponse.status, headers, null, {});
      return;
    }

    count();
    if (fault.kind === "reset") {
      const half = Number.isFinite(declaredLength) ? Math.floor(declaredLength / 2) : 0;
      await streamBody(response, upstreamResponse.status, headers, body, { destroyAfterBytes: half });
    } else if (fault.kind === "truncate") {
      await streamBody(response, upstreamResponse.status, headers, body, { destroyAfterBytes: fault.afterBytes });
    } else {
      await streamBody(response, upstreamResponse.status, headers, body, { chunkBytes: fault.chunkBytes, delayMs: fault.delayMs });
    }
  });

  return Object.assign(server, {
    rules,
    injected,
    injectedTotal: () => [...injected.values()].reduce((total, value) => total + value, 0),
    clearRules: () => {
      rules.length = 0;
      injected.clear();
      matchTallies.clear();
    },
  });
}

async function forward(upstream: string, request: IncomingMessage, url: URL): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string" && name !== "host") headers.set(name, value);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return fetch(`${upstream}${url.pathname}${url.search}`, {
    method: request.method ?? "GET",
    headers,
    body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    redirect: "manual",
  });
}

/** Copies the upstream headers that still hold for the bytes the proxy sends; fetch has already decoded any content encoding. */
function copyResponseHeaders(upstreamResponse: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  const encoded = upstreamResponse.headers.has("content-encoding");
  upstreamResponse.headers.forEach((value, name) => {
    if (name === "content-encoding" || name === "transfer-encoding") return;
    if (name === "content-length" && encoded) return;
    headers[name] = value;
  });
  return headers;
}

/**
 * Writes the status, headers and body. With `destroyAfterBytes`, the socket is
 * destroyed once that many body bytes are written. With `chunkBytes` and
 * `delayMs`, the body goes out in small chunks with a wait before each.
 */
async function streamBody(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: ReadableStream<Uint8Array> | null,
  shape: { destroyAfterBytes?: number; chunkBytes?: number; delayMs?: number },
): Promise<void> {
  response.writeHead(status, headers);
  response.flushHeaders();
  if (body === null) {
    response.end();
    return;
  }

  let sent = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const pieces = shape.chunkBytes === undefined ? [value] : splitBytes(value, shape.chunkBytes);
      for (const piece of pieces) {
        if (shape.destroyAfterBytes !== undefined && sent + piece.byteLength >= shape.destroyAfterBytes) {
          await write(response, piece.subarray(0, shape.destroyAfterBytes - sent));
          response.socket?.destroy();
          return;
        }
        if (shape.delayMs !== undefined) await sleep(shape.delayMs);
        if (response.destroyed) return;
        await write(response, piece);
        sent += piece.byteLength;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  response.end();
}

function write(response: ServerResponse, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength === 0) return Promise.resolve();
  // The callback runs once the bytes are handed to the socket, or with an error once the socket is gone, so a closed connection ends the wait.
  return new Promise((resolve) => response.write(bytes, () => resolve()));
}

function splitBytes(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}

function sendError(response: ServerResponse, method: string, fault: Extract<Fault, { kind: "status" | "rate-limit" }>): void {
  const status = fault.kind === "status" ? fault.status : 429;
  const code = fault.kind === "status" ? "UNAVAILABLE" : "TOOMANYREQUESTS";
  const body = Buffer.from(JSON.stringify({ errors: [{ code, message: `fault injected by the test proxy (HTTP ${status})` }] }));
  const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(body.byteLength) };
  if (fault.kind === "rate-limit") headers["retry-after"] = String(fault.retryAfterSeconds);
  response.writeHead(status, headers);
  response.end(method === "HEAD" ? undefined : body);
}

async function discardRequestBody(request: IncomingMessage): Promise<void> {
  for await (const chunk of request) void chunk;
}

/** Returns a generator of numbers in [0, 1) from a 32-bit seed (mulberry32), so fault selection repeats from run to run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
