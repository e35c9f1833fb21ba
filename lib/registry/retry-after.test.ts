import { describe, expect, it } from "vitest";

import { parseRetryAfter, retryDelayMs } from "@/lib/registry/retry-after";

const NOW = Date.parse("2025-01-01T00:00:00Z");

describe("parseRetryAfter", () => {
  it.each([
    { header: "0", expected: 0 },
    { header: "3", expected: 3000 },
    { header: " 120 ", expected: 120_000 },
    { header: "Wed, 01 Jan 2025 00:00:30 GMT", expected: 30_000 },
    { header: "Tue, 31 Dec 2024 23:59:00 GMT", expected: 0 },
    { header: "Wednesday, 01-Jan-25 00:00:10 GMT", expected: 10_000 },
    { header: "Wed Jan  1 00:00:20 2025", expected: 20_000 },
  ])("parses $header", ({ header, expected }) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });

  it.each([null, "", "-1", "1.5", "soon", "2025-01-01T00:00:30Z", "Wed, 99 Foo 2025"])("returns null for %j", (header) => {
    expect(parseRetryAfter(header, NOW)).toBeNull();
  });
});

describe("retryDelayMs", () => {
  const options = { baseDelayMs: 100, maxDelayMs: 5000 };

  it("prefers Retry-After", () => {
    expect(retryDelayMs(0, "2", options, NOW)).toBe(2000);
  });

  it("caps Retry-After", () => {
    expect(retryDelayMs(0, "3600", options, NOW)).toBe(5000);
  });

  it.each([
    { retry: 0, random: 0, expected: 50 },
    { retry: 0, random: 0.999999, expected: 100 },
    { retry: 2, random: 0, expected: 200 },
    { retry: 2, random: 0.5, expected: 300 },
    { retry: 10, random: 0, expected: 2500 },
  ])("backs off exponentially on retry $retry with random $random", ({ retry, random, expected }) => {
    expect(retryDelayMs(retry, null, { ...options, random: () => random }, NOW)).toBe(expected);
  });
});
