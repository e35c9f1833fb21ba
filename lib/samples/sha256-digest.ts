import { createHash } from "node:crypto";

import { AppError } from "@/lib/errors";

/** Computes the OCI content digest (`sha256:<hex>`) of `data`. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Returns the hex part of a `sha256:<hex>` digest. */
export function digestHex(digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new AppError("INVALID_INPUT", `Invalid digest "${digest}": expected "sha256:" followed by 64 lowercase hex digits.`);
  }
  return digest.slice("sha256:".length);
}
