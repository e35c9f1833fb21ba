// Follows the version order specification of Maven's POM reference (maven.apache.org/pom.html) and Maven 3.9's ComparableVersion.
import { InvalidVersionError } from "./invalid-version-error";
import type { VersionOrdering } from "./version-ordering";

/** One token of a Maven version and the separator before it. The first token has no separator. */
interface MavenToken {
  separator: "." | "-" | "";
  /** A decimal number without leading zeros, or a lower-case qualifier ("" for a release). */
  value: string;
  numeric: boolean;
}

/** Known qualifiers in ascending order. Unknown qualifiers sort after all of them, alphabetically. */
const knownQualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/** Spellings that mean the same as a known qualifier. ga, final and release mean a plain release. */
const qualifierAliases: ReadonlyMap<string, string> = new Map([
  ["cr", "rc"],
  ["ga", ""],
  ["final", ""],
  ["release", ""],
]);

/** Single letters that abbreviate a qualifier when a number follows them directly, as in 1.0a1. */
const letterAbbreviations: ReadonlyMap<string, string> = new Map([
  ["a", "alpha"],
  ["b", "beta"],
  ["m", "milestone"],
]);

/** Characters that Maven's DefaultModelValidator rejects in a version, plus whitespace. */
const forbiddenCharacters = /[\\/:"<>|?*\s]/;

function isNull(token: MavenToken): boolean {
  return token.numeric ? token.value === "0" : token.value === "";
}

/** Splits a run between separators at every change between digits and other characters, e.g. "1rc2" into 1, rc, 2. */
function splitAtTransitions(run: string): string[] {
  return run.match(/[0-9]+|[^0-9]+/g) ?? [""];
}

/**
 * Splits a version into tokens as the POM reference describes: at `.` and `-`, and at changes
 * between digits and letters, which count as `-`. Empty tokens become 0. Then trailing null tokens
 * (0 and the release qualifier) are removed from the end and before every remaining `-`.
 */
function tokenize(version: string): MavenToken[] {
  const tokens: MavenToken[] = [];
  const runs = version.toLowerCase().split(/([.-])/);

  for (let index = 0; index < runs.length; index += 2) {
    const separator = index === 0 ? "" : (runs[index - 1] as "." | "-");
    const parts = splitAtTransitions(runs[index] ?? "");

    parts.forEach((part, position) => {
      const numeric = part === "" || /^[0-9]/.test(part);
      let value: string;
      if (numeric) {
        value = part.replace(/^0+/, "") || "0";
      } else {
        const followedByNumber = position < parts.length - 1;
        const abbreviation = followedByNumber ? letterAbbreviations.get(part) : undefined;
        value = abbreviation ?? qualifierAliases.get(part) ?? part;
      }
      // Maven 3.9 treats a qualifier after "." like one after "-" when a number follows it directly
      // or it ends the version, so 1.0.RC2 < 1.0-RC3 < 1.0.1 and 2.0.a < 2-1.
      const endsVersion = index === runs.length - 1 && position === parts.length - 1;
      const qualifierAfterDot = !numeric && position === 0 && separator === "." && (position < parts.length - 1 || endsVersion);
      tokens.push({ separator: position === 0 && !qualifierAfterDot ? separator : "-", value, numeric });
    });
  }

  trimNullTokens(tokens);
  return tokens;
}

function trimNullTokens(tokens: MavenToken[]): void {
  let index = tokens.length - 1;
  while (index > 0) {
    const token = tokens[index];
    if (token !== undefined && isNull(token)) {
      tokens.splice(index, 1);
      index--;
      continue;
    }
    // Jump to the token just before the nearest `-` at or before this one, and trim from there.
    while (index >= 0 && tokens[index]?.separator !== "-") index--;
    index--;
  }
}

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function qualifierRank(qualifier: string): number {
  const rank = knownQualifiers.indexOf(qualifier);
  return rank >= 0 ? rank : knownQualifiers.length;
}

function compareQualifiers(a: string, b: string): number {
  const byRank = qualifierRank(a) - qualifierRank(b);
  if (byRank !== 0) return Math.sign(byRank);
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Rank of a token against one with a different separator: a qualifier, then a `-` number, then a `.` number. */
function separatorRank(token: MavenToken): number {
  if (!token.numeric) return 0;
  return token.separator === "-" ? 1 : 2;
}

function compareTokens(a: MavenToken, b: MavenToken): number {
  if (!a.numeric && !b.numeric) return compareQualifiers(a.value, b.value);
  if (a.separator === b.separator) {
    if (a.numeric && b.numeric) return compareNumbers(a.value, b.value);
    return a.numeric ? 1 : -1;
  }
  return Math.sign(separatorRank(a) - separatorRank(b));
}

/** The token that pads the shorter version: 0 against a number, the release qualifier against a qualifier. */
function paddingFor(other: MavenToken): MavenToken {
  return { separator: other.separator, value: other.numeric ? "0" : "", numeric: other.numeric };
}

/** Compares two Maven versions. It accepts any string, so callers check validity first. */
function compareMavenVersions(a: string, b: string): number {
  const left = tokenize(a);
  const right = tokenize(b);
  const length = Math.max(left.length, right.length);

  for (let index = 0; index < length; index++) {
    const tokenA = left[index];
    const tokenB = right[index];
    if (tokenA === undefined && tokenB === undefined) break;
    const result = compareTokens(tokenA ?? paddingFor(tokenB as MavenToken), tokenB ?? paddingFor(tokenA as MavenToken));
    if (result !== 0) return result;
  }
  return 0;
}

function findMavenProblem(version: string): string | null {
  if (version === "") return "the version is empty";
  if (version.includes("${")) return "the version contains an unresolved ${...} property expression";
  if (forbiddenCharacters.test(version)) return 'it contains whitespace or one of \\ / : " < > | ? *, which Maven rejects in versions';
  return null;
}

function checkOrThrow(version: string): void {
  const problem = findMavenProblem(version);
  if (problem !== null) throw new InvalidVersionError("maven", version, problem);
}

/**
 * Maven artifact versions. Qualifiers order alpha < beta < milestone < rc = cr < snapshot <
 * release (no qualifier, ga, final or release) < sp < unknown qualifiers (alphabetical), and a
 * number sorts after any qualifier. Missing trailing parts count as 0 or as no qualifier, so
 * 1 = 1.0 = 1.0.0 = 1-ga, 1-SNAPSHOT < 1 and 1-sp > 1.
 */
export const mavenOrdering: VersionOrdering = {
  scheme: "maven",

  isValid(version) {
    return findMavenProblem(version) === null;
  },

  compare(a, b) {
    checkOrThrow(a);
    checkOrThrow(b);
    return compareMavenVersions(a, b);
  },
};
