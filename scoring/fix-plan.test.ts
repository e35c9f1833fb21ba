import { describe, expect, it, test } from "vitest";
import { type BaseTagCandidate, findingKey, fixPlan } from "./fix-plan";
import { defaultPolicyConfig } from "./policy-config";
import { scoreImage } from "./score-image";
import { imageFacts } from "./testdata/image-facts";
import { analysedImage, finding, packageFact } from "./testdata/vulnerability-findings";
import { type BaseImageFact, type ImageFacts, type PolicyConfig, type PolicyId, policyIds } from "./types";

const baseDigest = `sha256:${"b".repeat(64)}`;
const layers = [`sha256:${"1".repeat(64)}`, `sha256:${"2".repeat(64)}`, `sha256:${"3".repeat(64)}`];

/** A base image that is approved by the default pattern and still current. */
const currentBase: BaseImageFact = {
  source: "provenance",
  reference: "docker.io/library/debian:12-slim",
  digest: baseDigest,
  current: { status: "resolved", digest: baseDigest, resolvedAt: "2024-06-01T11:00:00Z" },
};

const ghostscript = packageFact({ name: "ghostscript", version: "10.0.0", purl: "pkg:deb/debian/ghostscript@10.0.0", license: "AGPL-3.0-or-later" });

/**
 * Returns an image at 45 of 90 points (50 %, a D): a fixable critical CVE that is also on the
 * high-profile list fails both vulnerability policies, and an AGPL package fails the
 * license policy. Every other policy passes.
 */
function imageAtD(overrides: Partial<ImageFacts> = {}): ImageFacts {
  return analysedImage({ findings: [finding()], packages: [packageFact(), ghostscript] }, { baseImage: currentBase, ...overrides });
}

/** Returns the default configuration with some weights changed and the other settings kept. */
function withWeights(weights: Partial<Record<PolicyId, number>>): PolicyConfig {
  const policies = Object.fromEntries(
    policyIds.map((id) => [id, { ...defaultPolicyConfig.policies[id], weight: weights[id] ?? defaultPolicyConfig.policies[id].weight }]),
  ) as PolicyConfig["policies"];
  return { version: 2, policies };
}

