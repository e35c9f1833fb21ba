import { AppError } from "@/lib/errors";
import type { RegistryErrorEntry } from "@/lib/registry/registry-error";

/** Largest error or token body read, in bytes; a registry cannot make the client buffer more. */
export const MAX_SMALL_BODY_BYTES = 64 * 1024;

/** A fetch Response or Request, whose bodies are read the same way. */
type HttpMessage = Pick<Response, "headers" | "body">;

/**
 * Reads the whole body, raising the error from `tooLarge` as soon as the
 * declared `Content-Length` or the bytes received exceed `maxBytes`.
 */
export async function readBodyCapped(response: HttpMessage, maxBytes: number, tooLarge: () => AppError): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discardBody(response);
    throw tooLarge();
  }
  if (response.body === null) {
    return new Uint8Array(0);
  }

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concatBytes(chunks, received);
}

/** Reads at most `maxBytes` of the body and drops the rest, for bodies that are only shown in messages. */
export async function readBodyTruncated(response: Response, maxBytes: number = MAX_SMALL_BODY_BYTES): Promise<Uint8Array> {
  if (response.body === null) {
    return new Uint8Array(0);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  while (received < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    const allowed = value.subarray(0, maxBytes - received);
    chunks.push(allowed);
    received += allowed.byteLength;
  }
  await reader.cancel();
  return concatBytes(chunks, received);
}

/** Releases the connection of a response whose body is not needed. */
export async function discardBody(response: HttpMessage): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The body is not needed, so a failure while dropping it changes nothing.
  }
}

/** Registry error details from an error body: the `errors[]` when it is JSON, else a short text excerpt. */
export interface ErrorBody {
  errors: RegistryErrorEntry[];
  text: string;
}

/** Reads an error response's body (at most 64 KiB) and extracts the registry's `errors[]`. */
export async function readErrorBody(response: Response): Promise<ErrorBody> {
  let text = "";
  try {
    text = new TextDecoder().decode(await readBodyTruncated(response));
  } catch {
    // The status alone still describes the failure when the body cannot be read.
    return { errors: [], text: "" };
  }
  return { errors: parseRegistryErrors(text), text: text.trim().slice(0, 200) };
}

function parseRegistryErrors(text: string): RegistryErrorEntry[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof document !== "object" || document === null) return [];
  const errors = (document as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];

  return errors
    .filter((entry): entry is Record<string, unknown> => typeof entry === "object" && entry !== null)
    .map((entry) => ({
      code: typeof entry.code === "string" ? entry.code : "UNKNOWN",
      message: typeof entry.message === "string" ? entry.message : "",
      detail: entry.detail,
    }));
}

function concatBytes(chunks: Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
