import { describe, expect, test } from "vitest";
import { defaultPolicyConfig } from "../policy-config";
import { scoreImage } from "../score-image";
import type { ImageFacts } from "../types";

function facts(advisoriesImported: boolean | undefined): ImageFacts {
  return {
    digest: "sha256:" + "a".repeat(64),
    platform: "linux/amd64",
    user: "app",
    attestations: { predicateTypes: [], provenanceMode: null },
    analysis: { status: "analysed", os: null, packages: [], findings: [], advisoriesImported },
    evaluatedAt: "2026-12-01T00:00:00Z",
  };
}

const vulnerabilityPolicies = ["no-fixable-critical-high", "no-high-profile-vulnerabilities"] as const;

describe("vulnerability policies without advisories", () => {
  test.each(vulnerabilityPolicies)("%s has no data when none are imported", (id) => {
    const result = scoreImage(facts(false), defaultPolicyConfig).results.find((entry) => entry.id === id);
    expect(result).toMatchObject({ status: "no-data", points: 0, remediation: expect.stringContaining("shipshape advisories import") });
    expect(result?.summary).toMatch(/No vulnerability advisories have been imported/);
  });

  test("the fix covers the server and the CLI", () => {
    const result = scoreImage(facts(false), defaultPolicyConfig).results.find((entry) => entry.id === vulnerabilityPolicies[0]);
    expect(result?.remediation).toContain("ADVISORY_SOURCES");
    expect(result?.remediation).toContain("shipshape advisories import --store DIR PATH_OR_URL");
    expect(result?.remediation).toContain("--advisories DIR");
  });

  test.each([true, undefined])("both pass an image without findings when advisoriesImported is %s", (imported) => {
    const results = scoreImage(facts(imported), defaultPolicyConfig).results.filter((entry) => (vulnerabilityPolicies as readonly string[]).includes(entry.id));
    expect(results.map((entry) => entry.status)).toEqual(["pass", "pass"]);
  });

  test("the license policy does not need advisories", () => {
    const result = scoreImage(facts(false), defaultPolicyConfig).results.find((entry) => entry.id === "no-agpl-v3-licenses");
    expect(result?.status).toBe("pass");
  });
});
