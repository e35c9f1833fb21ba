import { describe, expect, it } from "vitest";

import { endOfLife, isEndOfLife } from "@/lib/analysis/end-of-life";

describe("endOfLife", () => {
  const cases: [id: string, versionId: string, expected: string | null][] = [
    ["debian", "9", "2020-07-06"],
    ["debian", "12", "2026-06-10"],
    ["debian", "13", "2028-08-09"],
    ["ubuntu", "16.04", "2021-04-30"],
    ["ubuntu", "22.04", "2027-04-30"],
    ["ubuntu", "23.10", "2024-07-11"],
    ["alpine", "3.10.9", "2021-05-01"],
    ["alpine", "3.20.3", "2026-04-01"],
    ["rhel", "7.9", "2024-06-30"],
    ["rhel", "9.4", "2032-05-31"],
    ["rhel", "10.0", "2035-05-31"],
    ["almalinux", "8.10", "2029-03-01"],
    ["rocky", "9.3", "2032-05-31"],
    ["amzn", "2", "2026-06-30"],
    ["amzn", "2023", "2029-06-30"],
    ["debian", "8", null],
    ["alpine", "3.9.6", null],
    ["fedora", "40", null],
    ["ubuntu", "jammy", null],
  ];
  for (const [id, versionId, expected] of cases) {
    it(`dates ${id} ${versionId}`, () => {
      expect(endOfLife(id, versionId)).toBe(expected);
    });
  }
});

describe("isEndOfLife", () => {
  const bookworm = { id: "debian", versionId: "12", endOfLife: "2026-06-10" };
  const cases: { name: string; os: { id: string; versionId: string | null; endOfLife: string | null }; now: string; expected: boolean }[] = [
    { name: "day before", os: bookworm, now: "2026-06-09T23:59:59Z", expected: false },
    { name: "last supported day", os: bookworm, now: "2026-06-10T23:59:59Z", expected: false },
    { name: "day after", os: bookworm, now: "2026-06-11T00:00:00Z", expected: true },
    { name: "date from table", os: { id: "ubuntu", versionId: "18.04", endOfLife: null }, now: "2024-01-01T00:00:00Z", expected: true },
    { name: "unknown release", os: { id: "fedora", versionId: "40", endOfLife: null }, now: "2099-01-01T00:00:00Z", expected: false },
    { name: "no version", os: { id: "debian", versionId: null, endOfLife: null }, now: "2099-01-01T00:00:00Z", expected: false },
  ];
  for (const { name, os, now, expected } of cases) {
    it(`judges ${name}`, () => {
      expect(isEndOfLife(os, new Date(now))).toBe(expected);
    });
  }
});
