import { describe, expect, it, test } from "vitest";
import { defaultPolicyConfig } from "../policy-config";
import { imageFacts } from "../testdata/image-facts";
import { policyIds } from "../types";
import { policies } from ".";

describe("policies", () => {
  it.each(policyIds.map((id) => [id]))("%s is registered under its own id", (id) => {
    const policy = policies[id];
    expect(policy.id).toBe(id);
    expect(policy.title).not.toBe("");
    expect(policy.description).toMatch(/^Fails when .+\.$/);
  });

  it.each([
    ["no-fixable-critical-high", "Package analysis is not available yet for this image, so vulnerabilities cannot be checked."],
    [
      "no-high-profile-vulnerabilities",
      "Package analysis and vulnerability advisories are not available yet for this image, so high-profile CVEs cannot be checked.",
    ],
    [
      "no-unapproved-base-images",
      "The base image of this image is not known, so it cannot be checked against the approved base images.",
    ],
    [
      "no-outdated-base-images",
      "The base image of this image is not known, so it cannot be checked for updates.",
    ],
    ["no-agpl-v3-licenses", "Package analysis is not available yet for this image, so package licenses cannot be checked."],
  ] as const)("%s has no data yet, saying what is missing", (id, summary) => {
    const outcome = policies[id].evaluate(imageFacts(), defaultPolicyConfig.policies[id]);
    expect(outcome).toEqual({ status: "no-data", summary, evidence: [], remediation: null });
  });
});

describe("base-image policies", () => {
  const known = { source: "provenance" as const, reference: "docker.io/library/debian:12-slim", digest: `sha256:${"a".repeat(64)}` };

  test.each([
    ["no-unapproved-base-images", "pass"],
    ["no-outdated-base-images", "no-data"],
  ] as const)("%s shows the detected base as evidence", (id, status) => {
    const outcome = policies[id].evaluate(imageFacts({ baseImage: known }), defaultPolicyConfig.policies[id]);
    expect(outcome.status).toBe(status);
    expect(outcome.evidence).toContainEqual({ label: "Base image", value: "docker.io/library/debian:12-slim" });
    expect(outcome.evidence).toContainEqual({ label: "Found from", value: "provenance" });
  });

  test.each([["no-unapproved-base-images"], ["no-outdated-base-images"]] as const)("%s says how to name an unknown base", (id) => {
    const outcome = policies[id].evaluate(imageFacts({ baseImage: { source: "unknown", reason: "the image has no provenance" } }), defaultPolicyConfig.policies[id]);
    expect(outcome.status).toBe("no-data");
    expect(outcome.summary).toMatch(/not known/);
    expect(outcome.remediation).toContain("--provenance=mode=max");
  });
});
