/**
 * Decides whether one version of a package lies in an OSV `affected` entry. It follows
 * the evaluation algorithm of the OSV schema ("Evaluation" in
 * https://ossf.github.io/osv-schema/). A version is affected when the `versions` list
 * names it or when it lies in one of the `ECOSYSTEM` or `SEMVER` ranges.
 */
import type { OsvAffected, OsvEvent, OsvRange } from "@/scoring/advisories/osv-record";

/**
 * The part of a version ordering that matching needs. The orderings in scoring/versions
 * (`VersionOrdering`) satisfy it, and tests pass small orderings of their own.
 */
export interface VersionComparator {
  isValid(version: string): boolean;
  /** Negative when a sorts before b, zero when they are equal, positive when a sorts after b. */
  compare(a: string, b: string): number;
}

export interface AffectedResult {
  affected: boolean;
  /**
   * The version to upgrade to: the lowest `fixed` event above the version in the range
   * that matched. Null when the version is not affected or no fix is named.
   */
  fixedVersion: string | null;
  /** Ranges that could not be evaluated, each with the reason. */
  problems: string[];
}

/** Whether one range contains the version and, if so, its lowest fix above the version. */
interface RangeMatch {
  affected: boolean;
  fixedVersion: string | null;
}

/**
 * Evaluates one `affected` entry for one version with the ecosystem's ordering.
 *
 * `SEMVER` ranges are compared with the same ordering as `ECOSYSTEM` ranges: the
 * ecosystems that use them (Go, npm, crates.io) order versions as SemVer 2.0 does.
 * `GIT` ranges are ignored because they need the repository's commit graph.
 *
 * A range whose event versions, or the version itself, the ordering rejects is skipped
 * and reported in `problems`, so a caller can show that a result may be incomplete.
 */
export function isAffected(version: string, affected: OsvAffected, ordering: VersionComparator): AffectedResult {
  const problems: string[] = [];
  const versionIsValid = ordering.isValid(version);
  const listed = affected.versions.some((listedVersion) => sameVersion(listedVersion, version, versionIsValid, ordering));

  const evaluable: OsvRange[] = [];
  affected.ranges.forEach((range, index) => {
    if (range.type === "GIT") return;
    if (!versionIsValid) {
      problems.push(`ranges[${index}] was not evaluated: "${version}" is not a valid version in this ecosystem's ordering`);
      return;
    }
    const invalid = invalidEventVersions(range, ordering);
    if (invalid.length > 0) {
      const quoted = invalid.map((eventVersion) => `"${eventVersion}"`).join(", ");
      const verb = invalid.length === 1 ? "is not a valid version" : "are not valid versions";
      problems.push(`ranges[${index}] was not evaluated: ${quoted} ${verb} in this ecosystem's ordering`);
      return;
    }
    evaluable.push(range);
  });

  const matches = evaluable.map((range) => matchRange(version, range, ordering)).filter((match) => match.affected);
  if (matches.length > 0) {
    return { affected: true, fixedVersion: combineFixedVersions(matches.map((match) => match.fixedVersion), ordering), problems };
  }

  if (listed) {
    // Named only by the versions list: offer the lowest fix above the version in any range.
    const fixes = evaluable.map((range) => lowestFixAbove(version, sortedEvents(range, ordering), ordering));
    const known = fixes.filter((fix): fix is string => fix !== null);
    return { affected: true, fixedVersion: lowest(known, ordering), problems };
  }

  return { affected: false, fixedVersion: null, problems };
}

/**
 * Picks the version that fixes every one of several matches: the highest of their fixed
 * versions, or null when any of them names no fix.
 */
export function combineFixedVersions(fixedVersions: readonly (string | null)[], ordering: VersionComparator): string | null {
  let highest: string | null = null;
  for (const fixedVersion of fixedVersions) {
    if (fixedVersion === null) return null;
    if (highest === null || ordering.compare(fixedVersion, highest) > 0) highest = fixedVersion;
  }
  return highest;
}

