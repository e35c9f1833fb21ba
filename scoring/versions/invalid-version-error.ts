import type { VersionScheme } from "./version-ordering";

/**
 * The error a version ordering throws for a string its scheme rejects. The message names the
 * scheme, the value and the rule it breaks. It extends Error, not lib/errors' AppError, because
 * scoring/ imports none of the server's modules.
 */
export class InvalidVersionError extends Error {
  readonly scheme: VersionScheme;
  readonly version: string;

  constructor(scheme: VersionScheme, version: string, reason: string) {
    super(`Invalid ${scheme} version ${JSON.stringify(version)}: ${reason}.`);
    this.name = "InvalidVersionError";
    this.scheme = scheme;
    this.version = version;
  }
}
