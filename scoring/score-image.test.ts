import { describe, expect, it } from "vitest";
import { defaultPolicyConfig } from "./policy-config";
import { engineVersion, scoreImage } from "./score-image";
import { imageFacts } from "./testdata/image-facts";
import { analysedImage, finding, packageFact } from "./testdata/vulnerability-findings";
import { type PolicyConfig, type PolicyId, policyIds } from "./types";

/** Returns the default configuration with some weights changed. */
function withWeights(weights: Partial<Record<PolicyId, number>>, version = 7): PolicyConfig {
  const policies = Object.fromEntries(
    policyIds.map((id) => [id, { weight: weights[id] ?? defaultPolicyConfig.policies[id].weight }]),
  ) as PolicyConfig["policies"];
  return { version, policies };
}

const allZero = Object.fromEntries(policyIds.map((id) => [id, 0])) as Record<PolicyId, number>;
const rootWithoutAttestations = imageFacts({ user: null, attestations: { predicateTypes: [], provenanceMode: null } });

describe("scoreImage", () => {
  it("counts no-data policies in what was possible", () => {
    const report = scoreImage(imageFacts());
    expect(report).toMatchObject({ earned: 20, possible: 90, grade: "E" });
    expect(report.percent).toBeCloseTo(22.222, 3);
    expect(report.results.map((result) => [result.id, result.status, result.points])).toEqual([
      ["no-fixable-critical-high", "no-data", 0],
      ["no-high-profile-vulnerabilities", "no-data", 0],
      ["supply-chain-attestations", "pass", 15],
      ["no-unapproved-base-images", "no-data", 0],
      ["no-outdated-base-images", "no-data", 0],
      ["default-non-root-user", "pass", 5],
      ["no-agpl-v3-licenses", "no-data", 0],
    ]);
  });

  it("earns nothing for failed policies", () => {
    const report = scoreImage(rootWithoutAttestations);
    expect(report).toMatchObject({ earned: 0, possible: 90, percent: 0, grade: "F" });
    expect(report.results.every((result) => result.points === 0)).toBe(true);
  });

  it("fills each result from its policy and weight", () => {
    const result = scoreImage(imageFacts({ user: "root" })).results.find((r) => r.id === "default-non-root-user");
    expect(result).toMatchObject({
      title: "Default non-root user",
      status: "fail",
      weight: 5,
      points: 0,
      evidence: [{ label: "Config User", value: "root" }],
    });
  });

  it("leaves out a policy with weight 0", () => {
    const report = scoreImage(imageFacts(), withWeights({ "no-agpl-v3-licenses": 0, "no-outdated-base-images": 0 }));
    expect(report.results.map((result) => result.id)).not.toContain("no-agpl-v3-licenses");
    expect(report.results.map((result) => result.id)).not.toContain("no-outdated-base-images");
    expect(report).toMatchObject({ earned: 20, possible: 75 });
  });

  it("grades only what is left when the no-data policies are off", () => {
    const report = scoreImage(
      imageFacts({ user: "root" }),
      withWeights({
        "no-fixable-critical-high": 0,
        "no-high-profile-vulnerabilities": 0,
        "no-unapproved-base-images": 0,
        "no-outdated-base-images": 0,
        "no-agpl-v3-licenses": 0,
      }),
    );
    expect(report).toMatchObject({ earned: 15, possible: 20, percent: 75, grade: "B" });
  });

  it("puts a score exactly on a boundary in the lower grade", () => {
    // 45 of 50 points is exactly 90 %, a B.
    const onBoundary = scoreImage(
      imageFacts({ user: "root" }),
      withWeights({ ...allZero, "supply-chain-attestations": 45, "default-non-root-user": 5 }),
    );
    expect(onBoundary).toMatchObject({ earned: 45, possible: 50, percent: 90, grade: "B" });

    // 11 / 20 * 100 is 55.00000000000001 in floating point; the report keeps it a whole 55.
    const fiftyFive = scoreImage(
      imageFacts({ user: "root" }),
      withWeights({ ...allZero, "supply-chain-attestations": 11, "default-non-root-user": 9 }),
    );
    expect(fiftyFive.percent).toBe(55);
  });

  it("does not grade when every weight is 0", () => {
    const report = scoreImage(imageFacts(), withWeights(allZero));
    expect(report).toMatchObject({ earned: 0, possible: 0, percent: null, grade: null, results: [] });
  });

  it("records what it was computed from", () => {
    const facts = imageFacts({ platform: "linux/arm64/v8" });
    const report = scoreImage(facts, withWeights({}, 7), { advisorySnapshot: "osv-2025-01-01T00:00:00Z" });
    expect(report).toMatchObject({
      engineVersion,
      digest: facts.digest,
      platform: "linux/arm64/v8",
      policyConfigVersion: 7,
      advisorySnapshot: "osv-2025-01-01T00:00:00Z",
    });
    expect(scoreImage(facts).advisorySnapshot).toBeNull();
    expect(scoreImage(facts).policyConfigVersion).toBe(1);
  });

  it("is at engine version 4", () => {
    expect(engineVersion).toBe("4");
  });

  it("grades an analysed image on its packages and findings", () => {
    const clean = scoreImage(analysedImage({ findings: [], packages: [packageFact()] }));
    expect(clean.results.map((result) => [result.id, result.status])).toEqual([
      ["no-fixable-critical-high", "pass"],
      ["no-high-profile-vulnerabilities", "pass"],
      ["supply-chain-attestations", "pass"],
      ["no-unapproved-base-images", "no-data"],
      ["no-outdated-base-images", "no-data"],
      ["default-non-root-user", "pass"],
      ["no-agpl-v3-licenses", "pass"],
    ]);
    expect(clean).toMatchObject({ earned: 65, possible: 90, grade: "B" });

    const vulnerable = scoreImage(
      analysedImage({ findings: [finding()], packages: [packageFact(), packageFact({ name: "ghostscript", purl: "pkg:deb/debian/ghostscript@10.0.0", license: "AGPL-3.0-or-later" })] }),
    );
    expect(vulnerable.results.filter((result) => result.status === "fail").map((result) => result.id)).toEqual([
      "no-fixable-critical-high",
      "no-high-profile-vulnerabilities",
      "no-agpl-v3-licenses",
    ]);
    expect(vulnerable).toMatchObject({ earned: 20, possible: 90, grade: "E" });
  });

  it("decides the base-image policies from the detected base", () => {
    const digest = `sha256:${"b".repeat(64)}`;
    const baseImage = { source: "provenance" as const, reference: "docker.io/library/debian:12-slim", digest };
    const current = scoreImage(analysedImage({ findings: [] }, { baseImage: { ...baseImage, current: { status: "resolved", digest, resolvedAt: "2024-06-01T11:00:00Z" } } }));
    expect(current).toMatchObject({ earned: 90, possible: 90, grade: "A" });

    const moved = scoreImage(
      analysedImage({ findings: [] }, { baseImage: { ...baseImage, current: { status: "resolved", digest: `sha256:${"c".repeat(64)}`, resolvedAt: "2024-06-01T11:00:00Z" } } }),
    );
    expect(moved.results.find((result) => result.id === "no-outdated-base-images")?.status).toBe("fail");
    expect(moved).toMatchObject({ earned: 80, possible: 90, grade: "B" });

    const config = structuredClone(defaultPolicyConfig) as PolicyConfig;
    config.policies["no-unapproved-base-images"] = { ...config.policies["no-unapproved-base-images"], approvedPatterns: ["registry.example.com/base/*"] };
    const unapproved = scoreImage(analysedImage({ findings: [] }, { baseImage }), config);
    expect(unapproved.results.find((result) => result.id === "no-unapproved-base-images")?.status).toBe("fail");
  });

  it("passes each policy its options", () => {
    const config = structuredClone(defaultPolicyConfig) as PolicyConfig;
    const facts = analysedImage({ findings: [finding({ vulnerabilityId: "CVE-2024-2398" })] });
    expect(scoreImage(facts, config).results[0]?.status).toBe("fail");
    config.policies["no-fixable-critical-high"] = { ...config.policies["no-fixable-critical-high"], packageTypes: ["npm"] };
    expect(scoreImage(facts, config).results[0]?.status).toBe("pass");
  });

  it("fills in default options missing from a configuration", () => {
    // withWeights builds settings of weights alone, as a configuration stored before the options existed.
    const report = scoreImage(analysedImage({ findings: [finding()] }), withWeights({}));
    expect(report.results[0]).toMatchObject({ id: "no-fixable-critical-high", status: "fail" });
    expect(report.results[1]).toMatchObject({ id: "no-high-profile-vulnerabilities", status: "fail" });
  });
});
