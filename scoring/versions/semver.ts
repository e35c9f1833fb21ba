// Follows npm's ordering and range grammar through node-semver (the `semver` package npm itself uses).
import { compare as compareSemver, satisfies as satisfiesRange, valid as validSemver, validRange } from "semver";
import { InvalidVersionError } from "./invalid-version-error";
import type { VersionOrdering } from "./version-ordering";

/**
 * node-semver parsing options. `loose` also accepts forms that npm tolerates in old package.json
 * files, such as `=1.2.3`, `v 1.2.3` or `1.2.3beta`. `includePrerelease` lets a range match
 * pre-releases of versions other than the ones the range names.
 */
export interface SemverOptions {
  loose?: boolean;
  includePrerelease?: boolean;
}

/** The error satisfies() throws for a range that node-semver cannot parse. */
export class InvalidRangeError extends Error {
  readonly range: string;

  constructor(range: string) {
    super(`Invalid npm version range ${JSON.stringify(range)}: it does not follow node-semver's range grammar.`);
    this.name = "InvalidRangeError";
    this.range = range;
  }
}

const strictRule = "npm expects MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] with an optional leading v, numbers up to 2^53 - 1 and at most 256 characters";
const looseRule = "npm's loose mode expects MAJOR.MINOR.PATCH with an optional leading v or =, numbers up to 2^53 - 1 and at most 256 characters";

function checkOrThrow(version: string, options: SemverOptions): void {
  if (validSemver(version, options) === null) throw new InvalidVersionError("semver", version, options.loose ? looseRule : strictRule);
}

/**
 * Creates an npm version ordering. Build metadata does not affect the order (1.2.3+a equals
 * 1.2.3+b), as SemVer 2.0.0 requires. Versions node-semver rejects, including numbers above
 * 2^53 - 1 and more than three release numbers, throw InvalidVersionError.
 */
export function createSemverOrdering(options: SemverOptions = {}): VersionOrdering {
  return {
    scheme: "semver",

    isValid(version) {
      return validSemver(version, options) !== null;
    },

    compare(a, b) {
      checkOrThrow(a, options);
      checkOrThrow(b, options);
      return compareSemver(a, b, options);
    },
  };
}

/** npm package versions in node-semver's default (strict) mode. */
export const semverOrdering: VersionOrdering = createSemverOrdering();

/**
 * Returns whether an npm version is inside an npm range such as `^1.2.3 || >=2.0.0-rc.1 <2.1`.
 * Unlike node-semver's satisfies(), which returns false for input it cannot parse, this throws
 * InvalidVersionError for an invalid version and InvalidRangeError for an invalid range, so a
 * caller never mistakes a parse failure for "not affected".
 */
export function satisfies(version: string, range: string, options: SemverOptions = {}): boolean {
  checkOrThrow(version, options);
  if (validRange(range, options) === null) throw new InvalidRangeError(range);
  return satisfiesRange(version, range, options);
}
