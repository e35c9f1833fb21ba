// Follows RubyGems' Gem::Version (lib/rubygems/version.rb): correct?, the "-" to ".pre." rewrite, canonical_segments and <=>.
import { InvalidVersionError } from "./invalid-version-error";
import type { VersionOrdering } from "./version-ordering";

/** Gem::Version::VERSION_PATTERN, with the surrounding whitespace that Gem::Version strips. */
const gemVersionPattern = /^\s*[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*$/;

/** A number (a decimal string without leading zeros) or a run of letters. */
interface Segment {
  numeric: boolean;
  value: string;
}

function findGemVersionProblem(version: string): string | null {
  // NOTE: Gem::Version reads a blank string as version 0. Shipshape rejects it instead, because a
  // blank installed version is missing data rather than version 0.
  if (version.trim() === "") return "the version is empty";
  if (!gemVersionPattern.test(version)) {
    return "RubyGems expects numbers and letters separated by dots, starting with a number, optionally followed by -pre-release parts";
  }
  return null;
}

/** Splits a version into number and letter runs ("1.0.rc1" into 1, 0, rc, 1). A "-" starts a pre-release, as ".pre." would. */
function segmentsOf(version: string): Segment[] {
  const rewritten = version.trim().replaceAll("-", ".pre.");
  return (rewritten.match(/[0-9]+|[a-zA-Z]+/g) ?? []).map((run) =>
    /^[0-9]/.test(run) ? { numeric: true, value: run.replace(/^0+/, "") || "0" } : { numeric: false, value: run },
  );
}

function isZero(segment: Segment): boolean {
  return segment.numeric && segment.value === "0";
}

function withoutTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && isZero(segments[end - 1] as Segment)) end--;
  return segments.slice(0, end);
}

/**
 * Splits a version into segments and drops trailing zeros from the release part (before the first
 * letter segment) and from the pre-release part, like Gem::Version#canonical_segments, so 1.0 = 1
 * and 1.0.a.0 = 1.a.
 */
function canonicalSegments(version: string): Segment[] {
  const segments = segmentsOf(version);
  const firstLetters = segments.findIndex((segment) => !segment.numeric);
  if (firstLetters < 0) return withoutTrailingZeros(segments);
  return [...withoutTrailingZeros(segments.slice(0, firstLetters)), ...withoutTrailingZeros(segments.slice(firstLetters))];
}

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const zero: Segment = { numeric: true, value: "0" };

/**
 * Gem::Version#<=>: segments compare left to right, a missing segment counts as 0, numbers compare
 * numerically, letters compare as case-sensitive strings, and letters sort before any number, so a
 * version with letters is a pre-release of the one without (1.0.0.rc1 < 1.0.0).
 */
function compareGemVersions(a: string, b: string): number {
  const left = canonicalSegments(a);
  const right = canonicalSegments(b);
  const length = Math.max(left.length, right.length);

  for (let index = 0; index < length; index++) {
    const segmentA = left[index] ?? zero;
    const segmentB = right[index] ?? zero;
    if (segmentA.numeric !== segmentB.numeric) return segmentA.numeric ? 1 : -1;
    const result = segmentA.numeric ? compareNumbers(segmentA.value, segmentB.value) : compareStrings(segmentA.value, segmentB.value);
    if (result !== 0) return result;
  }
  return 0;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function checkOrThrow(version: string): void {
  const problem = findGemVersionProblem(version);
  if (problem !== null) throw new InvalidVersionError("rubygems", version, problem);
}

/** RubyGems package versions as Bundler and `gem` order them. */
export const rubygemsOrdering: VersionOrdering = {
  scheme: "rubygems",

  isValid(version) {
    return findGemVersionProblem(version) === null;
  },

  compare(a, b) {
    checkOrThrow(a);
    checkOrThrow(b);
    return compareGemVersions(a, b);
  },
};
