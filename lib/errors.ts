/**
 * The one application error type. `code` is stable and from a closed list. The
 * `message` names what failed, on which value, and what to do next, so it can be shown to users.
 */
export const errorCodes = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  REGISTRY_UNREACHABLE: 502,
  REGISTRY_AUTH_FAILED: 502,
  REGISTRY_ERROR: 502,
  DIGEST_MISMATCH: 502,
  MALFORMED_MANIFEST: 502,
  SERVER_UNREACHABLE: 502,
  SERVER_ERROR: 502,
  TIMEOUT: 504,
  CONFIGURATION: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details ?? {};
  }

  get status(): number {
    return errorCodes[this.code];
  }
}

/** Returns the message safe to show a user: an AppError's own, a generic text for anything else. */
export function publicMessage(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return "An unexpected error occurred. The server log has the details.";
}
