// Checks apkOrdering against apk-tools 3's test/unit/version.data and osv-scalibr's Alpine vectors in testdata/.
import { describe, expect, it } from "vitest";
import { apkOrdering, compareApkVersions, isValidApkVersion, matchesApkConstraint } from "./apk";
import { InvalidVersionError } from "./invalid-version-error";
import apkTable from "./testdata/apk.tsv?raw";
import apkFuzzyTable from "./testdata/apk_fuzzy.tsv?raw";
import apkValidityTable from "./testdata/apk_validity.tsv?raw";
import { column, parseComparisonTable, parseVectorTable, reversed, signOf } from "./testdata/parse-vector-table";

const vectors = parseComparisonTable(apkTable);
const validVectors = vectors.filter(({ a, b }) => isValidApkVersion(a) && isValidApkVersion(b));
const invalidVectors = vectors.filter(({ a, b }) => !isValidApkVersion(a) || !isValidApkVersion(b));

/**
 * Rows whose expected value is apk-tools 2's result for strings that apk-tools 3 rejects, such as
 * a letter followed by digits (6.6.2p1) or no leading number (a). apk-tools 3 orders these
 * differently. Shipshape follows apk-tools 3, so apkOrdering.compare() rejects them and these rows
 * are not checked against their expected value.
 */
const apkTools2Rows = new Set([
  "1-r\t1-r0",
  "0..1..0\t0..1..1",
  "0...1...0\t0...1...1",
  "0...1...0.r1\t0...1...0.r2",
  "0...1...0r1\t0...1...0r2",
  "0..8\t0...8",
  "0.8.21.r2\t0.8.21.r1",
  "6.6.2p1\t6.6.2p2",
  "1-r0-1\t1-r-2",
  ".2\t.1",
  "a\tb",
  "c\tb",
]);
const apkTools3Vectors = invalidVectors.filter(({ a, b }) => !apkTools2Rows.has(`${a}\t${b}`));

describe("apk vectors", () => {
  it("loads every row", () => {
    expect(vectors).toHaveLength(1516);
    expect(validVectors).toHaveLength(1477);
    expect(invalidVectors).toHaveLength(39);
    expect(apkTools3Vectors).toHaveLength(27);
  });

  it.each(validVectors)("$a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(apkOrdering.compare(a, b))).toBe(expected);
    expect(signOf(apkOrdering.compare(b, a))).toBe(reversed(expected));
  });

  it.each(invalidVectors)("compare rejects $a vs $b", ({ a, b }) => {
    expect(() => apkOrdering.compare(a, b)).toThrow(InvalidVersionError);
    expect(() => apkOrdering.compare(b, a)).toThrow(InvalidVersionError);
  });

  it.each(apkTools3Vectors)("lenient $a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(compareApkVersions(a, b))).toBe(expected);
    expect(signOf(compareApkVersions(b, a))).toBe(reversed(expected));
  });
});

describe("apk validity vectors", () => {
  const rows = parseVectorTable(apkValidityTable).map((row) => ({ version: column(row, "version"), valid: column(row, "valid") === "true" }));

  it("loads every row", () => {
    expect(rows).toHaveLength(31);
  });

  it.each(rows)("$version is valid: $valid", ({ version, valid }) => {
    expect(apkOrdering.isValid(version)).toBe(valid);
  });

  it.each(rows.filter(({ valid }) => !valid))("compare rejects $version", ({ version }) => {
    expect(() => apkOrdering.compare(version, "1.0")).toThrow(`Invalid apk version ${JSON.stringify(version)}`);
  });
});

describe("apk fuzzy vectors", () => {
  const rows = parseVectorTable(apkFuzzyTable).map((row) => ({ a: column(row, "a"), operator: column(row, "op"), b: column(row, "b") }));

  it("loads every row", () => {
    expect(rows).toHaveLength(16);
    expect(rows.every((row) => ["~", "<~", ">~", "!~"].includes(row.operator))).toBe(true);
  });

  it.each(rows)("$a $operator $b is true", ({ a, operator, b }) => {
    if (operator === "!~") expect(matchesApkConstraint(a, "~", b)).toBe(false);
    else expect(matchesApkConstraint(a, operator as "~" | "<~" | ">~", b)).toBe(true);
  });
});

describe("apk ordering", () => {
  it.each([
    ["1.0_alpha1", "1.0_beta1"],
    ["1.0_beta1", "1.0_pre1"],
    ["1.0_pre1", "1.0_rc1"],
    ["1.0_rc1", "1.0"],
    ["1.0", "1.0_cvs1"],
    ["1.0_cvs1", "1.0_svn1"],
    ["1.0_svn1", "1.0_git1"],
    ["1.0_git1", "1.0_hg1"],
    ["1.0_hg1", "1.0_p1"],
    ["1.0", "1.0-r1"],
    ["1.0-r1", "1.0-r10"],
    ["1.0-r10", "1.0_p1"],
    ["1.0_p1", "1.0a"],
    ["1.0a", "1.0.1"],
    ["1.0_rc1-r5", "1.0-r0"],
    ["1.0~abc", "1.0~abd"],
    ["1.0~abc", "1.0~abc-r1"],
  ])("%s < %s", (lower, higher) => {
    expect(signOf(apkOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(apkOrdering.compare(higher, lower))).toBe(1);
  });

  it("orders -r0 after no revision", () => {
    expect(signOf(apkOrdering.compare("1.0-r0", "1.0"))).toBe(1);
    expect(apkOrdering.compare("1.0-r0", "1.0-r0")).toBe(0);
  });

  it.each([
    ["1.0", "<", "1.1", true],
    ["1.1", "<=", "1.1", true],
    ["1.1", "=", "1.1-r0", false],
    ["1.2", ">=", "1.1", true],
    ["1.2", ">", "1.2", false],
    ["1.2.3-r4", "~", "1.2", true],
    ["1.20", "~", "1.2", false],
    ["1.1.9", "<~", "1.2", true],
    ["1.2.9", ">~", "1.2", true],
    ["1.3", "<~", "1.2", false],
  ] as const)("%s %s %s is %s", (version, operator, constraint, expected) => {
    expect(matchesApkConstraint(version, operator, constraint)).toBe(expected);
  });
});
