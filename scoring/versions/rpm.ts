// Follows rpm's rpmvercmp() for each part, parseEVR() for splitting epoch, version and release, and rpmverCmp() for their order.
import { InvalidVersionError } from "./invalid-version-error";
import type { VersionOrdering } from "./version-ordering";

/** An RPM [epoch:]version[-release]. A missing epoch or release is null, which is not the same as an empty one. */
export interface RpmVersion {
  epoch: string | null;
  version: string;
  release: string | null;
}

function isDigit(character: string | undefined): boolean {
  return character !== undefined && character >= "0" && character <= "9";
}

function isLetter(character: string | undefined): boolean {
  return character !== undefined && ((character >= "a" && character <= "z") || (character >= "A" && character <= "Z"));
}

/** Characters that rpmvercmp() skips: everything except ASCII letters, digits, `~` and `^`. */
function isSeparator(character: string): boolean {
  return !isDigit(character) && !isLetter(character) && character !== "~" && character !== "^";
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Compares one version or release string as rpmvercmp() does. Runs of digits compare as numbers
 * and runs of letters compare as strings, a digit run is newer than a letter run, other characters
 * only separate runs, `~` sorts before everything including the end of the string (1.0~rc1 < 1.0),
 * and `^` sorts after the end of the string but before anything else (1.0 < 1.0^git1 < 1.0.1).
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;

  while (i < a.length || j < b.length) {
    while (i < a.length && isSeparator(a[i] ?? "")) i++;
    while (j < b.length && isSeparator(b[j] ?? "")) j++;
    const charA = a[i];
    const charB = b[j];

    if (charA === "~" || charB === "~") {
      if (charA !== "~") return 1;
      if (charB !== "~") return -1;
      i++;
      j++;
      continue;
    }

    if (charA === "^" || charB === "^") {
      if (charA === undefined) return -1;
      if (charB === undefined) return 1;
      if (charA !== "^") return 1;
      if (charB !== "^") return -1;
      i++;
      j++;
      continue;
    }

    if (charA === undefined || charB === undefined) break;

    const numeric = isDigit(charA);
    const inRun = numeric ? isDigit : isLetter;
    const startA = i;
    const startB = j;
    while (inRun(a[i])) i++;
    while (inRun(b[j])) j++;
    let runA = a.slice(startA, i);
    let runB = b.slice(startB, j);

    // The runs have different types: a number is newer than letters.
    if (runB === "") return numeric ? 1 : -1;

    if (numeric) {
      runA = runA.replace(/^0+/, "");
      runB = runB.replace(/^0+/, "");
      if (runA.length !== runB.length) return runA.length > runB.length ? 1 : -1;
    }
    const result = compareStrings(runA, runB);
    if (result !== 0) return result;
  }

  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/**
 * Splits an RPM EVR string as rpm's parseEVR() does, or returns why it is rejected. The epoch is
 * the run of leading digits when a colon follows it (an empty run means epoch 0), and the release
 * starts after the last hyphen. A colon after anything but digits is part of the version.
 */
export function parseRpmVersion(evr: string): RpmVersion | string {
  if (evr === "") return "the version is empty";
  if (/\s/.test(evr)) return "the version contains whitespace";

  const leadingDigits = /^[0-9]*/.exec(evr)?.[0] ?? "";
  const hasEpoch = evr[leadingDigits.length] === ":";
  const epoch = hasEpoch ? leadingDigits || "0" : null;
  const rest = hasEpoch ? evr.slice(leadingDigits.length + 1) : evr;

  const hyphen = rest.lastIndexOf("-");
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : null;
  if (version === "") return "the version between the epoch and the release is empty";
  return { epoch, version, release };
}

/** Compares two optional parts: a missing part is older than any present one, even an empty one. */
function compareOptional(a: string | null, b: string | null): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return a === null ? -1 : 1;
  }
  return rpmvercmp(a, b);
}

function parseOrThrow(evr: string): RpmVersion {
  const parsed = parseRpmVersion(evr);
  if (typeof parsed === "string") throw new InvalidVersionError("rpm", evr, parsed);
  return parsed;
}

/**
 * Red Hat, AlmaLinux, Rocky Linux, SUSE and other RPM package versions: the epoch (missing means 0),
 * then the version, then the release, each compared with rpmvercmp(). A version without a release
 * sorts before the same version with any release.
 */
export const rpmOrdering: VersionOrdering = {
  scheme: "rpm",

  isValid(version) {
    return typeof parseRpmVersion(version) !== "string";
  },

  compare(a, b) {
    const left = parseOrThrow(a);
    const right = parseOrThrow(b);
    return (
      rpmvercmp(left.epoch ?? "0", right.epoch ?? "0") ||
      rpmvercmp(left.version, right.version) ||
      compareOptional(left.release, right.release)
    );
  },
};
