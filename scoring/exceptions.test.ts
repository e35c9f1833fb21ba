import { describe, expect, it, test } from "vitest";
import { applyExceptions, type ExceptionScope, type VulnerabilityException, vulnerabilityExceptionSchema } from "./exceptions";
import { finding } from "./testdata/vulnerability-findings";

const scope: ExceptionScope = { repository: "acme/api", tags: ["1.4.2", "latest"], now: "2024-06-01T12:00:00Z" };

function exception(overrides: Partial<VulnerabilityException> = {}): VulnerabilityException {
  return {
    id: "exc-1",
    vulnerabilityId: "CVE-2023-38545",
    reason: "curl never talks to a SOCKS5 proxy in this image",
    author: "ops@acme.example",
    expiresAt: "2024-09-01T00:00:00Z",
    ...overrides,
  };
}

/** Returns the suppression applyExceptions sets on the default curl finding. */
function suppressionOf(exceptions: VulnerabilityException[], findingOverrides = {}, scopeOverrides: Partial<ExceptionScope> = {}) {
  const [result] = applyExceptions([finding(findingOverrides)], exceptions, { ...scope, ...scopeOverrides });
  return result?.suppressed ?? null;
}

describe("applyExceptions", () => {
  it("suppresses a matching finding with the reason and expiry", () => {
    expect(suppressionOf([exception()])).toEqual({
      by: "exception",
      reason: "curl never talks to a SOCKS5 proxy in this image",
      expiresAt: "2024-09-01T00:00:00Z",
    });
  });

  it("does not change its inputs and returns new objects", () => {
    const findings = [finding(), finding({ vulnerabilityId: "CVE-2024-2398" })];
    const exceptions = [exception()];
    const before = structuredClone(findings);
    const result = applyExceptions(findings, exceptions, scope);
    expect(findings).toEqual(before);
    expect(result[0]).not.toBe(findings[0]);
    expect(result[1]).not.toBe(findings[1]);
    expect(result[1]).toEqual(findings[1]);
  });

  test.each([
    ["the vulnerability id", true, {}],
    ["an alias", true, { vulnerabilityId: "DEBIAN-CVE-2023-38545", aliases: ["CVE-2023-38545"] }],
    ["the id in another case", true, { vulnerabilityId: "cve-2023-38545" }],
    ["another vulnerability", false, { vulnerabilityId: "CVE-2023-38546" }],
  ])("a finding with %s is suppressed: %s", (_case, suppressed, findingOverrides) => {
    expect(suppressionOf([exception()], findingOverrides) !== null).toBe(suppressed);
  });

  it("matches a GHSA exception against a finding's alias", () => {
    const log4j = { vulnerabilityId: "CVE-2021-44228", aliases: ["GHSA-jfh8-c2jp-5v3q"] };
    expect(suppressionOf([exception({ vulnerabilityId: "GHSA-jfh8-c2jp-5v3q" })], log4j)).not.toBeNull();
  });

  describe("expiry", () => {
    test.each([
      ["a second before now", false, "2024-06-01T11:59:59Z"],
      ["exactly now", false, "2024-06-01T12:00:00Z"],
      ["a second after now", true, "2024-06-01T12:00:01Z"],
      ["now in another offset", false, "2024-06-01T14:00:00+02:00"],
      ["never", true, null],
      ["at an unreadable time", false, "next quarter"],
    ] as const)("an exception expiring %s applies: %s", (_case, applies, expiresAt) => {
      expect(suppressionOf([exception({ expiresAt })]) !== null).toBe(applies);
    });

    it("rejects an unreadable now", () => {
      expect(() => applyExceptions([finding()], [exception()], { ...scope, now: "today" })).toThrow(
        'The exception scope\'s now must be an ISO 8601 time, not "today".',
      );
    });
  });

  describe("scopes", () => {
    test.each([
      ["a matching repository", true, { repository: "acme/api" }, {}],
      ["another repository", false, { repository: "acme/web" }, {}],
      ["a repository prefix", false, { repository: "acme" }, {}],
      ["a repository when the image has none", false, { repository: "acme/api" }, { repository: null }],
      ["an empty repository (any)", true, { repository: "" }, {}],
      ["a null repository (any)", true, { repository: null }, {}],
      ["a tag pattern matching one tag", true, { tagPattern: "1.4.*" }, {}],
      ["an exact tag", true, { tagPattern: "latest" }, {}],
      ["a tag pattern matching no tag", false, { tagPattern: "release-*" }, {}],
      ["a tag pattern on an untagged image", false, { tagPattern: "*" }, { tags: [] }],
      ["a package name pattern", true, { packagePattern: "curl" }, {}],
      ["a package name glob", true, { packagePattern: "cur*" }, {}],
      ["a purl without version", true, { packagePattern: "pkg:deb/debian/curl" }, {}],
      ["a purl with its version", true, { packagePattern: "pkg:deb/debian/curl@7.88.1-10" }, {}],
      ["a purl with another version", false, { packagePattern: "pkg:deb/debian/curl@8.*" }, {}],
      ["a purl glob", true, { packagePattern: "pkg:deb/**" }, {}],
      ["another package", false, { packagePattern: "libcurl4" }, {}],
      ["a matching repository, tag and package", true, { repository: "acme/api", tagPattern: "latest", packagePattern: "curl" }, {}],
      ["a matching repository and tag but another package", false, { repository: "acme/api", tagPattern: "latest", packagePattern: "wget" }, {}],
    ] as const)("an exception scoped to %s applies: %s", (_case, applies, exceptionOverrides, scopeOverrides) => {
      expect(suppressionOf([exception(exceptionOverrides)], {}, scopeOverrides) !== null).toBe(applies);
    });

    it("matches a scoped npm package pattern against its encoded purl", () => {
      const acme = { purl: "pkg:npm/%40acme/widget@2.0.0", packageName: "@acme/widget", packageType: "npm" };
      expect(suppressionOf([exception({ packagePattern: "pkg:npm/@acme/*" })], acme)).not.toBeNull();
      expect(suppressionOf([exception({ packagePattern: "@acme/*" })], acme)).not.toBeNull();
    });
  });

  it("prefers the exception that lasts longest, then the lowest id", () => {
    const short = exception({ id: "a", reason: "short", expiresAt: "2024-07-01T00:00:00Z" });
    const long = exception({ id: "b", reason: "long", expiresAt: "2025-01-01T00:00:00Z" });
    const forever = exception({ id: "c", reason: "forever", expiresAt: null });
    expect(suppressionOf([short, long])?.reason).toBe("long");
    expect(suppressionOf([long, short, forever])?.reason).toBe("forever");
    const twin = exception({ id: "0", reason: "twin", expiresAt: long.expiresAt });
    expect(suppressionOf([long, twin])?.reason).toBe("twin");
  });

  it("skips an expired exception for a live one", () => {
    const expired = exception({ id: "a", reason: "expired", expiresAt: "2024-01-01T00:00:00Z" });
    const live = exception({ id: "b", reason: "live", expiresAt: "2024-06-02T00:00:00Z" });
    expect(suppressionOf([expired, live])?.reason).toBe("live");
  });

  it("keeps an earlier suppression", () => {
    const vexed = { suppressed: { by: "vex" as const, reason: "component_not_present", expiresAt: null } };
    expect(suppressionOf([exception()], vexed)).toEqual(vexed.suppressed);
  });
});

