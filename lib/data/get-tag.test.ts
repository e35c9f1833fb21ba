import { describe, expect, test } from "vitest";

import { worstPlatformOf } from "@/lib/data/get-tag";

function platform(digest: string, grade: string | null, percent: number | null = null) {
  return { digest, report: grade === null && percent === null ? null : { grade, percent } };
}

describe("worstPlatformOf", () => {
  const cases: [string, ReturnType<typeof platform>[], string | null][] = [
    ["worst grade wins", [platform("amd64", "B", 72), platform("arm64", "E", 20)], "arm64"],
    ["lower percent breaks a tie", [platform("amd64", "D", 45), platform("arm64", "D", 31)], "arm64"],
    ["first wins an equal score", [platform("amd64", "C", 60), platform("arm64", "C", 60)], "amd64"],
    ["ungraded platform is skipped", [platform("amd64", null), platform("arm64", "A", 100)], "arm64"],
    ["no graded platform gives the first", [platform("amd64", null), platform("arm64", null)], "amd64"],
    ["no platform gives null", [], null],
  ];

  test.each(cases)("%s", (_name, platforms, expected) => {
    expect(worstPlatformOf(platforms)).toBe(expected);
  });
});
