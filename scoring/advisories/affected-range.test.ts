import { describe, expect, test } from "vitest";
import { combineFixedVersions, isAffected, type VersionComparator } from "@/scoring/advisories/affected-range";
import type { OsvAffected } from "@/scoring/advisories/osv-record";
import { type BoundaryCase, boundaryCases, evaluateBoundary } from "@/scoring/advisories/testdata/boundary-cases";
import { fixture, osvFixtures, parsed, withChange } from "@/scoring/advisories/testdata/records";
import {
  apkOrdering,
  dpkgOrdering,
  goOrdering,
  mavenOrdering,
  pep440Ordering,
  rubygemsOrdering,
  semverOrdering,
  testOrderingFor,
} from "@/scoring/advisories/testdata/test-orderings";

function expectBoundary(boundary: BoundaryCase) {
  const [, , , affected, fixedVersion] = boundary;
  const result = evaluateBoundary(boundary, testOrderingFor);

  expect(result.affected).toBe(affected);
  expect(result.fixedVersion).toBe(fixedVersion);
  expect(result.problems).toEqual([]);
}

describe("test orderings", () => {
  test.each<[string, VersionComparator, string, string]>([
    ["dpkg tilde", dpkgOrdering, "1.2.1-2.2+wheezy3~1", "1.2.1-2.2+wheezy3"],
    ["dpkg revision", dpkgOrdering, "1.2.1-2.2+wheezy3", "1.2.1-2.2+wheezy4"],
    ["dpkg epoch", dpkgOrdering, "9.9-1", "1:0.1-1"],
    ["dpkg letters before symbols", dpkgOrdering, "1.0a-1", "1.0+-1"],
    ["apk letter", apkOrdering, "1.0.2p-r0", "1.0.2q-r0"],
    ["apk revision", apkOrdering, "1.0.2q-r0", "1.0.2q-r1"],
    ["apk pre-release suffix", apkOrdering, "1.0_rc1-r0", "1.0-r0"],
    ["Maven release before unknown qualifier", mavenOrdering, "24.1.1", "24.1.1-android"],
    ["Maven qualifiers alphabetically", mavenOrdering, "24.1.1-android", "24.1.1-jre"],
    ["Maven rc before release", mavenOrdering, "2.0.0-RC1", "2.0.0"],
    ["RubyGems pre-release", rubygemsOrdering, "4.2.0.beta1", "4.2.0"],
    ["Go pre-release zero", goOrdering, "v1.18.0-0", "1.18.0-beta1"],
    ["Go pseudo-version", goOrdering, "v0.0.0-20220412211239-ffffffffffff", "0.0.0-20220412211240-33da011f77ad"],
    ["PEP 440 pre-release", pep440Ordering, "2.0.0rc1", "2.0.0"],
    ["SemVer pre-release", semverOrdering, "3.0.0-rc1", "3.0.0"],
  ])("%s sorts before", (_name, ordering, lower, higher) => {
    expect(ordering.compare(lower, higher)).toBeLessThan(0);
    expect(ordering.compare(higher, lower)).toBeGreaterThan(0);
  });

  test.each<[string, VersionComparator, string, string]>([
    ["Maven trailing zero", mavenOrdering, "2.7.0", "2.7.0.0"],
    ["PEP 440 trailing zero", pep440Ordering, "4.36.1", "4.36.1.0"],
    ["Go v prefix", goOrdering, "v1.6.0", "1.6.0"],
  ])("%s compares equal", (_name, ordering, a, b) => {
    expect(ordering.compare(a, b)).toBe(0);
  });
});

describe.each(Object.entries(boundaryCases))("isAffected on %s records", (_ecosystem, cases) => {
  test.each<BoundaryCase>(cases)("%s entry %i at %s", (...boundary) => expectBoundary(boundary));
});

