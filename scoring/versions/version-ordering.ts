// Uses the ecosystem names of the OSV schema (affected[].package.ecosystem) to pick a version ordering.
import { apkOrdering } from "./apk";
import { cargoOrdering } from "./cargo";
import { dpkgOrdering } from "./dpkg";
import { goOrdering } from "./go";
import { mavenOrdering } from "./maven";
import { pep440Ordering } from "./pep440";
import { rpmOrdering } from "./rpm";
import { rubygemsOrdering } from "./rubygems";
import { semverOrdering } from "./semver";

export { InvalidVersionError } from "./invalid-version-error";

/** A version scheme: the rules one packaging ecosystem uses to parse and order its version strings. */
export type VersionScheme = "dpkg" | "apk" | "rpm" | "pep440" | "semver" | "go" | "cargo" | "maven" | "rubygems";

/** The total order of one version scheme, for matching installed packages against OSV affected ranges. */
export interface VersionOrdering {
  readonly scheme: VersionScheme;
  /** Returns whether the scheme accepts the string. compare() throws for exactly the strings this rejects. */
  isValid(version: string): boolean;
  /**
   * Returns a negative number when a sorts before b, 0 when they are equal in this scheme (such as
   * 1.0 and 1.0.0 in Maven) and a positive number when a sorts after b. Throws InvalidVersionError,
   * naming the value, when either string is invalid.
   */
  compare(a: string, b: string): number;
}

const orderings: Readonly<Record<VersionScheme, VersionOrdering>> = {
  dpkg: dpkgOrdering,
  apk: apkOrdering,
  rpm: rpmOrdering,
  pep440: pep440Ordering,
  semver: semverOrdering,
  go: goOrdering,
  cargo: cargoOrdering,
  maven: mavenOrdering,
  rubygems: rubygemsOrdering,
};

/** Returns the ordering of a version scheme. */
export function orderingFor(scheme: VersionScheme): VersionOrdering {
  return orderings[scheme];
}

/**
 * OSV ecosystem names (the part before the first colon) and the version scheme their records use.
 * Names are case-sensitive, as in the OSV schema.
 */
const schemesByEcosystem: ReadonlyMap<string, VersionScheme> = new Map([
  ["Debian", "dpkg"],
  ["Ubuntu", "dpkg"],
  ["Alpine", "apk"],
  ["Chainguard", "apk"],
  ["Wolfi", "apk"],
  ["AlmaLinux", "rpm"],
  ["Azure Linux", "rpm"],
  ["Mageia", "rpm"],
  ["openEuler", "rpm"],
  ["openSUSE", "rpm"],
  ["Red Hat", "rpm"],
  ["Rocky Linux", "rpm"],
  ["SUSE", "rpm"],
  ["PyPI", "pep440"],
  ["npm", "semver"],
  ["Go", "go"],
  ["crates.io", "cargo"],
  ["Maven", "maven"],
  ["RubyGems", "rubygems"],
]);

/**
 * Returns the version scheme of an OSV `affected[].package.ecosystem` value, or null for an
 * ecosystem that Shipshape has no ordering for. Only the name before the first colon counts, so
 * "Debian:12", "Ubuntu:Pro:14.04:LTS" and "Red Hat:enterprise_linux:9::appstream" map by name.
 */
export function schemeForEcosystem(osvEcosystem: string): VersionScheme | null {
  const colon = osvEcosystem.indexOf(":");
  const name = colon >= 0 ? osvEcosystem.slice(0, colon) : osvEcosystem;
  return schemesByEcosystem.get(name) ?? null;
}

/** Returns the version ordering that an OSV ecosystem's records use ("Debian:12" → dpkg), or null for an ecosystem without one. */
export function orderingForEcosystem(osvEcosystem: string): VersionOrdering | null {
  const scheme = schemeForEcosystem(osvEcosystem);
  return scheme === null ? null : orderingFor(scheme);
}
