import { RegistryError } from "@/lib/registry/registry-error";

export interface ResumeOptions {
  /** Reopens the content so that its stream starts at byte `offset`. */
  reopen: (offset: number) => Promise<ReadableStream<Uint8Array>>;
  /** Times a broken stream may be reopened. */
  maxResumes: number;
  /** Runs before each reopen, for example to log and wait. `resume` counts from 1. */
  beforeResume?: (resume: number, offset: number, error: RegistryError) => Promise<void>;
}

/**
 * Returns a stream of the bytes of `first` that survives transport failures.
 * When a read fails with TIMEOUT or REGISTRY_UNREACHABLE (a reset, a truncated
 * body, a stalled body), the stream reopens the content at the byte offset
 * already passed on and goes on reading, at most `maxResumes` times. Other
 * errors, and the failure after the last resume, error the stream. The bytes
 * passed on are exactly the content's, so a digest check downstream still
 * covers them all.
 */
export function resumeAfterTransportFailure(first: ReadableStream<Uint8Array>, options: ResumeOptions): ReadableStream<Uint8Array> {
  let reader = first.getReader();
  let offset = 0;
  let resumes = 0;

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (!isTransportFailure(error) || resumes >= options.maxResumes) throw error;
          resumes += 1;
          reader.cancel().catch(() => {});
          await options.beforeResume?.(resumes, offset, error);
          reader = (await options.reopen(offset)).getReader();
          continue;
        }
        if (chunk.done) {
          controller.close();
        } else {
          offset += chunk.value.byteLength;
          controller.enqueue(chunk.value);
        }
        return;
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}

/**
 * Returns the stream of a response to a request for the content from byte
 * `offset` on (`Range: bytes=<offset>-`). A 206 must start at `offset`
 * (Content-Range, RFC 9110 section 14.4); a 200 carries the whole content, so
 * its first `offset` bytes are dropped. Raises REGISTRY_ERROR for a 206 that
 * starts elsewhere.
 */
export function streamFromOffset(response: Response, body: ReadableStream<Uint8Array>, offset: number, url: URL): ReadableStream<Uint8Array> {
  if (offset === 0) return body;
  if (response.status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get("content-range")?.trim() ?? "");
    if (range === null || Number(range[1]) !== offset) {
      throw new RegistryError(
        "REGISTRY_ERROR",
        `The registry answered a request for the bytes from ${offset} on with Content-Range "${response.headers.get("content-range") ?? ""}", which does not start at ${offset}. Check the registry and any proxy in between.`,
        { url, registryStatus: 206 },
      );
    }
    return body;
  }
  return body.pipeThrough(dropLeadingBytes(offset));
}

function dropLeadingBytes(count: number): TransformStream<Uint8Array, Uint8Array> {
  let remaining = count;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (remaining >= chunk.byteLength) {
        remaining -= chunk.byteLength;
        return;
      }
      controller.enqueue(remaining === 0 ? chunk : chunk.subarray(remaining));
      remaining = 0;
    },
  });
}

function isTransportFailure(error: unknown): error is RegistryError {
  return error instanceof RegistryError && (error.code === "TIMEOUT" || error.code === "REGISTRY_UNREACHABLE");
}
