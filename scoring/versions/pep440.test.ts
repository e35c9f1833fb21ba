// Checks pep440Ordering against pypa/packaging's test_version.py and osv-scalibr vectors in testdata/.
import { describe, expect, it } from "vitest";
import { InvalidVersionError } from "./invalid-version-error";
import { pep440Ordering } from "./pep440";
import { column, parseComparisonTable, parseVectorTable, reversed, signOf } from "./testdata/parse-vector-table";
import pep440Table from "./testdata/pep440.tsv?raw";
import pep440InvalidTable from "./testdata/pep440_invalid.tsv?raw";

const vectors = parseComparisonTable(pep440Table);
/**
 * Rows that order pre-PEP 440 "legacy" versions such as 0.9-doduo, as old pypa/packaging releases
 * did with LegacyVersion. Current pypa/packaging rejects them, and so does Shipshape.
 */
const legacyVectors = vectors.filter(({ note }) => note.includes("LOCAL CHECK"));
const pep440Vectors = vectors.filter(({ note }) => !note.includes("LOCAL CHECK"));

describe("PEP 440 vectors", () => {
  it("loads every row", () => {
    expect(vectors).toHaveLength(4325);
    expect(legacyVectors).toHaveLength(11);
  });

  it.each(pep440Vectors)("$a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(pep440Ordering.compare(a, b))).toBe(expected);
    expect(signOf(pep440Ordering.compare(b, a))).toBe(reversed(expected));
  });

  it.each(legacyVectors)("rejects legacy $a vs $b", ({ a, b }) => {
    const legacy = [a, b].filter((version) => version !== "1.0");
    expect(legacy.length).toBeGreaterThan(0);
    for (const version of legacy) expect(pep440Ordering.isValid(version)).toBe(false);
    expect(() => pep440Ordering.compare(a, b)).toThrow(`Invalid pep440 version ${JSON.stringify(legacy[0])}`);
    expect(() => pep440Ordering.compare(b, a)).toThrow(InvalidVersionError);
  });
});

describe("PEP 440 invalid vectors", () => {
  // Each field is a JSON string literal whose value is itself JSON, as in the source's parametrize list.
  const invalidVersions = parseVectorTable(pep440InvalidTable).map((row) => JSON.parse(column(row, "version_json")) as string);

  it("loads every row", () => {
    expect(invalidVersions).toHaveLength(20);
  });

  it.each(invalidVersions)("rejects %j", (version) => {
    expect(pep440Ordering.isValid(version)).toBe(false);
    expect(() => pep440Ordering.compare(version, "1.0")).toThrow(`Invalid pep440 version ${JSON.stringify(version)}: it does not match the PEP 440 version scheme.`);
  });
});

describe("PEP 440 ordering", () => {
  it.each([
    ["1.0.dev1", "1.0a1"],
    ["1.0a1", "1.0b1"],
    ["1.0b1", "1.0rc1"],
    ["1.0rc1", "1.0"],
    ["1.0", "1.0+local"],
    ["1.0+local", "1.0.post1"],
    ["1.0.post1", "1.1.dev0"],
    ["1!0.1", "2!0.0.1"],
    ["2023.12.31", "2024.1"],
    ["1.0+abc", "1.0+1"],
  ])("%s < %s", (lower, higher) => {
    expect(signOf(pep440Ordering.compare(lower, higher))).toBe(-1);
    expect(signOf(pep440Ordering.compare(higher, lower))).toBe(1);
  });

  it.each([
    ["1.0", "1.0.0"],
    ["1.0", "v1.0"],
    ["1.0-1", "1.0.post1"],
    ["1.0RC1", "1.0rc1"],
  ])("%s equals %s", (left, right) => {
    expect(pep440Ordering.compare(left, right)).toBe(0);
  });

  it("accepts numbers up to 2^53 - 1", () => {
    expect(pep440Ordering.isValid(`1.${Number.MAX_SAFE_INTEGER}`)).toBe(true);
    expect(signOf(pep440Ordering.compare(`1.${Number.MAX_SAFE_INTEGER - 1}`, `1.${Number.MAX_SAFE_INTEGER}`))).toBe(-1);
  });

  // @renovatebot/pep440 would round these numbers and misread these local segments, so they are rejected rather than misordered.
  it.each([
    ["1.9007199254740993", "contains a number above 9007199254740991"],
    ["1.0+99999999999999999999", "contains a number above 9007199254740991"],
    ["1.0+1e5", 'its local segment "1e5" would be misread as a number'],
    ["1.0+build.0x1f", 'its local segment "0x1f" would be misread as a number'],
    ["1.0+Infinity", 'its local segment "Infinity" would be misread as a number'],
  ])("rejects unsupported %s", (version, reason) => {
    expect(pep440Ordering.isValid(version)).toBe(false);
    expect(() => pep440Ordering.compare(version, "1.0")).toThrow(reason);
  });
});
