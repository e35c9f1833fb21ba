// Checks rpmvercmp() and rpmOrdering against rpm's rpmvercmp.at, go-rpm-version and osv-scalibr vectors in testdata/rpm.tsv.
import { describe, expect, it } from "vitest";
import { InvalidVersionError } from "./invalid-version-error";
import { parseRpmVersion, rpmOrdering, rpmvercmp } from "./rpm";
import { parseComparisonTable, reversed, signOf } from "./testdata/parse-vector-table";
import rpmTable from "./testdata/rpm.tsv?raw";

const vectors = parseComparisonTable(rpmTable);
// The note column names the comparison: "vercmp" rows apply rpmvercmp() to single strings, "evr" rows compare whole EVRs.
const vercmpVectors = vectors.filter(({ note }) => note.startsWith("vercmp"));
const evrVectors = vectors.filter(({ note }) => note.startsWith("evr"));

describe("rpm vectors", () => {
  it("loads every row", () => {
    expect(vectors).toHaveLength(256);
    expect(vercmpVectors).toHaveLength(91);
    expect(evrVectors).toHaveLength(165);
  });

  it.each(vercmpVectors)("rpmvercmp $a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(rpmvercmp(a, b))).toBe(expected);
    expect(signOf(rpmvercmp(b, a))).toBe(reversed(expected));
  });

  it.each(evrVectors)("EVR $a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(rpmOrdering.compare(a, b))).toBe(expected);
    expect(signOf(rpmOrdering.compare(b, a))).toBe(reversed(expected));
  });
});

describe("rpm ordering", () => {
  it.each([
    ["1.0~rc1-1", "1.0-1"],
    ["1.0-1", "1.0^20240101-1"],
    ["1.0^20240101-1", "1.0.1-1"],
    ["2.0-1", "1:1.0-1"],
    ["1:1.0-1", "1:1.0-1.el9"],
    ["1.0-1.el9", "1.0-1.el9_1"],
    ["1.0-1.el9_1", "1.0-2.el9"],
    ["1.0", "1.0-1"],
    ["1.0a", "1.0.1"],
    ["1.0-99999999999999999999", "1.0-100000000000000000000"],
  ])("%s < %s", (lower, higher) => {
    expect(signOf(rpmOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(rpmOrdering.compare(higher, lower))).toBe(1);
  });

  it.each([
    ["0:1.0-1", "1.0-1"],
    ["1.0-1", "1.00-01"],
    ["1.0_1", "1.0.1"],
  ])("%s equals %s", (left, right) => {
    expect(rpmOrdering.compare(left, right)).toBe(0);
  });

  it.each([
    ["3:1.2-4.el9", { epoch: "3", version: "1.2", release: "4.el9" }],
    [":1.2", { epoch: "0", version: "1.2", release: null }],
    ["1.2-", { epoch: null, version: "1.2", release: "" }],
    ["1.0-rc-1", { epoch: null, version: "1.0-rc", release: "1" }],
    ["a1:2-3", { epoch: null, version: "a1:2", release: "3" }],
  ])("parses %s", (evr, parts) => {
    expect(parseRpmVersion(evr)).toEqual(parts);
  });
});

describe("rpm invalid versions", () => {
  it.each([
    ["", "the version is empty"],
    ["1.0 -1", "the version contains whitespace"],
    ["1:", "the version between the epoch and the release is empty"],
    ["-1", "the version between the epoch and the release is empty"],
    ["2:-1", "the version between the epoch and the release is empty"],
  ])("rejects %j", (version, reason) => {
    expect(rpmOrdering.isValid(version)).toBe(false);
    expect(() => rpmOrdering.compare(version, "1.0")).toThrow(InvalidVersionError);
    expect(() => rpmOrdering.compare("1.0", version)).toThrow(`Invalid rpm version ${JSON.stringify(version)}: ${reason}.`);
  });
});
