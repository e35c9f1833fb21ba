import { setTimeout as sleep } from "node:timers/promises";

import type { Logger } from "pino";

import { AppError } from "@/lib/errors";
import type { ResolvedClientOptions } from "@/lib/registry/client-options";
import { redactUrl, RegistryError } from "@/lib/registry/registry-error";
import { discardBody } from "@/lib/registry/response-body";
import { retryDelayMs } from "@/lib/registry/retry-after";

/** Redirects followed per request; blob storage needs one. */
const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface HttpRequest {
  /** Only idempotent methods, because every request may be retried. */
  method: "GET" | "HEAD";
  url: URL;
  headers: Headers;
  /** Whether to follow redirects; token requests do not, so a realm cannot redirect past its address check. */
  followRedirects: boolean;
  /**
   * Scope of the timeout. `response` covers the whole exchange including the
   * handler. `headers` covers only the wait for the response headers, and the
   * handler then manages `AttemptTimer` itself (streamed blobs).
   */
  timeout: "response" | "headers";
}

/** Attempt details passed to a response handler with the response. */
export interface AttemptContext {
  /** The final URL after redirects. */
  url: URL;
  /** Attempts made so far, including this one. */
  attempts: number;
  timer: AttemptTimer;
}

/**
 * The abort timer of one attempt. `start` arms it for `timeoutMs` and `stop`
 * disarms it, so a stream can time only the waits for the next chunk.
 */
export class AttemptTimer {
  readonly controller = new AbortController();
  private handle: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    this.stop();
    this.handle = setTimeout(() => {
      this.controller.abort(new DOMException(`No response within ${this.timeoutMs} ms`, "TimeoutError"));
    }, this.timeoutMs);
  }

  stop(): void {
    if (this.handle !== null) {
      clearTimeout(this.handle);
      this.handle = null;
    }
  }
}

/**
 * The transport layer of the registry client: timeouts, manual redirects,
 * retries with backoff and `Retry-After`, request reporting and retry logging.
 * Authentication is a separate layer on top (RegistryAuth).
 */
export class RegistryHttp {
  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly log: Logger,
  ) {}

  /**
   * Sends `request` and returns what `handle` returns for the final response.
   * Network errors, timeouts (also while `handle` reads the body), 429 and
   * 5xx other than 501 are retried up to `retries` times. After the last
   * attempt, a 429 or 5xx response goes to `handle`, which raises the error.
   * A last network error raises REGISTRY_UNREACHABLE, and a last timeout TIMEOUT.
   */
  async exchange<T>(request: HttpRequest, handle: (response: Response, context: AttemptContext) => Promise<T>): Promise<T> {
    const maxAttempts = this.options.retries + 1;

    for (let attempt = 1; ; attempt += 1) {
      const timer = new AttemptTimer(this.options.timeoutMs);
      timer.start();

      let response: Response;
      let url: URL;
      try {
        ({ response, url } = await this.fetchFollowingRedirects(request, timer.signal));
      } catch (error) {
        timer.stop();
        const failure = classifyTransportError(error);
        if (failure === null) throw error;
        if (attempt < maxAttempts) {
          await this.waitBeforeRetry(request, attempt, { error: failure.description }, null);
          continue;
        }
        throw transportError(failure, request.url, attempt, this.options.timeoutMs);
      }

      if (isRetryableStatus(response.status) && attempt < maxAttempts) {
        timer.stop();
        const retryAfter = response.headers.get("retry-after");
        await discardBody(response);
        await this.waitBeforeRetry(request, attempt, { status: response.status }, retryAfter);
        continue;
      }

      if (request.timeout === "headers") {
        timer.stop();
      }
      try {
        return await handle(response, { url, attempts: attempt, timer });
      } catch (error) {
        const failure = classifyTransportError(error);
        if (failure === null) throw error;
        if (attempt < maxAttempts) {
          await this.waitBeforeRetry(request, attempt, { error: failure.description }, null);
          continue;
        }
        throw transportError(failure, url, attempt, this.options.timeoutMs);
      } finally {
        if (request.timeout === "response") timer.stop();
      }
    }
  }

  private async fetchFollowingRedirects(request: HttpRequest, signal: AbortSignal): Promise<{ response: Response; url: URL }> {
    const headers = new Headers(request.headers);
    let url = request.url;

    for (let redirects = 0; ; redirects += 1) {
      let response: Response;
      try {
        response = await this.options.fetch(url, { method: request.method, headers, redirect: "manual", signal });
      } catch (error) {
        this.options.onRequest({ method: request.method, url: redactUrl(url), status: 0 });
        throw error;
      }
      this.options.onRequest({ method: request.method, url: redactUrl(url), status: response.status });

      const location = response.headers.get("location");
      if (!request.followRedirects || !REDIRECT_STATUSES.has(response.status) || location === null) {
        return { response, url };
      }
      await discardBody(response);

      if (redirects === MAX_REDIRECTS) {
        throw new RegistryError("REGISTRY_ERROR", `The registry redirected ${redactUrl(request.url)} more than ${MAX_REDIRECTS} times. Check the registry's storage configuration.`, {
          url: request.url,
          registryStatus: response.status,
        });
      }

      const next = new URL(location, url);
      if (next.protocol !== "https:" && !(next.protocol === "http:" && this.options.insecure)) {
        throw new RegistryError(
          "REGISTRY_ERROR",
          `The registry redirected ${redactUrl(url)} to ${redactUrl(next)}, which is not https. Configure the registry's storage for https, or set REGISTRY_INSECURE=true on a trusted network.`,
          { url, registryStatus: response.status },
        );
      }
      // Blob storage on another origin gets its own credentials in the URL, never the registry's.
      if (next.origin !== url.origin) {
        headers.delete("authorization");
      }
      url = next;
    }
  }

  private async waitBeforeRetry(
    request: HttpRequest,
    attempt: number,
    reason: { status?: number; error?: string },
    retryAfter: string | null,
  ): Promise<void> {
    const delayMs = retryDelayMs(attempt - 1, retryAfter, {
      baseDelayMs: this.options.retryBaseDelayMs,
      maxDelayMs: this.options.maxRetryDelayMs,
    });
    this.log.warn(
      { method: request.method, url: redactUrl(request.url), attempt, maxAttempts: this.options.retries + 1, delayMs, ...reason },
      "registry request failed, retrying",
    );
    await sleep(delayMs);
  }
}

