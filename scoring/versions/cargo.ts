// Follows SemVer 2.0.0 with the parsing rules of the Rust `semver` crate 1.x (Version::parse), which Cargo and crates.io use.
import { InvalidVersionError } from "./invalid-version-error";
import { compareDecimalStrings, compareSemverPrecedence, type SemverPrecedenceParts } from "./semver-precedence";
import type { VersionOrdering } from "./version-ordering";

const cargoVersionPattern = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** The semver crate stores major, minor and patch in a u64. */
const maxNumber = "18446744073709551615";

/** Parses a crate version, or returns why the semver crate would reject it. */
function parseCargoVersion(version: string): SemverPrecedenceParts | string {
  const match = cargoVersionPattern.exec(version);
  if (match === null) {
    return "Cargo expects MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] with no leading v, no spaces and no leading zeros in the numbers";
  }
  const [, major = "", minor = "", patch = "", prereleaseText] = match;
  if ([major, minor, patch].some((number) => compareDecimalStrings(number, maxNumber) > 0)) {
    return `a release number is larger than ${maxNumber}`;
  }
  const prerelease = prereleaseText === undefined ? [] : prereleaseText.split(".");
  if (prerelease.some((identifier) => /^0[0-9]+$/.test(identifier))) {
    return "a numeric pre-release identifier has a leading zero";
  }
  return { major, minor, patch, prerelease };
}

function parseOrThrow(version: string): SemverPrecedenceParts {
  const parsed = parseCargoVersion(version);
  if (typeof parsed === "string") throw new InvalidVersionError("cargo", version, parsed);
  return parsed;
}

/**
 * crates.io package versions by SemVer precedence. Build metadata is ignored, so 1.0.0+a equals
 * 1.0.0+b. The semver crate's own Ord breaks such ties by the build metadata, but Cargo ignores it
 * when matching version requirements, and so does vulnerability matching here.
 */
export const cargoOrdering: VersionOrdering = {
  scheme: "cargo",

  isValid(version) {
    return typeof parseCargoVersion(version) !== "string";
  },

  compare(a, b) {
    return compareSemverPrecedence(parseOrThrow(a), parseOrThrow(b));
  },
};
