import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { guardedFetch } from "@/lib/security/guarded-fetch";

/** Options of an advisory import. Every field has a default. */
export interface ImportOptions {
  /** OSV records written per database transaction. Default 500. */
  batchSize?: number;
  /** Largest download from a URL, in bytes. Default 2 GiB. */
  maxDownloadBytes?: number;
  /** Largest single JSON file, zip entry or JSON download, in bytes (uncompressed). Default 64 MiB. */
  maxFileBytes?: number;
  /** Milliseconds to wait for a server's response or for the next part of its body. Default 60 000. */
  timeoutMs?: number;
  /** The fetch function for URLs. Default: the global fetch. Tests pass one that reaches only 127.0.0.1. */
  fetch?: typeof fetch;
  /** Hosts and addresses on private networks that URLs may reach. Default: PRIVATE_TARGETS_ALLOWED. */
  privateTargetsAllowed?: readonly string[];
}

export type ResolvedImportOptions = Required<Omit<ImportOptions, "privateTargetsAllowed">>;

const defaults = {
  batchSize: 500,
  maxDownloadBytes: 2 * 1024 ** 3,
  maxFileBytes: 64 * 1024 ** 2,
  timeoutMs: 60_000,
} as const;

/** Fills in the defaults and rejects a limit that is not a positive integer. */
export function resolveImportOptions(options: ImportOptions = {}): ResolvedImportOptions {
  const resolved: ResolvedImportOptions = {
    batchSize: options.batchSize ?? defaults.batchSize,
    maxDownloadBytes: options.maxDownloadBytes ?? defaults.maxDownloadBytes,
    maxFileBytes: options.maxFileBytes ?? defaults.maxFileBytes,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    // Every URL, and every redirect from it, is checked against private, loopback and link-local addresses.
    fetch: guardedFetch(options.privateTargetsAllowed ?? getEnv().PRIVATE_TARGETS_ALLOWED, "advisory source", options.fetch ?? fetch),
  };
  for (const name of ["batchSize", "maxDownloadBytes", "maxFileBytes", "timeoutMs"] as const) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new AppError("INVALID_INPUT", `The import option ${name} is ${value}, but it must be a positive integer. Pass a positive integer or leave it unset for the default of ${defaults[name]}.`);
    }
  }
  return resolved;
}