describe("fixPlan", () => {
  it("lists each failing policy with the grade it alone would give", () => {
    const facts = imageAtD();
    const report = scoreImage(facts);
    expect(report).toMatchObject({ earned: 45, possible: 90, grade: "D" });

    const plan = fixPlan(report, facts);
    expect(plan.map((fix) => [fix.policyId, fix.status, fix.points, fix.gradeIfFixed])).toEqual([
      ["no-fixable-critical-high", "fail", 20, "B"],
      ["no-high-profile-vulnerabilities", "fail", 20, "B"],
      ["no-agpl-v3-licenses", "fail", 5, "C"],
    ]);
    expect(plan[0]?.percentIfFixed).toBeCloseTo(72.222, 3);
    expect(plan[2]?.percentIfFixed).toBeCloseTo(55.556, 3);
  });

  it("orders by points regained, then by policy order", () => {
    const facts = imageFacts({ user: "root", attestations: { predicateTypes: [], provenanceMode: null } });
    const plan = fixPlan(scoreImage(facts), facts);
    expect(plan.map((fix) => [fix.policyId, fix.points])).toEqual([
      ["no-fixable-critical-high", 20],
      ["no-high-profile-vulnerabilities", 20],
      ["supply-chain-attestations", 15],
      ["no-unapproved-base-images", 15],
      ["no-outdated-base-images", 10],
      ["default-non-root-user", 5],
      ["no-agpl-v3-licenses", 5],
    ]);
  });

  it("lists no-data policies", () => {
    const facts = imageFacts();
    const plan = fixPlan(scoreImage(facts), facts);
    const outdated = plan.find((fix) => fix.policyId === "no-outdated-base-images");
    expect(outdated).toEqual({
      policyId: "no-outdated-base-images",
      title: "No outdated base images",
      status: "no-data",
      points: 10,
      summary: "The base image of this image is not known, so it cannot be checked for updates.",
      remediation: null,
      percentIfFixed: (30 * 100) / 90,
      gradeIfFixed: "D",
    });
  });

  it("copies the remediation of other policies from the report", () => {
    const facts = imageFacts({ user: "root", baseImage: currentBase });
    const report = scoreImage(facts);
    const plan = fixPlan(report, facts);
    const user = plan.find((fix) => fix.policyId === "default-non-root-user");
    expect(user?.remediation).toBe(report.results.find((result) => result.id === "default-non-root-user")?.remediation);
    expect(user?.remediation).toContain("USER 65532:65532");
    expect(user?.packages).toBeUndefined();
  });

  it("is empty when every policy passes", () => {
    const facts = analysedImage({ findings: [], packages: [packageFact()] }, { baseImage: currentBase });
    const report = scoreImage(facts);
    expect(report.grade).toBe("A");
    expect(fixPlan(report, facts)).toEqual([]);
  });

  it("leaves out policies with weight 0", () => {
    const facts = imageAtD();
    const config = withWeights({ "no-high-profile-vulnerabilities": 0 });
    const plan = fixPlan(scoreImage(facts, config), facts, config);
    expect(plan.map((fix) => fix.policyId)).toEqual(["no-fixable-critical-high", "no-agpl-v3-licenses"]);
  });

  it("keeps a fix that lands on a boundary in the lower grade", () => {
    // 1 of 10 points; passing the attestation policy (8 points) gives exactly 90 %, a B.
    const config = withWeights({ ...Object.fromEntries(policyIds.map((id) => [id, 0])), "supply-chain-attestations": 8, "default-non-root-user": 1, "no-agpl-v3-licenses": 1 });
    const facts = imageFacts({ attestations: { predicateTypes: [], provenanceMode: null } });
    const plan = fixPlan(scoreImage(facts, config), facts, config);
    expect(plan[0]).toMatchObject({ policyId: "supply-chain-attestations", points: 8, percentIfFixed: 90, gradeIfFixed: "B" });
  });

  it("rejects facts of another image", () => {
    const facts = imageAtD();
    const report = scoreImage(facts);
    expect(() => fixPlan(report, { ...facts, digest: `sha256:${"f".repeat(64)}` })).toThrow(RangeError);
  });
});

