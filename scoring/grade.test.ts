import { describe, expect, it } from "vitest";
import { badgeColor, describeScore, gradeForPercent, gradeRank, worstGrade } from "./grade";
import type { Grade } from "./types";

describe("gradeForPercent", () => {
  it.each([
    [100, "A"],
    [90.01, "A"],
    [90, "B"],
    [70.01, "B"],
    [70, "C"],
    [50.01, "C"],
    [50, "D"],
    [30.01, "D"],
    [30, "E"],
    [10.01, "E"],
    [10, "F"],
    [0, "F"],
  ] as const)("%d %% is %s", (percent, grade) => {
    expect(gradeForPercent(percent)).toBe(grade);
  });

  it("compares the unrounded percent", () => {
    expect(gradeForPercent(90.0000001)).toBe("A");
    expect(gradeForPercent(10.0000001)).toBe("E");
  });

  it("rejects NaN", () => {
    expect(() => gradeForPercent(Number.NaN)).toThrow(RangeError);
  });
});

describe("gradeRank", () => {
  it.each([
    ["A", 0],
    ["B", 1],
    ["C", 2],
    ["D", 3],
    ["E", 4],
    ["F", 5],
  ] as const)("%s ranks %d", (grade, rank) => {
    expect(gradeRank(grade)).toBe(rank);
  });

  it("sorts best first", () => {
    const grades: Grade[] = ["F", "A", "C", "B", "E", "D"];
    expect(grades.sort((a, b) => gradeRank(a) - gradeRank(b))).toEqual(["A", "B", "C", "D", "E", "F"]);
  });
});

describe("worstGrade", () => {
  it.each([
    [["A", "C", "B"], "C"],
    [["F", "A"], "F"],
    [["B", null, "D"], "D"],
    [[null, "A"], "A"],
    [["E"], "E"],
    [[null, null], null],
    [[], null],
  ] as const)("worst of %j is %s", (grades, worst) => {
    expect(worstGrade(grades)).toBe(worst);
  });
});

describe("badgeColor", () => {
  it.each([
    ["A", "green"],
    ["B", "green"],
    ["C", "yellow"],
    ["D", "orange"],
    ["E", "red"],
    ["F", "red"],
    [null, "grey"],
  ] as const)("%s is %s", (grade, color) => {
    expect(badgeColor(grade)).toBe(color);
  });
});

describe("describeScore", () => {
  it.each([
    [{ earned: 20, possible: 90, percent: 2000 / 90, grade: "E" }, "20 of 90 points = 22.2 % → E"],
    [{ earned: 90, possible: 90, percent: 100, grade: "A" }, "90 of 90 points = 100 % → A"],
    [{ earned: 63, possible: 70, percent: 90, grade: "B" }, "63 of 70 points = 90 % → B"],
    // 62200 / 691 is 90.0145…: one decimal would show "90" beside an A.
    [{ earned: 622, possible: 691, percent: 62200 / 691, grade: "A" }, "622 of 691 points = 90.01 % → A"],
    [{ earned: 0, possible: 20, percent: 0, grade: "F" }, "0 of 20 points = 0 % → F"],
  ] as const)("%j reads %s", (report, words) => {
    expect(describeScore(report)).toBe(words);
  });

  it("says when an image is not graded", () => {
    expect(describeScore({ earned: 0, possible: 0, percent: null, grade: null })).toBe(
      "0 of 0 points: every policy has weight 0, so the image is not graded",
    );
  });
});
