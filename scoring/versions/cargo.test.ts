// Checks cargoOrdering against the SemVer 2.0.0 precedence example and the strict rows of testdata/semver.tsv.
import { describe, expect, it } from "vitest";
import { cargoOrdering } from "./cargo";
import { InvalidVersionError } from "./invalid-version-error";
import { adjacentPairs, column, expectedSign, parseVectorTable, reversed, signOf } from "./testdata/parse-vector-table";
import semverTable from "./testdata/semver.tsv?raw";

const rows = parseVectorTable(semverTable).map((row) => ({
  a: column(row, "a"),
  b: column(row, "b"),
  expected: expectedSign(row),
  options: column(row, "options"),
  note: column(row, "note"),
}));
/** The SemVer rows in node-semver's default mode without a v prefix or spaces, which Cargo's syntax also covers. */
const cargoVectors = rows.filter(({ a, b, options, note }) => options === "" && /^[0-9]/.test(a) && /^[0-9]/.test(b) && !/\s/.test(a + b) && !note.includes("LOCAL CHECK"));

describe("SemVer vectors in Cargo", () => {
  it("loads the rows Cargo's syntax covers", () => {
    expect(cargoVectors).toHaveLength(73);
  });

  it.each(cargoVectors)("$a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(cargoOrdering.compare(a, b))).toBe(expected);
    expect(signOf(cargoOrdering.compare(b, a))).toBe(reversed(expected));
  });

  // The semver crate stores release numbers in a u64 and has exactly three of them.
  it.each(["999999999999999999999999999991", "999999999999999999999999999991.999999999999999999999999999991.999999999999999999999999999991", "1.1.3.4.5"])(
    "rejects %s",
    (version) => {
      expect(cargoOrdering.isValid(version)).toBe(false);
    },
  );
});

describe("Cargo ordering", () => {
  // The precedence example of the SemVer 2.0.0 specification, section 11.
  const specificationOrder = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"];

  it.each(adjacentPairs(specificationOrder))("%s < %s", (lower, higher) => {
    expect(signOf(cargoOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(cargoOrdering.compare(higher, lower))).toBe(1);
  });

  it.each([
    ["0.9.9", "0.10.0"],
    ["1.0.0-rc.1", "1.0.0-rc.1.1"],
    ["1.0.0-2", "1.0.0-10"],
    ["1.0.0-10", "1.0.0-1a"],
    ["1.0.0-Z", "1.0.0-a"],
    ["18446744073709551614.0.0", "18446744073709551615.0.0"],
  ])("%s < %s", (lower, higher) => {
    expect(signOf(cargoOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(cargoOrdering.compare(higher, lower))).toBe(1);
  });

  it("ignores build metadata", () => {
    expect(cargoOrdering.compare("1.0.0+build.1", "1.0.0+build.2")).toBe(0);
    expect(cargoOrdering.compare("1.0.0-rc.1+001", "1.0.0-rc.1")).toBe(0);
  });

  it.each([
    ["", "Cargo expects"],
    ["v1.0.0", "Cargo expects"],
    ["1.0", "Cargo expects"],
    ["01.0.0", "Cargo expects"],
    [" 1.0.0", "Cargo expects"],
    ["1.0.0-", "Cargo expects"],
    ["1.0.0+", "Cargo expects"],
    ["1.0.0-alpha..1", "Cargo expects"],
    ["1.0.0-01", "a numeric pre-release identifier has a leading zero"],
    ["18446744073709551616.0.0", "a release number is larger than 18446744073709551615"],
  ])("rejects %j", (version, reason) => {
    expect(cargoOrdering.isValid(version)).toBe(false);
    expect(() => cargoOrdering.compare(version, "1.0.0")).toThrow(InvalidVersionError);
    expect(() => cargoOrdering.compare("1.0.0", version)).toThrow(`Invalid cargo version ${JSON.stringify(version)}: ${reason}`);
  });
});
