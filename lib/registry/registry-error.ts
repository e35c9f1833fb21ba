import { AppError, type ErrorCode } from "@/lib/errors";

/** One entry of the `errors` array in a registry's error body (OCI distribution spec, "Error Codes"). */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

/**
 * An AppError raised while talking to a registry. It carries the registry's
 * HTTP status and `errors[]` and a URL with credentials removed.
 * `registryStatus` is separate from `status`, which stays the HTTP status that
 * Shipshape itself responds with for the error code.
 */
export class RegistryError extends AppError {
  /** HTTP status of the registry's response; null when no response arrived. */
  readonly registryStatus: number | null;
  readonly registryErrors: RegistryErrorEntry[];
  /** Request URL without userinfo and with credential query parameters redacted. */
  readonly url: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      url: string | URL;
      registryStatus?: number | null;
      registryErrors?: RegistryErrorEntry[];
      cause?: unknown;
      details?: Record<string, unknown>;
    },
  ) {
    const url = redactUrl(options.url);
    super(code, message, { cause: options.cause, details: { ...options.details, url } });
    this.name = "RegistryError";
    this.url = url;
    this.registryStatus = options.registryStatus ?? null;
    this.registryErrors = options.registryErrors ?? [];
  }
}

/**
 * Query parameters whose values grant access: bearer tokens in the query and
 * the signatures of presigned blob-storage URLs (S3 `X-Amz-*`, Google Cloud
 * Storage `X-Goog-*`, Azure SAS `sig`, CloudFront `Signature` and `Key-Pair-Id`).
 */
const SECRET_QUERY_PARAMETER = /token|signature|^sig$|credential|secret|password|passwd|^key|api[-_]?key|^policy$|^x-amz-|^x-goog-|^auth/i;

/**
 * Returns `url` without userinfo or fragment, with the values of credential
 * query parameters replaced by `[redacted]`. Text that is not a URL is
 * returned as `[invalid URL]` because it could contain anything.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "[invalid URL]";
  }

  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
  for (const name of new Set(parsed.searchParams.keys())) {
    if (SECRET_QUERY_PARAMETER.test(name)) {
      parsed.searchParams.set(name, "[redacted]");
    }
  }
  // URLSearchParams encodes the brackets; keep the marker readable.
  return parsed.toString().replaceAll("%5Bredacted%5D", "[redacted]");
}