describe("isAffected on GIT ranges", () => {
  test("entry with only a GIT range matches nothing", () => {
    const gitOnly = fixture("alpineOpenssl").affected[6];
    if (gitOnly === undefined) throw new Error("alpineOpenssl has no entry 6");

    expect(isAffected("1.0.2p-r0", gitOnly, apkOrdering)).toEqual({ affected: false, fixedVersion: null, problems: [] });
  });
});

describe("isAffected with limit events", () => {
  /** Returns the i18next entry with its events replaced. */
  function entryWithEvents(events: unknown[]): OsvAffected {
    const record = parsed(withChange(osvFixtures.npmI18next, ["affected", 0, "ranges", 0, "events"], events));
    const entry = record.affected[0];
    if (entry === undefined) throw new Error("npmI18next has no affected entry");
    return entry;
  }

  test.each<[string, unknown[], string, boolean]>([
    ["below the limit", [{ introduced: "1.0.0" }, { limit: "2.0.0" }], "1.5.0", true],
    ["at the limit", [{ introduced: "1.0.0" }, { limit: "2.0.0" }], "2.0.0", false],
    ["below introduced", [{ introduced: "1.0.0" }, { limit: "2.0.0" }], "0.9.0", false],
    ["below one of two limits", [{ introduced: "1.0.0" }, { limit: "2.0.0" }, { limit: "3.0.0" }], "2.5.0", true],
    ["with a star limit", [{ introduced: "1.0.0" }, { limit: "*" }], "99.0.0", true],
    ["with limit and fix", [{ introduced: "1.0.0" }, { fixed: "1.2.0" }, { limit: "2.0.0" }], "1.2.0", false],
  ])("%s", (_name, events, version, affected) => {
    const result = isAffected(version, entryWithEvents(events), semverOrdering);

    expect(result.affected).toBe(affected);
    expect(result.fixedVersion).toBeNull();
    expect(result.problems).toEqual([]);
  });
});

describe("isAffected on versions it cannot compare", () => {
  test("reports an invalid installed version", () => {
    const entry = fixture("npmI18next").affected[0];
    if (entry === undefined) throw new Error("npmI18next has no affected entry");
    const result = isAffected("latest", entry, semverOrdering);

    expect(result.affected).toBe(false);
    expect(result.problems).toEqual(['ranges[0] was not evaluated: "latest" is not a valid version in this ecosystem\'s ordering']);
  });

  test("skips a range with an invalid event version", () => {
    const json = withChange(osvFixtures.npmI18next, ["affected", 0, "ranges", 0, "events", 1], { fixed: "1.x" });
    const entry = parsed(json).affected[0];
    if (entry === undefined) throw new Error("npmI18next has no affected entry");
    const result = isAffected("1.0.0", entry, semverOrdering);

    expect(result.affected).toBe(false);
    expect(result.problems).toEqual(['ranges[0] was not evaluated: "1.x" is not a valid version in this ecosystem\'s ordering']);
  });

  test("still checks the versions list", () => {
    const json = withChange(osvFixtures.ghsaBitfield, ["affected", 0, "ranges", 0, "events", 1], { fixed: "1.x" });
    const entry = parsed(json).affected[0];
    if (entry === undefined) throw new Error("ghsaBitfield has no affected entry");
    const result = isAffected("1.0.0", entry, semverOrdering);

    expect(result.affected).toBe(true);
    expect(result.fixedVersion).toBeNull();
    expect(result.problems).toHaveLength(1);
  });
});

describe("combineFixedVersions", () => {
  test.each<[string, Array<string | null>, string | null]>([
    ["one fix", ["1.3.2"], "1.3.2"],
    ["the highest of several", ["1.3.2", "1.10.0", "1.4.0"], "1.10.0"],
    ["null when one names no fix", ["1.3.2", null], null],
    ["null for no matches", [], null],
  ])("returns %s", (_name, fixedVersions, expected) => {
    expect(combineFixedVersions(fixedVersions, semverOrdering)).toBe(expected);
  });
});
