// Checks goOrdering against golang.org/x/mod/semver's rules, Go's pseudo-version forms and the strict rows of testdata/semver.tsv.
import { describe, expect, it } from "vitest";
import { goOrdering } from "./go";
import { InvalidVersionError } from "./invalid-version-error";
import { column, expectedSign, parseVectorTable, reversed, signOf } from "./testdata/parse-vector-table";
import semverTable from "./testdata/semver.tsv?raw";

const rows = parseVectorTable(semverTable).map((row) => ({
  a: column(row, "a"),
  b: column(row, "b"),
  expected: expectedSign(row),
  options: column(row, "options"),
  note: column(row, "note"),
}));
/** The SemVer rows in node-semver's default mode without spaces, which Go's syntax also covers. */
const goVectors = rows.filter(({ a, b, options, note }) => options === "" && !/\s/.test(a + b) && !note.includes("LOCAL CHECK"));

describe("SemVer vectors in Go", () => {
  it("loads the rows Go's syntax covers", () => {
    expect(goVectors).toHaveLength(102);
  });

  it.each(goVectors)("$a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(goOrdering.compare(a, b))).toBe(expected);
    expect(signOf(goOrdering.compare(b, a))).toBe(reversed(expected));
  });

  // npm rejects these numbers above 2^53 - 1, but Go compares numbers of any length.
  it.each([
    ["999999999999999999999999999991", "999999999999999999999999999999"],
    [
      "999999999999999999999999999991.999999999999999999999999999991.999999999999999999999999999991",
      "999999999999999999999999999999.999999999999999999999999999991.999999999999999999999999999991",
    ],
  ])("orders long numbers %s < %s", (lower, higher) => {
    expect(signOf(goOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(goOrdering.compare(higher, lower))).toBe(1);
  });
});

describe("Go ordering", () => {
  it.each([
    // A pseudo-version with no earlier tag is a pre-release of v0.0.0, and later commits sort later.
    ["v0.0.0-20210101000000-abcdef123456", "v0.0.0-20210102000000-123456abcdef"],
    ["v0.0.0-20210102000000-123456abcdef", "v0.0.0"],
    // A pseudo-version after v1.2.3 is a pre-release of v1.2.4 that sorts before every named pre-release.
    ["v1.2.3", "v1.2.4-0.20210101000000-abcdef123456"],
    ["v1.2.4-0.20210101000000-abcdef123456", "v1.2.4-alpha"],
    ["v1.2.4-0.20210101000000-abcdef123456", "v1.2.4"],
    // A pseudo-version after v1.2.4-pre sorts between it and the next pre-release.
    ["v1.2.4-pre", "v1.2.4-pre.0.20210101000000-abcdef123456"],
    ["v1.2.4-pre.0.20210101000000-abcdef123456", "v1.2.4-pre.1"],
    ["v2.0.0+incompatible", "v2.0.1+incompatible"],
    ["v2.0.1+incompatible", "v2.1.0"],
    ["v1.9.0", "v1.10.0"],
    ["v1.0.0-rc.9", "v1.0.0-rc.10"],
  ])("%s < %s", (lower, higher) => {
    expect(signOf(goOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(goOrdering.compare(higher, lower))).toBe(1);
  });

  it.each([
    ["v2.0.0+incompatible", "v2.0.0"],
    ["v1.2.3+meta", "v1.2.3"],
    ["1.2.3", "v1.2.3"],
    ["v1", "v1.0.0"],
    ["v1.2", "v1.2.0"],
    ["0", "v0.0.0"],
  ])("%s equals %s", (left, right) => {
    expect(goOrdering.compare(left, right)).toBe(0);
  });

  it.each(["", "v", "1.2.3.4", "1.1.3.4.5", "v01.2.3", "v1.02.3", "v1.2.3-01", "v1.2-pre", "v1.2+meta", "v1.2.3-", "v1.2.3+", "v1.2.3-a..b", " v1.2.3", "go1.21.0", "V1.2.3"])(
    "rejects %j",
    (version) => {
      expect(goOrdering.isValid(version)).toBe(false);
      expect(() => goOrdering.compare(version, "v1.0.0")).toThrow(InvalidVersionError);
      expect(() => goOrdering.compare("v1.0.0", version)).toThrow(`Invalid go version ${JSON.stringify(version)}`);
    },
  );
});
