import { AppError } from "@/lib/errors";

export interface DownloadOptions {
  fetch: typeof fetch;
  /** Milliseconds to wait for the response headers and then for each part of the body. */
  timeoutMs: number;
  maxDownloadBytes: number;
}

/** A response body read part by part under a size limit and an idle timeout. */
export interface Download {
  /** Returns the next part of the body, or null at its end. */
  read(): Promise<Uint8Array | null>;
  /** Stops the download and releases the connection. Safe to call more than once. */
  cancel(): Promise<void>;
}

// NOTE: the error codes come from the registry client, and the closed list in lib/errors.ts
// has no code for other servers. REGISTRY_UNREACHABLE and REGISTRY_ERROR carry the same
// HTTP status (502) that a code for any upstream server would.

/**
 * Sends a GET request for `url` and returns its body as a Download. Credentials in the URL
 * are sent as HTTP Basic authorization, because fetch rejects URLs that contain them.
 * `location` is the URL without credentials, for messages. Raises an AppError when the
 * server cannot be reached, times out, responds with an error status or declares a body
 * over the limit.
 */
export async function startDownload(url: URL, location: string, options: DownloadOptions): Promise<Download> {
  const target = new URL(url);
  const headers = new Headers();
  if (url.username !== "" || url.password !== "") {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.set("authorization", `Basic ${Buffer.from(credentials).toString("base64")}`);
    target.username = "";
    target.password = "";
  }

  const controller = new AbortController();
  let timedOut = false;
  // The timer runs only while waiting for the server, never while the importer writes, so a slow database cannot time out a healthy download.
  async function withTimeout<T>(step: () => Promise<T>): Promise<T> {
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    try {
      return await step();
    } catch (error) {
      if (timedOut) {
        throw new AppError("TIMEOUT", `Downloading ${location} timed out: the server sent nothing for ${options.timeoutMs} ms. Check that the server is up, or try again later.`, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  let response: Response;
  try {
    response = await withTimeout(() => options.fetch(target, { headers, signal: controller.signal, redirect: "follow" }));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("REGISTRY_UNREACHABLE", `Downloading ${location} failed: ${describeFetchError(error)}. Check the URL and that this machine can reach the server.`, { cause: error });
  }

  if (!response.ok) {
    await cancelBody(response.body);
    const code = response.status === 404 ? "NOT_FOUND" : "REGISTRY_ERROR";
    throw new AppError(code, `Downloading ${location} failed: the server responded with HTTP ${response.status} ${response.statusText}. Check the URL and any credentials in it.`);
  }

  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > options.maxDownloadBytes) {
    await cancelBody(response.body);
    throw tooLarge(location, options.maxDownloadBytes);
  }

  const reader = response.body?.getReader() ?? null;
  let received = 0;
  let cancelled = false;
  async function cancel(): Promise<void> {
    if (cancelled || reader === null) return;
    cancelled = true;
    try {
      await reader.cancel();
    } catch {
      // The body is abandoned either way, so a failure to cancel it changes nothing.
    }
  }

  return {
    async read() {
      if (reader === null || cancelled) return null;
      let part: ReadableStreamReadResult<Uint8Array>;
      try {
        part = await withTimeout(() => reader.read());
      } catch (error) {
        await cancel();
        if (error instanceof AppError) throw error;
        throw new AppError("REGISTRY_UNREACHABLE", `Downloading ${location} failed after ${received} bytes: ${describeFetchError(error)}. Try again.`, { cause: error });
      }
      if (part.done) return null;

      received += part.value.byteLength;
      if (received > options.maxDownloadBytes) {
        await cancel();
        throw tooLarge(location, options.maxDownloadBytes);
      }
      return part.value;
    },
    cancel,
  };
}

/** Returns the URL as text without its user name and password. */
export function redactUrl(url: URL): string {
  const redacted = new URL(url);
  redacted.username = "";
  redacted.password = "";
  return redacted.toString();
}

function tooLarge(location: string, maxBytes: number): AppError {
  return new AppError("TOO_LARGE", `Downloading ${location} stopped: the body is larger than the limit of ${maxBytes} bytes. Download the file and import it from disk, where this limit does not apply.`);
}

/** Node's fetch reports only "fetch failed", and its cause names the network error, such as ECONNREFUSED. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error && cause.message !== "") return `${error.message} (${cause.message})`;
  return error.message;
}

async function cancelBody(body: ReadableStream<Uint8Array> | null): Promise<void> {
  try {
    await body?.cancel();
  } catch {
    // The body is not needed, so a failure while dropping it changes nothing.
  }
}
