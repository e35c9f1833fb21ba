// Checks mavenOrdering against Maven's ComparableVersionTest and osv-scalibr vectors in testdata/maven.tsv.
import { describe, expect, it } from "vitest";
import { InvalidVersionError } from "./invalid-version-error";
import { mavenOrdering } from "./maven";
import mavenTable from "./testdata/maven.tsv?raw";
import { adjacentPairs, parseComparisonTable, reversed, signOf } from "./testdata/parse-vector-table";

const vectors = parseComparisonTable(mavenTable);

describe("Maven vectors", () => {
  it("loads every row", () => {
    expect(vectors).toHaveLength(664);
  });

  it.each(vectors)("$a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(mavenOrdering.compare(a, b))).toBe(expected);
    expect(signOf(mavenOrdering.compare(b, a))).toBe(reversed(expected));
  });

  // Maven 3.8's ComparableVersion kept the "ga" list apart and put 1-1 above 1-ga-1. Shipshape follows
  // Maven 3.9 and the POM reference, where ga is a release marker that is trimmed, so both are 1-1.
  it("follows Maven 3.9 for 1-ga-1", () => {
    const row = vectors.find(({ a, b }) => a === "1-1" && b === "1-ga-1");
    expect(row?.expected).toBe(0);
    expect(mavenOrdering.compare("1-1", "1-ga-1")).toBe(0);
  });
});

describe("Maven ordering", () => {
  const qualifierOrder = ["1.0-alpha-1", "1.0-beta-1", "1.0-milestone-1", "1.0-rc-1", "1.0-SNAPSHOT", "1.0", "1.0-sp-1", "1.0-abc", "1.0-xyz", "1.0-1", "1.0.1"];

  it.each(adjacentPairs(qualifierOrder))("%s < %s", (lower, higher) => {
    expect(signOf(mavenOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(mavenOrdering.compare(higher, lower))).toBe(1);
  });

  it.each([
    ["1.0-SNAPSHOT", "1.0"],
    ["1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"],
    ["1.0.RC2", "1.0-RC3"],
    ["1.0-RC3", "1.0.1"],
    ["1.0.0.X1", "1.0.0-X2"],
    ["1.9", "1.10"],
    ["1.0.0", "1.0.0.1"],
    ["2.0.a", "2.0.0.1"],
    ["1", "123456789012345678901234567890"],
  ])("%s < %s", (lower, higher) => {
    expect(signOf(mavenOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(mavenOrdering.compare(higher, lower))).toBe(1);
  });

  it.each([
    ["1", "1.0.0"],
    ["1-ga", "1"],
    ["1.0-final", "1.0"],
    ["1.0.RELEASE", "1.0"],
    ["1.0-cr1", "1.0-rc1"],
    ["1.0a1", "1.0-alpha-1"],
    ["1.0-Beta-2", "1.0-beta-2"],
    ["1.0-M3", "1.0-milestone-3"],
    ["1.01", "1.1"],
  ])("%s equals %s", (left, right) => {
    expect(mavenOrdering.compare(left, right)).toBe(0);
  });

  it.each([
    ["", "the version is empty"],
    ["1.0 beta", 'it contains whitespace or one of \\ / : " < > | ? *, which Maven rejects in versions'],
    ["1.0/2", 'it contains whitespace or one of \\ / : " < > | ? *, which Maven rejects in versions'],
    ["${project.version}", "the version contains an unresolved ${...} property expression"],
  ])("rejects %j", (version, reason) => {
    expect(mavenOrdering.isValid(version)).toBe(false);
    expect(() => mavenOrdering.compare(version, "1.0")).toThrow(InvalidVersionError);
    expect(() => mavenOrdering.compare("1.0", version)).toThrow(`Invalid maven version ${JSON.stringify(version)}: ${reason}.`);
  });
});
