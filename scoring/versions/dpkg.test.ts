// Checks dpkgOrdering against dpkg's Dpkg_Version.t, go-deb-version and osv-scalibr vectors in testdata/dpkg.tsv.
import { describe, expect, it } from "vitest";
import { compareDpkgPart, dpkgOrdering, parseDpkgVersion } from "./dpkg";
import { InvalidVersionError } from "./invalid-version-error";
import dpkgTable from "./testdata/dpkg.tsv?raw";
import { parseComparisonTable, reversed, signOf } from "./testdata/parse-vector-table";

const vectors = parseComparisonTable(dpkgTable);

describe("dpkg vectors", () => {
  it("loads every row", () => {
    expect(vectors).toHaveLength(85);
  });

  it.each(vectors)("$a vs $b is $expected", ({ a, b, expected }) => {
    expect(signOf(dpkgOrdering.compare(a, b))).toBe(expected);
    expect(signOf(dpkgOrdering.compare(b, a))).toBe(reversed(expected));
  });
});

describe("dpkg ordering", () => {
  it.each([
    ["1.0~rc1", "1.0"],
    ["1.0~rc1", "1.0~rc2"],
    ["1.0~~", "1.0~"],
    ["1.0", "1.0+deb12u1"],
    ["1.0", "1.0a"],
    ["1.0a", "1.0+"],
    ["1.9", "1.10"],
    ["1.0-1", "1.0-1ubuntu1"],
    ["1.0-1~bpo12+1", "1.0-1"],
    ["1.0-1+b1", "1.0-1.1"],
    ["9:1.0", "10:0.1"],
    ["1.0-2-1", "1.0-10-1"],
    ["1.0-99999999999999999999", "1.0-100000000000000000000"],
  ])("%s < %s", (lower, higher) => {
    expect(signOf(dpkgOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(dpkgOrdering.compare(higher, lower))).toBe(1);
  });

  it.each([
    ["1.0", "0:1.0"],
    ["1.0", "1.0-0"],
    ["1.01", "1.1"],
    [" 1.0-1\t", "1.0-1"],
  ])("%j equals %j", (left, right) => {
    expect(dpkgOrdering.compare(left, right)).toBe(0);
  });

  it("splits the revision at the last hyphen", () => {
    expect(parseDpkgVersion("2:1.0-rc-3")).toEqual({ epoch: 2, upstream: "1.0-rc", revision: "3" });
  });

  it("compares parts without epoch or revision", () => {
    expect(signOf(compareDpkgPart("1.0", "1.0.0"))).toBe(-1);
    expect(signOf(compareDpkgPart("1.0~", "1.0"))).toBe(-1);
  });

  // dpkg only warns about these and still compares them, so they are valid here too.
  it.each(["abc", "1.0_1", "1.0-1.el6.x86_64"])("accepts warning-only %j", (version) => {
    expect(dpkgOrdering.isValid(version)).toBe(true);
  });
});

describe("dpkg invalid versions", () => {
  it.each([
    ["", "the version is empty"],
    ["  ", "the version is empty"],
    ["1.0 1", "the version contains spaces"],
    [":1.0", "the epoch before the colon is empty"],
    ["a:1.0", "the epoch before the colon is not a number"],
    ["-1:1.0", "the epoch before the colon is not a number"],
    ["2147483648:1.0", "the epoch is larger than 2147483647"],
    ["1:", "nothing follows the epoch colon"],
    ["1.0-", "the revision after the last hyphen is empty"],
    ["-1", "the upstream version is empty"],
    ["1:-1", "the upstream version is empty"],
  ])("rejects %j", (version, reason) => {
    expect(dpkgOrdering.isValid(version)).toBe(false);
    expect(() => dpkgOrdering.compare(version, "1.0")).toThrow(InvalidVersionError);
    expect(() => dpkgOrdering.compare("1.0", version)).toThrow(`Invalid dpkg version ${JSON.stringify(version)}: ${reason}.`);
  });

  it("accepts the largest epoch", () => {
    expect(dpkgOrdering.isValid("2147483647:1.0")).toBe(true);
  });
});