describe("vulnerabilityExceptionSchema", () => {
  const valid = {
    id: "exc-1",
    vulnerabilityId: "CVE-2023-38545",
    repository: "acme/api",
    tagPattern: null,
    reason: "not reachable",
    author: "ops@acme.example",
    expiresAt: "2024-09-01T00:00:00Z",
  };

  it("accepts a valid exception", () => {
    expect(vulnerabilityExceptionSchema.parse(valid)).toEqual(valid);
  });

  test.each([
    ["vulnerabilityId", "CVE 2023 38545", 'must be a vulnerability id such as "CVE-2024-3094" or "GHSA-jfh8-c2jp-5v3q", not "CVE 2023 38545"'],
    ["reason", "  ", "must be the reason the vulnerability does not apply, not empty"],
    ["author", undefined, "is missing; it must be the person who recorded the exception"],
    ["expiresAt", "next week", "must be an ISO 8601 time such as 2025-06-30T00:00:00Z, or null to never expire"],
    ["expiresAt", undefined, "is missing; it must be an ISO 8601 time such as 2025-06-30T00:00:00Z, or null to never expire"],
    ["tagPattern", "", "must be a tag pattern such as \"release-*\", or null for any"],
  ])("rejects %s %j", (field, value, message) => {
    const result = vulnerabilityExceptionSchema.safeParse({ ...valid, [field]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([[field, message]]);
  });
});