/** 429 and 5xx are worth retrying, except 501 Not Implemented, which will not change. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/**
 * Returns whether a registry request failed in a way a later attempt may not:
 * a timeout, a network error, or a 429 or retryable 5xx left after the
 * retries. Content errors (a bad manifest, a digest mismatch, a 404) stay as
 * they are on every attempt.
 */
export function isTransientRegistryError(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.code === "TIMEOUT" || error.code === "REGISTRY_UNREACHABLE") return true;
  return error.code === "REGISTRY_ERROR" && error.registryStatus !== null && isRetryableStatus(error.registryStatus);
}

interface TransportFailure {
  kind: "timeout" | "network";
  /** Short cause for logs and messages, e.g. ECONNREFUSED. */
  description: string;
}

/**
 * Returns how a fetch or body read failed, or null for errors that are not
 * transport failures (AppErrors and bugs), which must not be retried.
 */
export function classifyTransportError(error: unknown): TransportFailure | null {
  if (error instanceof AppError || !(error instanceof Error)) return null;
  if (error.name === "TimeoutError") {
    return { kind: "timeout", description: "timeout" };
  }

  // Undici raises TypeError("fetch failed") or TypeError("terminated") with the socket error as the cause.
  if (error instanceof TypeError && (error.message === "fetch failed" || error.message === "terminated")) {
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    if (cause instanceof Error && cause.name === "TimeoutError") {
      return { kind: "timeout", description: "timeout" };
    }
    const code = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : error.message;
    return { kind: "network", description: code };
  }
  return null;
}

function transportError(failure: TransportFailure, url: URL, attempts: number, timeoutMs: number): RegistryError {
  const shownUrl = redactUrl(url);
  const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  if (failure.kind === "timeout") {
    return new RegistryError(
      "TIMEOUT",
      `The request to ${shownUrl} timed out after ${timeoutMs} ms (${tries}). Check that the registry is healthy, or raise the client's timeoutMs.`,
      { url, details: { attempts, timeoutMs } },
    );
  }
  return new RegistryError(
    "REGISTRY_UNREACHABLE",
    `Cannot reach the registry at ${shownUrl} (${failure.description}, ${tries}). Check the registry URL (REGISTRY_URL, or the registry on /admin/registries) and that the registry is running and reachable from this server.`,
    { url, details: { attempts, cause: failure.description } },
  );
}

/**
 * Wraps a response body so that each wait for the next chunk is limited by
 * `timer` (armed when the reader asks for a chunk, disarmed when it arrives),
 * and transport failures surface as TIMEOUT or REGISTRY_UNREACHABLE errors
 * naming `url` and counting `attempts`. Time the consumer spends between reads
 * does not count.
 */
export function timeChunkReads(body: ReadableStream<Uint8Array>, timer: AttemptTimer, url: URL, timeoutMs: number, attempts = 1): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      timer.start();
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        const failure = classifyTransportError(error);
        controller.error(failure === null ? error : transportError(failure, url, attempts, timeoutMs));
      } finally {
        timer.stop();
      }
    },
    async cancel(reason) {
      timer.stop();
      await reader.cancel(reason);
    },
  });
}