describe("fixPlan vulnerability fixes", () => {
  const lodash = packageFact({ type: "npm", name: "lodash", version: "4.17.20", purl: "pkg:npm/lodash@4.17.20", license: "MIT", layerDigest: layers[2] ?? null });
  const curl = packageFact({ layerDigest: layers[0] ?? null });
  const libssl = packageFact({ name: "libssl3", version: "3.0.11-1~deb12u1", purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u1", license: "Apache-2.0", layerDigest: null });
  const findings = [
    finding(),
    finding({ vulnerabilityId: "CVE-2024-2398", fixedVersion: "7.88.1-10+deb12u6", severity: { level: "high", score: 8.6, source: null } }),
    finding({
      purl: lodash.purl,
      vulnerabilityId: "CVE-2021-23337",
      packageType: "npm",
      packageName: "lodash",
      packageVersion: "4.17.20",
      fixedVersion: "4.17.21",
      severity: { level: "high", score: 7.2, source: null },
    }),
    finding({
      purl: libssl.purl,
      vulnerabilityId: "CVE-2024-0727",
      packageName: "libssl3",
      packageVersion: "3.0.11-1~deb12u1",
      fixedVersion: "3.0.11-1~deb12u2",
      severity: { level: "high", score: 7.5, source: null },
    }),
    // Medium, so it does not fail the default policy and is not listed.
    finding({ vulnerabilityId: "CVE-2023-28320", severity: { level: "medium", score: 5.9, source: null } }),
    // Suppressed, so it is not listed either.
    finding({
      purl: lodash.purl,
      vulnerabilityId: "CVE-2020-8203",
      packageType: "npm",
      packageName: "lodash",
      packageVersion: "4.17.20",
      fixedVersion: "4.17.19",
      severity: { level: "high", score: 7.4, source: null },
      suppressed: { by: "exception", reason: "not reachable", expiresAt: null },
    }),
  ];

  function vulnerabilityFix(overrides: Partial<ImageFacts>, config: PolicyConfig = defaultPolicyConfig, reportConfig: PolicyConfig = config) {
    const facts = analysedImage({ findings, packages: [curl, lodash, libssl] }, { baseImage: currentBase, ...overrides });
    const fix = fixPlan(scoreImage(facts, reportConfig), facts, config).find((item) => item.policyId === "no-fixable-critical-high");
    if (fix === undefined) throw new Error("the vulnerability policy did not fail");
    return fix;
  }

  it("groups the packages by the layers they come from", () => {
    const fix = vulnerabilityFix({ layerDigests: layers, baseLayerCount: 2 });
    expect(fix.packages).toEqual([
      {
        name: "curl",
        type: "deb",
        version: "7.88.1-10",
        purl: curl.purl,
        fixedVersions: ["7.88.1-10+deb12u4", "7.88.1-10+deb12u6"],
        vulnerabilityIds: ["CVE-2023-38545", "CVE-2024-2398"],
        origin: "base-image",
      },
      {
        name: "libssl3",
        type: "deb",
        version: "3.0.11-1~deb12u1",
        purl: libssl.purl,
        fixedVersions: ["3.0.11-1~deb12u2"],
        vulnerabilityIds: ["CVE-2024-0727"],
        origin: "unknown",
      },
      {
        name: "lodash",
        type: "npm",
        version: "4.17.20",
        purl: lodash.purl,
        fixedVersions: ["4.17.21"],
        vulnerabilityIds: ["CVE-2021-23337"],
        origin: "own-layers",
      },
    ]);
    expect(fix.remediation).toBe(
      "Packages from the base image: Upgrade `curl` from 7.88.1-10 to 7.88.1-10+deb12u6 or later (CVE-2023-38545, CVE-2024-2398). " +
        "Distribution packages are upgraded by rebuilding on an updated base image or by running the package manager's upgrade (`apt-get upgrade`) in the Dockerfile. " +
        "These come from the base image's layers, so rebuilding on a base image that ships the fixed versions (`docker buildx build --pull`, or a newer base tag) fixes them. " +
        "Packages from the image's own layers: Upgrade `lodash` from 4.17.20 to 4.17.21 or later (CVE-2021-23337). " +
        "Packages (layer origin unknown): Upgrade `libssl3` from 3.0.11-1~deb12u1 to 3.0.11-1~deb12u2 or later (CVE-2024-0727). " +
        "Distribution packages are upgraded by rebuilding on an updated base image or by running the package manager's upgrade (`apt-get upgrade`) in the Dockerfile.",
    );
  });

  test.each<[string, Partial<ImageFacts>]>([
    ["no layer list", { baseLayerCount: 2 }],
    ["no base layer count", { layerDigests: layers }],
    ["a base layer count above the layer count", { layerDigests: layers, baseLayerCount: 4 }],
    ["a negative base layer count", { layerDigests: layers, baseLayerCount: -1 }],
    ["a fractional base layer count", { layerDigests: layers, baseLayerCount: 1.5 }],
    ["layers that do not contain the package's layer", { layerDigests: [`sha256:${"9".repeat(64)}`], baseLayerCount: 1 }],
  ])("says the origin is unknown with %s", (_case, overrides) => {
    const fix = vulnerabilityFix(overrides);
    expect(fix.packages?.map((upgrade) => upgrade.origin)).toEqual(["unknown", "unknown", "unknown"]);
    expect(fix.remediation).toMatch(/^Packages \(layer origin unknown\): Upgrade `curl`/);
  });

  test.each([
    [0, ["own-layers", "unknown", "own-layers"]],
    [1, ["base-image", "unknown", "own-layers"]],
    [3, ["base-image", "unknown", "base-image"]],
  ] as const)("with %d base layers, the origins are %j", (baseLayerCount, origins) => {
    const fix = vulnerabilityFix({ layerDigests: layers, baseLayerCount });
    expect(fix.packages?.map((upgrade) => upgrade.origin)).toEqual(origins);
  });

  it("marks an unlisted package's origin unknown", () => {
    const facts = analysedImage({ findings: [finding()], packages: [] }, { baseImage: currentBase, layerDigests: layers, baseLayerCount: 2 });
    const fix = fixPlan(scoreImage(facts), facts)[0];
    expect(fix?.packages?.[0]?.origin).toBe("unknown");
  });

  it("lists the findings that fail under the given configuration", () => {
    const criticalOnly = structuredClone(defaultPolicyConfig) as PolicyConfig;
    criticalOnly.policies["no-fixable-critical-high"] = { ...criticalOnly.policies["no-fixable-critical-high"], severities: ["critical"] };
    const fix = vulnerabilityFix({ layerDigests: layers, baseLayerCount: 2 }, criticalOnly);
    expect(fix.packages?.map((upgrade) => [upgrade.name, upgrade.vulnerabilityIds])).toEqual([["curl", ["CVE-2023-38545"]]]);
  });

  it("keeps the report's remediation when the configuration does not reproduce the result", () => {
    const criticalOnly = structuredClone(defaultPolicyConfig) as PolicyConfig;
    criticalOnly.policies["no-fixable-critical-high"] = { ...criticalOnly.policies["no-fixable-critical-high"], severities: ["critical"] };
    const facts = analysedImage({ findings, packages: [curl, lodash, libssl] }, { baseImage: currentBase, layerDigests: layers, baseLayerCount: 2 });
    const report = scoreImage(facts, criticalOnly);
    const fix = fixPlan(report, facts).find((item) => item.policyId === "no-fixable-critical-high");
    expect(fix?.packages).toBeUndefined();
    expect(fix?.remediation).toBe(report.results[0]?.remediation);
  });

  it("groups the high-profile policy's packages too", () => {
    const facts = analysedImage({ findings, packages: [curl, lodash, libssl] }, { baseImage: currentBase, layerDigests: layers, baseLayerCount: 2 });
    const fix = fixPlan(scoreImage(facts), facts).find((item) => item.policyId === "no-high-profile-vulnerabilities");
    expect(fix?.packages).toEqual([expect.objectContaining({ name: "curl", vulnerabilityIds: ["CVE-2023-38545"], origin: "base-image" })]);
    expect(fix?.remediation).toMatch(/^Packages from the base image: Upgrade `curl` from 7\.88\.1-10 to 7\.88\.1-10\+deb12u4 or later \(CVE-2023-38545\)\./);
  });

  it("names an unfixed package's lack of a fix", () => {
    const config = structuredClone(defaultPolicyConfig) as PolicyConfig;
    config.policies["no-fixable-critical-high"] = { ...config.policies["no-fixable-critical-high"], fixableOnly: false };
    const facts = analysedImage({ findings: [finding({ fixedVersion: null })], packages: [curl] }, { baseImage: currentBase, layerDigests: layers, baseLayerCount: 2 });
    const fix = fixPlan(scoreImage(facts, config), facts, config).find((item) => item.policyId === "no-fixable-critical-high");
    expect(fix?.packages?.[0]?.fixedVersions).toEqual([]);
    expect(fix?.remediation).toContain("`curl` 7.88.1-10 has no fixed version yet for CVE-2023-38545");
  });

  describe("base tag suggestions", () => {
    // With 2 base layers, curl's two findings come from the base image; lodash's come from the image's own layers.
    const facts = () => analysedImage({ findings, packages: [curl, lodash, libssl] }, { baseImage: currentBase, layerDigests: layers, baseLayerCount: 2 });
    const digestOf = (n: string) => `sha256:${n.repeat(64)}`;
    function candidate(tag: string, digit: string, ids: string[], builtOn = false): BaseTagCandidate {
      return { reference: `docker.io/library/debian:${tag}`, digest: digestOf(digit), builtOn, findingKeys: new Set(ids.map((id) => findingKey({ vulnerabilityId: id, packageName: "curl" }))) };
    }
    const planWith = (baseTags: BaseTagCandidate[]) =>
      fixPlan(scoreImage(facts()), facts(), defaultPolicyConfig, { baseTags }).find((item) => item.policyId === "no-fixable-critical-high");

    it("names the tag that removes more of the base image's findings, with the counts", () => {
      const fix = planWith([
        candidate("12-slim", "c", ["CVE-2023-38545", "CVE-2024-2398"], true),
        candidate("12.5-slim", "d", ["CVE-2024-2398"]),
        candidate("13-slim", "e", []),
      ]);
      expect(fix?.betterBaseTag).toEqual({
        reference: "docker.io/library/debian:13-slim",
        digest: digestOf("e"),
        removes: 2,
        of: 2,
        builtOn: { reference: "docker.io/library/debian:12-slim", digest: digestOf("c"), removes: 0 },
      });
      expect(fix?.remediation).toContain(
        "These come from the base image's layers, so rebuilding on a base image that ships the fixed versions (`docker buildx build --pull`, or a newer base tag) fixes them. " +
          `Another tag of the base repository fixes more: rebuilding on \`docker.io/library/debian:13-slim\` (now at ${digestOf("e")}) removes 2 of 2 findings from the base image; ` +
          `\`docker.io/library/debian:12-slim\`, the tag it was built on, now at ${digestOf("c")}, removes 0. Packages from the image's own layers:`,
      );
    });

    it("prefers the tag with fewer findings overall when two remove as many", () => {
      const fix = planWith([candidate("13", "d", ["CVE-2099-0001", "CVE-2099-0002"]), candidate("13-slim", "e", ["CVE-2099-0001"])]);
      expect(fix?.betterBaseTag).toMatchObject({ reference: "docker.io/library/debian:13-slim", removes: 2, builtOn: null });
    });

    it("suggests nothing when the built-on tag removes as many now", () => {
      const fix = planWith([candidate("12-slim", "c", [], true), candidate("13-slim", "e", [])]);
      expect(fix?.betterBaseTag).toBeUndefined();
      expect(fix?.remediation).not.toContain("Another tag");
    });

    it("suggests nothing when no finding comes from the base image", () => {
      const ownLayers = analysedImage({ findings, packages: [curl, lodash, libssl] }, { baseImage: currentBase, layerDigests: layers, baseLayerCount: 0 });
      const fix = fixPlan(scoreImage(ownLayers), ownLayers, defaultPolicyConfig, { baseTags: [candidate("13-slim", "e", [])] }).find(
        (item) => item.policyId === "no-fixable-critical-high",
      );
      expect(fix?.betterBaseTag).toBeUndefined();
    });

    it("same id in another package", () => {
      const other = candidate("13-slim", "e", []);
      const sameIdOtherPackage: BaseTagCandidate = { ...other, findingKeys: new Set([findingKey({ vulnerabilityId: "CVE-2023-38545", packageName: "libcurl4" })]) };
      expect(planWith([sameIdOtherPackage])?.betterBaseTag).toMatchObject({ removes: 2 });
      const samePackage: BaseTagCandidate = { ...other, findingKeys: new Set([findingKey({ vulnerabilityId: "CVE-2023-38545", packageName: "curl" })]) };
      expect(planWith([samePackage])?.betterBaseTag).toMatchObject({ removes: 1 });
    });
  });
});
