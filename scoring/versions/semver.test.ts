// Checks the npm ordering and satisfies() against node-semver's test fixtures and osv-scalibr vectors in testdata/.
import { describe, expect, it } from "vitest";
import { InvalidVersionError } from "./invalid-version-error";
import { createSemverOrdering, InvalidRangeError, satisfies, semverOrdering, type SemverOptions } from "./semver";
import { column, expectedSign, parseVectorTable, reversed, signOf } from "./testdata/parse-vector-table";
import semverTable from "./testdata/semver.tsv?raw";
import semverRangesTable from "./testdata/semver_ranges.tsv?raw";

/** Reads the options column, which is empty, "loose" or node-semver options as JSON whose values node-semver reads as booleans. */
function parseOptions(text: string): SemverOptions {
  if (text === "") return {};
  if (text === "loose") return { loose: true };
  const options = JSON.parse(text) as { loose?: unknown; includePrerelease?: unknown };
  return { loose: Boolean(options.loose), includePrerelease: Boolean(options.includePrerelease) };
}

const vectors = parseVectorTable(semverTable).map((row) => ({
  a: column(row, "a"),
  b: column(row, "b"),
  expected: expectedSign(row),
  options: parseOptions(column(row, "options")),
  note: column(row, "note"),
}));
/**
 * Rows with numbers above 2^53 - 1 or with five release numbers. A lenient SemVer parser orders
 * them, but node-semver rejects them, and so do npm and Shipshape.
 */
const lenientVectors = vectors.filter(({ note }) => note.includes("LOCAL CHECK"));
const npmVectors = vectors.filter(({ note }) => !note.includes("LOCAL CHECK"));

describe("semver vectors", () => {
  it("loads every row", () => {
    expect(vectors).toHaveLength(154);
    expect(lenientVectors).toHaveLength(3);
  });

  it.each(npmVectors)("$a vs $b is $expected", ({ a, b, expected, options }) => {
    const ordering = createSemverOrdering(options);
    expect(signOf(ordering.compare(a, b))).toBe(expected);
    expect(signOf(ordering.compare(b, a))).toBe(reversed(expected));
  });

  it.each(lenientVectors)("rejects $a vs $b as npm does", ({ a, b }) => {
    expect(semverOrdering.isValid(a)).toBe(false);
    expect(semverOrdering.isValid(b)).toBe(false);
    expect(() => semverOrdering.compare(a, b)).toThrow(`Invalid semver version ${JSON.stringify(a)}`);
  });
});

describe("npm range vectors", () => {
  const rows = parseVectorTable(semverRangesTable).map((row) => ({
    range: column(row, "range"),
    version: column(row, "version"),
    satisfies: column(row, "satisfies") === "true",
    options: parseOptions(column(row, "options")),
  }));
  /** Versions node-semver cannot parse; its satisfies() returns false for them, this module's satisfies() throws. */
  const unparsable = new Set(["not a version", "glorp", "False"]);
  const parsableRows = rows.filter(({ version }) => !unparsable.has(version));
  const unparsableRows = rows.filter(({ version }) => unparsable.has(version));

  it("loads every row", () => {
    expect(rows).toHaveLength(224);
    expect(unparsableRows).toHaveLength(3);
  });

  it.each(parsableRows)("$version in $range is $satisfies", ({ range, version, satisfies: expected, options }) => {
    expect(satisfies(version, range, options)).toBe(expected);
  });

  it.each(unparsableRows)("rejects version $version", ({ range, version, satisfies: expected, options }) => {
    expect(expected).toBe(false);
    expect(() => satisfies(version, range, options)).toThrow(InvalidVersionError);
  });
});

describe("semver ordering", () => {
  it("orders a pre-release before its release", () => {
    expect(signOf(semverOrdering.compare("1.0.0-alpha.1", "1.0.0"))).toBe(-1);
  });

  it("ignores build metadata", () => {
    expect(semverOrdering.compare("1.0.0+build.1", "1.0.0+build.2")).toBe(0);
  });

  it.each(["=1.2.3", "v 1.2.3", "1.2.3beta"])("accepts %s only in loose mode", (version) => {
    expect(semverOrdering.isValid(version)).toBe(false);
    expect(createSemverOrdering({ loose: true }).isValid(version)).toBe(true);
  });

  it.each(["", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "latest", `1.2.${"9".repeat(260)}`])("rejects %j", (version) => {
    expect(semverOrdering.isValid(version)).toBe(false);
    expect(() => semverOrdering.compare(version, "1.0.0")).toThrow(`Invalid semver version ${JSON.stringify(version)}`);
  });

  it("rejects an invalid range", () => {
    expect(() => satisfies("1.0.0", ">=1.0.0 <", {})).toThrow(InvalidRangeError);
    expect(() => satisfies("1.0.0", "not a range")).toThrow('Invalid npm version range "not a range"');
  });

  it("matches pre-releases only when asked", () => {
    expect(satisfies("1.3.0-rc.1", ">=1.2.0")).toBe(false);
    expect(satisfies("1.3.0-rc.1", ">=1.2.0", { includePrerelease: true })).toBe(true);
  });
});
