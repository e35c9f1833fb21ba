import { describe, expect, it } from "vitest";
import { adjacentPairs, parseComparisonTable, parseVectorTable, reversed, signOf } from "./parse-vector-table";

describe("parseVectorTable", () => {
  it("skips provenance lines and reads JSON string fields", () => {
    const table = ['# source: a test', "a\tb\texpected\tsource\tnote", '"  v1.0\\t"\t1.0\t0\tsample\t', ""].join("\n");
    expect(parseComparisonTable(table)).toEqual([{ a: "  v1.0\t", b: "1.0", expected: 0, source: "sample", note: "" }]);
  });

  it("keeps an empty first field", () => {
    expect(parseVectorTable("version\tvalid\n\tfalse\n")).toEqual([{ version: "", valid: "false" }]);
  });

  it("rejects a row with missing fields", () => {
    expect(() => parseVectorTable("a\tb\n1.0\n")).toThrow("Vector table row 1 has 1 fields, but the header has 2");
  });

  it("rejects an expected value other than -1, 0 or 1", () => {
    expect(() => parseComparisonTable("a\tb\texpected\tsource\tnote\n1\t2\t<\tsample\t\n")).toThrow('Invalid expected value "<"');
  });
});

describe("test helpers", () => {
  it.each([
    [-7, -1],
    [-0, 0],
    [0, 0],
    [3, 1],
  ])("maps %d to %d", (result, sign) => {
    expect(signOf(result)).toBe(sign);
  });

  it("pairs neighbours of a list", () => {
    expect(adjacentPairs(["1", "2", "3"])).toEqual([
      ["1", "2"],
      ["2", "3"],
    ]);
    expect(adjacentPairs(["1"])).toEqual([]);
  });

  it("reverses a sign", () => {
    expect(reversed(-1)).toBe(1);
    expect(reversed(0)).toBe(0);
    expect(reversed(1)).toBe(-1);
  });
});
