/**
 * Small version orderings for the advisory-matching tests, so those tests do not depend
 * on scoring/versions. SemVer and PEP 440 come from their packages. The dpkg ordering
 * follows Debian Policy 5.6.12. The apk, Maven and RubyGems orderings are simplified
 * and only meant for the versions these tests use.
 */
import * as pep440 from "@renovatebot/pep440";
import semver from "semver";
import type { VersionComparator } from "@/scoring/advisories/affected-range";
import { ecosystemBase } from "@/scoring/advisories/package-names";

export const semverOrdering: VersionComparator = {
  isValid: (version) => semver.valid(version) !== null,
  compare: (a, b) => semver.compare(a, b),
};

/** Go module versions are SemVer with a leading "v", which OSV records leave out. */
const withoutV = (version: string) => (version.startsWith("v") ? version.slice(1) : version);

export const goOrdering: VersionComparator = {
  isValid: (version) => semver.valid(withoutV(version)) !== null,
  compare: (a, b) => semver.compare(withoutV(a), withoutV(b)),
};

export const pep440Ordering: VersionComparator = {
  isValid: (version) => pep440.valid(version) !== null,
  compare: (a, b) => pep440.compare(a, b),
};

const dpkgPattern = /^(?:(\d+):)?(\d[A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/;

/** Returns dpkg's character weight. "~" sorts before everything, even the end of the string, and letters before other symbols. */
function dpkgWeight(character: string | undefined): number {
  if (character === undefined || /\d/.test(character)) return 0;
  if (character === "~") return -1;
  if (/[A-Za-z]/.test(character)) return character.charCodeAt(0);
  return character.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating runs of non-digits (by weight) and digits (numerically). */
function compareDpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const isDigit = (character: string | undefined) => character !== undefined && /\d/.test(character);
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const difference = dpkgWeight(a[i]) - dpkgWeight(b[j]);
      if (difference !== 0) return difference;
      i++;
      j++;
    }
    let digitsA = "";
    let digitsB = "";
    while (isDigit(a[i])) digitsA += a[i++];
    while (isDigit(b[j])) digitsB += b[j++];
    const difference = Number(digitsA || "0") - Number(digitsB || "0");
    if (difference !== 0) return difference;
  }
  return 0;
}

export const dpkgOrdering: VersionComparator = {
  isValid: (version) => dpkgPattern.test(version),
  compare: (a, b) => {
    const [, epochA = "0", upstreamA = "", revisionA = ""] = dpkgPattern.exec(a) ?? [];
    const [, epochB = "0", upstreamB = "", revisionB = ""] = dpkgPattern.exec(b) ?? [];
    return Number(epochA) - Number(epochB) || compareDpkgPart(upstreamA, upstreamB) || compareDpkgPart(revisionA, revisionB);
  },
};

const apkPattern = /^(\d+(?:\.\d+)*)([a-z]?)((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:-r(\d+))?$/;
/** apk suffix ranks: pre-release suffixes sort before none (rank 4), the others after. */
const apkSuffixRank: Record<string, number> = { alpha: 0, beta: 1, pre: 2, rc: 3, cvs: 5, svn: 6, git: 7, hg: 8, p: 9 };

function parseApk(version: string) {
  const [, numbers = "", letter = "", suffixes = "", revision = "0"] = apkPattern.exec(version) ?? [];
  return {
    numbers: numbers.split(".").map(Number),
    letter,
    suffixes: [...suffixes.matchAll(/_([a-z]+)(\d*)/g)].map(([, name = "", number]) => [apkSuffixRank[name] ?? 4, Number(number || "0")]),
    revision: Number(revision),
  };
}

function compareNumberLists(a: readonly number[], b: readonly number[], missing: number): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? missing) - (b[index] ?? missing);
    if (difference !== 0) return difference;
  }
  return 0;
}

export const apkOrdering: VersionComparator = {
  isValid: (version) => apkPattern.test(version),
  compare: (a, b) => {
    const left = parseApk(a);
    const right = parseApk(b);
    const numbers = compareNumberLists(left.numbers, right.numbers, -1);
    if (numbers !== 0) return numbers;
    if (left.letter !== right.letter) return left.letter < right.letter ? -1 : 1;
    for (let index = 0; index < Math.max(left.suffixes.length, right.suffixes.length); index++) {
      const difference = compareNumberLists(left.suffixes[index] ?? [4, 0], right.suffixes[index] ?? [4, 0], 0);
      if (difference !== 0) return difference;
    }
    return left.revision - right.revision;
  },
};

/** Maven qualifier ranks. Unknown qualifiers rank 8 and then sort alphabetically. */
const mavenQualifierRank: Record<string, number> = {
  alpha: 1, a: 1, beta: 2, b: 2, milestone: 3, m: 3, rc: 4, cr: 4, snapshot: 5, "": 6, ga: 6, final: 6, release: 6, sp: 7,
};

function mavenItems(version: string): Array<number | string> {
  return (version.toLowerCase().match(/\d+|[a-z]+/g) ?? []).map((item) => (/^\d/.test(item) ? Number(item) : item));
}

function compareMavenItems(a: number | string | undefined, b: number | string | undefined): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return b === undefined ? a : 1;
  if (typeof b === "number") return a === undefined ? -b : -1;
  const rankA = mavenQualifierRank[a ?? ""] ?? 8;
  const rankB = mavenQualifierRank[b ?? ""] ?? 8;
  if (rankA !== rankB) return rankA - rankB;
  if (rankA === 8 && a !== b) return (a ?? "") < (b ?? "") ? -1 : 1;
  return 0;
}

export const mavenOrdering: VersionComparator = {
  isValid: (version) => /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/.test(version),
  compare: (a, b) => {
    const left = mavenItems(a);
    const right = mavenItems(b);
    for (let index = 0; index < Math.max(left.length, right.length); index++) {
      const difference = compareMavenItems(left[index], right[index]);
      if (difference !== 0) return difference;
    }
    return 0;
  },
};

/** RubyGems segments: numbers compare numerically, and a letter segment marks a pre-release, which sorts lower. */
function rubygemsSegments(version: string): Array<number | string> {
  return (version.match(/\d+|[A-Za-z]+/g) ?? []).map((segment) => (/^\d/.test(segment) ? Number(segment) : segment));
}

export const rubygemsOrdering: VersionComparator = {
  isValid: (version) => /^\d+(?:\.[0-9A-Za-z]+)*$/.test(version),
  compare: (a, b) => {
    const left = rubygemsSegments(a);
    const right = rubygemsSegments(b);
    for (let index = 0; index < Math.max(left.length, right.length); index++) {
      const x = left[index] ?? 0;
      const y = right[index] ?? 0;
      if (typeof x === "number" && typeof y === "number") {
        if (x !== y) return x - y;
      } else if (typeof x === "string" && typeof y === "string") {
        if (x !== y) return x < y ? -1 : 1;
      } else {
        return typeof x === "string" ? -1 : 1;
      }
    }
    return 0;
  },
};

const orderingsByEcosystem: Record<string, VersionComparator> = {
  Alpine: apkOrdering,
  Debian: dpkgOrdering,
  Go: goOrdering,
  Maven: mavenOrdering,
  npm: semverOrdering,
  PyPI: pep440Ordering,
  RubyGems: rubygemsOrdering,
  Ubuntu: dpkgOrdering,
};

/** Returns the test ordering for an OSV ecosystem, or null when this file has none for it. */
export function testOrderingFor(ecosystem: string): VersionComparator | null {
  return orderingsByEcosystem[ecosystemBase(ecosystem)] ?? null;
}