/**
 * Compares a listed version with the installed one. The schema compares strings, but
 * equal versions written differently ("1.0" and "1.0.0" in PEP 440, "v1.2.3" and
 * "1.2.3" in Go) are the same release, so the ordering decides when it accepts both.
 */
function sameVersion(listedVersion: string, version: string, versionIsValid: boolean, ordering: VersionComparator): boolean {
  if (listedVersion === version) return true;
  return versionIsValid && ordering.isValid(listedVersion) && ordering.compare(listedVersion, version) === 0;
}

/** Reports whether the event is `introduced: "0"`, which sorts before every version. */
function isIntroducedAtStart(event: OsvEvent): boolean {
  return "introduced" in event && event.introduced === "0";
}

/** Reports whether a limit event means no limit, which a version containing "*" does. */
function isUnlimited(event: OsvEvent): boolean {
  return "limit" in event && event.limit.includes("*");
}

function eventVersion(event: OsvEvent): string {
  if ("introduced" in event) return event.introduced;
  if ("fixed" in event) return event.fixed;
  if ("last_affected" in event) return event.last_affected;
  return event.limit;
}

function invalidEventVersions(range: OsvRange, ordering: VersionComparator): string[] {
  return range.events
    .filter((event) => !isIntroducedAtStart(event) && !isUnlimited(event))
    .map(eventVersion)
    .filter((version) => !ordering.isValid(version));
}

/** Returns the introduced, fixed and last_affected events in version order. Ties keep the record's order. */
function sortedEvents(range: OsvRange, ordering: VersionComparator): OsvEvent[] {
  const timeline = range.events.filter((event) => !("limit" in event));
  return timeline.toSorted((a, b) => {
    if (isIntroducedAtStart(a)) return isIntroducedAtStart(b) ? 0 : -1;
    if (isIntroducedAtStart(b)) return 1;
    return ordering.compare(eventVersion(a), eventVersion(b));
  });
}

/** Checks the schema's BeforeLimits: the version is below one of the limits, or the range has none. */
function isBeforeLimits(version: string, range: OsvRange, ordering: VersionComparator): boolean {
  const limits = range.events.filter((event) => "limit" in event);
  if (limits.length === 0) return true;
  return limits.some((event) => isUnlimited(event) || ordering.compare(version, eventVersion(event)) < 0);
}

function matchRange(version: string, range: OsvRange, ordering: VersionComparator): RangeMatch {
  if (!isBeforeLimits(version, range, ordering)) return { affected: false, fixedVersion: null };

  const events = sortedEvents(range, ordering);

  // The walk from the schema's IncludedInRanges. An introduced event at or below the
  // version sets affected, and a fixed event at or below it or a last_affected event
  // below it clears it again. The events are sorted, so the last one reached decides.
  let affected = false;
  for (const event of events) {
    if ("introduced" in event) {
      if (isIntroducedAtStart(event) || ordering.compare(version, event.introduced) >= 0) affected = true;
    } else if ("fixed" in event) {
      if (ordering.compare(version, event.fixed) >= 0) affected = false;
    } else if ("last_affected" in event) {
      if (ordering.compare(version, event.last_affected) > 0) affected = false;
    }
  }

  if (!affected) return { affected: false, fixedVersion: null };
  return { affected: true, fixedVersion: lowestFixAbove(version, events, ordering) };
}

function lowestFixAbove(version: string, events: readonly OsvEvent[], ordering: VersionComparator): string | null {
  const fixes = events.flatMap((event) => ("fixed" in event && ordering.compare(event.fixed, version) > 0 ? [event.fixed] : []));
  return lowest(fixes, ordering);
}

function lowest(versions: readonly string[], ordering: VersionComparator): string | null {
  let lowestVersion: string | null = null;
  for (const version of versions) {
    if (lowestVersion === null || ordering.compare(version, lowestVersion) < 0) lowestVersion = version;
  }
  return lowestVersion;
}
