// Follows golang.org/x/mod/semver (IsValid and Compare), the ordering the go command uses for module versions.
import { InvalidVersionError } from "./invalid-version-error";
import { compareSemverPrecedence, type SemverPrecedenceParts } from "./semver-precedence";
import type { VersionOrdering } from "./version-ordering";

const numberPattern = "(0|[1-9][0-9]*)";
const identifiersPattern = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";

/**
 * The syntax vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]. The leading v is optional here because
 * OSV's Go records write versions without it (1.2.3), while go.mod and build information use v1.2.3.
 */
const goVersionPattern = new RegExp(`^v?${numberPattern}(?:\\.${numberPattern}(?:\\.${numberPattern}(?:-(${identifiersPattern}))?(?:\\+(${identifiersPattern}))?)?)?$`);

/** Parses a Go module version, or returns why it is invalid. */
function parseGoVersion(version: string): SemverPrecedenceParts | string {
  const match = goVersionPattern.exec(version);
  if (match === null) {
    return "Go expects vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]] with no spaces and no leading zeros in the numbers";
  }
  const [, major = "", minor = "0", patch = "0", prereleaseText] = match;
  const prerelease = prereleaseText === undefined ? [] : prereleaseText.split(".");
  if (prerelease.some((identifier) => /^0[0-9]+$/.test(identifier))) {
    return "a numeric pre-release identifier has a leading zero";
  }
  return { major, minor, patch, prerelease };
}

function parseOrThrow(version: string): SemverPrecedenceParts {
  const parsed = parseGoVersion(version);
  if (typeof parsed === "string") throw new InvalidVersionError("go", version, parsed);
  return parsed;
}

/**
 * Go module versions by SemVer precedence, as the go command orders them. v1 and v1.2 are short
 * for v1.0.0 and v1.2.0. Pseudo-versions such as v0.0.0-20210101000000-abcdef123456 are
 * pre-releases, so they sort before the release they precede, and build metadata such as
 * +incompatible is ignored (v2.0.0+incompatible equals v2.0.0).
 */
export const goOrdering: VersionOrdering = {
  scheme: "go",

  isValid(version) {
    return typeof parseGoVersion(version) !== "string";
  },

  compare(a, b) {
    return compareSemverPrecedence(parseOrThrow(a), parseOrThrow(b));
  },
};
