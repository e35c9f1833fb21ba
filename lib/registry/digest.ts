import { createHash } from "node:crypto";

import { AppError } from "@/lib/errors";
import type { ParsedDigest } from "@/lib/registry/reference";
import { RegistryError } from "@/lib/registry/registry-error";

/** Computes `<algorithm>:<hex>` of `bytes`. */
export function computeDigest(bytes: Uint8Array, algorithm: ParsedDigest["algorithm"] = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/**
 * Raises DIGEST_MISMATCH unless `bytes` hash to `expected`: a RegistryError
 * carrying `url` when the bytes came from one, else an AppError.
 */
export function verifyDigest(bytes: Uint8Array, expected: ParsedDigest, repository: string, url?: URL): void {
  const actual = computeDigest(bytes, expected.algorithm);
  if (actual !== expected.value) {
    throw digestMismatch(repository, expected.value, actual, url);
  }
}

export function digestMismatch(repository: string, expected: string, actual: string, url?: URL): AppError {
  const message = `Content of ${repository}@${expected} does not match its digest: the bytes received hash to ${actual}. The content was corrupted or altered in transit or in storage; check the registry's storage and any proxy in between, then sync again.`;
  const details = { repository, expected, actual };
  return url === undefined ? new AppError("DIGEST_MISMATCH", message, { details }) : new RegistryError("DIGEST_MISMATCH", message, { url, details });
}

export interface DigestVerifierOptions {
  repository: string;
  /** Source URL of the bytes, named in errors. */
  url?: URL;
  /** Expected byte count; more bytes error the stream at once, fewer error it at the end. */
  size?: number | null;
}

/**
 * Creates a pass-through stream that hashes the bytes flowing through it and
 * errors with AppError DIGEST_MISMATCH at the end when they do not match
 * `expected`. The check runs only when the stream is read to its end, so a
 * reader that stops early (a tar reader after the last entry) must drain it.
 */
export function createDigestVerifier(
  expected: ParsedDigest,
  { repository, url, size = null }: DigestVerifierOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const hash = createHash(expected.algorithm);
  let received = 0;

  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (size !== null && received > size) {
        throw sizeMismatch(repository, expected.value, size, `more than ${size}`, url);
      }
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      if (size !== null && received !== size) {
        throw sizeMismatch(repository, expected.value, size, String(received), url);
      }
      const actual = `${expected.algorithm}:${hash.digest("hex")}`;
      if (actual !== expected.value) {
        throw digestMismatch(repository, expected.value, actual, url);
      }
    },
  });
}

function sizeMismatch(repository: string, digest: string, expected: number, received: string, url: URL | undefined): AppError {
  const message = `Content of ${repository}@${digest} has the wrong size: expected ${expected} bytes, received ${received}. The content was truncated or altered; sync again, and check the registry's storage if it persists.`;
  const details = { repository, digest, expectedSize: expected };
  return url === undefined ? new AppError("DIGEST_MISMATCH", message, { details }) : new RegistryError("DIGEST_MISMATCH", message, { url, details });
}
