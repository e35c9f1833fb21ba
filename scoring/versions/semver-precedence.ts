// Implements SemVer 2.0.0 section 11 (precedence) for the Go and Cargo orderings, with numbers of any length.

/** The parts of a SemVer version that decide precedence. Numbers are decimal strings without leading zeros. */
export interface SemverPrecedenceParts {
  major: string;
  minor: string;
  patch: string;
  /** Dot-separated pre-release identifiers; empty for a release. */
  prerelease: readonly string[];
}

/** Compares two decimal strings without leading zeros as unbounded integers. */
export function compareDecimalStrings(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const numericIdentifier = /^[0-9]+$/;

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = numericIdentifier.test(a);
  const bNumeric = numericIdentifier.test(b);
  if (aNumeric && bNumeric) return compareDecimalStrings(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Compares two versions by SemVer precedence. Major, minor and patch compare numerically, and a
 * pre-release sorts before its release. Pre-release identifiers compare left to right: numeric
 * ones numerically and before alphanumeric ones, which compare in ASCII order. When all shared
 * identifiers are equal, the shorter list sorts first. Build metadata never decides.
 */
export function compareSemverPrecedence(a: SemverPrecedenceParts, b: SemverPrecedenceParts): number {
  const release = compareDecimalStrings(a.major, b.major) || compareDecimalStrings(a.minor, b.minor) || compareDecimalStrings(a.patch, b.patch);
  if (release !== 0) return release;

  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    if (a.prerelease.length === b.prerelease.length) return 0;
    return a.prerelease.length === 0 ? 1 : -1;
  }

  const shared = Math.min(a.prerelease.length, b.prerelease.length);
  for (let index = 0; index < shared; index++) {
    const result = compareIdentifiers(a.prerelease[index] ?? "", b.prerelease[index] ?? "");
    if (result !== 0) return result;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}
