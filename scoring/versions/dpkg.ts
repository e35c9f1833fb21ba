// Follows dpkg's parseversion() (lib/dpkg/parsehelp.c), verrevcmp() and dpkg_version_compare() (lib/dpkg/version.c).
import { InvalidVersionError } from "./invalid-version-error";
import type { VersionOrdering } from "./version-ordering";

/** The three parts of a Debian version, [epoch:]upstream_version[-debian_revision]. */
export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** dpkg stores the epoch in an int and rejects larger values. */
const maxEpoch = 2_147_483_647;

const utf8 = new TextEncoder();

/**
 * Splits a Debian version into epoch, upstream version and revision, or returns why dpkg rejects it.
 * The revision starts after the last hyphen, so the upstream version may contain hyphens.
 *
 * Only dpkg's errors make a version invalid. dpkg reports an upstream version that does not start
 * with a digit, or characters outside Debian Policy, as warnings when it reads its database and
 * still compares such versions, so this function accepts them too.
 */
export function parseDpkgVersion(version: string): DpkgVersion | string {
  const trimmed = version.replace(/^[ \t]+|[ \t]+$/g, "");
  if (trimmed === "") return "the version is empty";
  if (/[ \t]/.test(trimmed)) return "the version contains spaces";

  let epoch = 0;
  let rest = trimmed;
  const colon = trimmed.indexOf(":");
  if (colon >= 0) {
    const epochText = trimmed.slice(0, colon);
    if (epochText === "") return "the epoch before the colon is empty";
    if (!/^[0-9]+$/.test(epochText)) return "the epoch before the colon is not a number";
    epoch = Number(epochText);
    if (epoch > maxEpoch) return `the epoch is larger than ${maxEpoch}`;
    rest = trimmed.slice(colon + 1);
    if (rest === "") return "nothing follows the epoch colon";
  }

  const hyphen = rest.lastIndexOf("-");
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : "";
  if (hyphen >= 0 && revision === "") return "the revision after the last hyphen is empty";
  if (upstream === "") return "the upstream version is empty";
  return { epoch, upstream, revision };
}

function isDigit(byte: number | undefined): byte is number {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function isLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/** Sort weight of one byte in a non-digit run: `~` before the end of the part, the end before letters, letters before everything else. */
function nonDigitWeight(byte: number | undefined): number {
  if (byte === undefined || isDigit(byte)) return 0;
  if (byte === 0x7e) return -1;
  if (isLetter(byte)) return byte;
  return byte + 256;
}

/**
 * Compares two upstream versions or two revisions the way dpkg's verrevcmp() does: alternating
 * runs of non-digits (compared by nonDigitWeight) and digits (compared as numbers of any length).
 */
export function compareDpkgPart(left: string, right: string): number {
  const a = utf8.encode(left);
  const b = utf8.encode(right);
  let i = 0;
  let j = 0;

  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const difference = nonDigitWeight(a[i]) - nonDigitWeight(b[j]);
      if (difference !== 0) return Math.sign(difference);
      i++;
      j++;
    }

    while (a[i] === 0x30) i++;
    while (b[j] === 0x30) j++;

    // After leading zeros, the longer digit run is the larger number. Runs of equal length differ at their first differing digit.
    let firstDifference = 0;
    let digitA = a[i];
    let digitB = b[j];
    while (isDigit(digitA) && isDigit(digitB)) {
      if (firstDifference === 0) firstDifference = digitA - digitB;
      i++;
      j++;
      digitA = a[i];
      digitB = b[j];
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDifference !== 0) return Math.sign(firstDifference);
  }
  return 0;
}

function parseOrThrow(version: string): DpkgVersion {
  const parsed = parseDpkgVersion(version);
  if (typeof parsed === "string") throw new InvalidVersionError("dpkg", version, parsed);
  return parsed;
}

/** Debian and Ubuntu package versions: the epoch, then the upstream version, then the revision. */
export const dpkgOrdering: VersionOrdering = {
  scheme: "dpkg",

  isValid(version) {
    return typeof parseDpkgVersion(version) !== "string";
  },

  compare(a, b) {
    const left = parseOrThrow(a);
    const right = parseOrThrow(b);
    if (left.epoch !== right.epoch) return left.epoch < right.epoch ? -1 : 1;
    return compareDpkgPart(left.upstream, right.upstream) || compareDpkgPart(left.revision, right.revision);
  },
};
