import { describe, expect, it } from "vitest";
import { defaultPolicyConfig, parsePolicyConfig, PolicyConfigError } from "./policy-config";
import { policyIds } from "./types";

/** Returns the default configuration as plain JSON, as it arrives from a form or a file. */
function configInput(): { version: unknown; policies: Record<string, unknown> } {
  return structuredClone({ version: 2, policies: defaultPolicyConfig.policies });
}

function problemsOf(input: unknown) {
  try {
    parsePolicyConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return error as PolicyConfigError;
  }
  throw new Error("parsePolicyConfig accepted the input");
}

describe("defaultPolicyConfig", () => {
  it("has the default weights at version 1", () => {
    expect(defaultPolicyConfig.version).toBe(1);
    expect(policyIds.map((id) => defaultPolicyConfig.policies[id].weight)).toEqual([20, 20, 15, 15, 10, 5, 5]);
  });

  it("cannot be changed by accident", () => {
    expect(() => {
      (defaultPolicyConfig.policies["default-non-root-user"] as { weight: number }).weight = 0;
    }).toThrow(TypeError);
  });

  it("cannot have its option lists changed by accident", () => {
    expect(() => {
      (defaultPolicyConfig.policies["no-high-profile-vulnerabilities"].cves as string[]).push("CVE-2024-0001");
    }).toThrow(TypeError);
    expect(() => {
      (defaultPolicyConfig.policies["no-agpl-v3-licenses"].allowedPackages as string[]).push("pkg:npm/**");
    }).toThrow(TypeError);
    expect(() => {
      (defaultPolicyConfig.policies["no-unapproved-base-images"].approvedPatterns as string[]).push("node:*");
    }).toThrow(TypeError);
  });

  it("has the default options", () => {
    expect(defaultPolicyConfig.policies["no-fixable-critical-high"]).toEqual({
      weight: 20,
      severities: ["critical", "high"],
      fixableOnly: true,
      graceDays: 0,
      packageTypes: null,
    });
    expect(defaultPolicyConfig.policies["no-high-profile-vulnerabilities"]).toEqual({
      weight: 20,
      cves: [
        "CVE-2014-0160",
        "CVE-2014-6271",
        "CVE-2021-44228",
        "CVE-2021-45046",
        "CVE-2022-22965",
        "CVE-2023-38545",
        "CVE-2023-44487",
        "CVE-2024-3094",
        "CVE-2024-47176",
        "CVE-2024-47076",
        "CVE-2024-47175",
        "CVE-2024-47177",
      ],
      knownExploited: true,
      excludedCves: [],
    });
    expect(defaultPolicyConfig.policies["no-agpl-v3-licenses"]).toEqual({
      weight: 5,
      licenses: ["AGPL-1.0", "AGPL-1.0-only", "AGPL-1.0-or-later", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later"],
      allowedPackages: [],
    });
    expect(defaultPolicyConfig.policies["no-unapproved-base-images"]).toEqual({ weight: 15, approvedPatterns: ["*"], failEndOfLife: true });
    expect(defaultPolicyConfig.policies["no-outdated-base-images"]).toEqual({ weight: 10 });
  });
});

describe("parsePolicyConfig", () => {
  it("accepts a full configuration", () => {
    const input = configInput();
    input.policies["no-agpl-v3-licenses"] = { weight: 0 };
    input.policies["supply-chain-attestations"] = { weight: 100 };
    const config = parsePolicyConfig(input);
    expect(config.version).toBe(2);
    expect(config.policies["no-agpl-v3-licenses"].weight).toBe(0);
    expect(config.policies["supply-chain-attestations"].weight).toBe(100);
  });

  it("accepts the default configuration", () => {
    expect(parsePolicyConfig(defaultPolicyConfig)).toEqual(defaultPolicyConfig);
  });

  it("fills in the default options of a configuration of weights only", () => {
    const input = configInput();
    for (const id of policyIds) input.policies[id] = { weight: 3 };
    const config = parsePolicyConfig(input);
    expect(config.policies["no-fixable-critical-high"]).toEqual({ ...defaultPolicyConfig.policies["no-fixable-critical-high"], weight: 3 });
    expect(config.policies["no-high-profile-vulnerabilities"]).toEqual({ ...defaultPolicyConfig.policies["no-high-profile-vulnerabilities"], weight: 3 });
    expect(config.policies["no-agpl-v3-licenses"]).toEqual({ ...defaultPolicyConfig.policies["no-agpl-v3-licenses"], weight: 3 });
    expect(config.policies["no-unapproved-base-images"]).toEqual({ weight: 3, approvedPatterns: ["*"], failEndOfLife: true });
    expect(config.policies["default-non-root-user"]).toEqual({ weight: 3 });
  });

  it("returns option lists that are not the frozen defaults", () => {
    const config = parsePolicyConfig({ ...configInput(), policies: { ...configInput().policies, "no-agpl-v3-licenses": { weight: 5 } } });
    const licenses = config.policies["no-agpl-v3-licenses"].licenses as string[];
    licenses.push("GPL-3.0-only");
    expect(defaultPolicyConfig.policies["no-agpl-v3-licenses"].licenses).toHaveLength(6);
  });

  it("accepts every option", () => {
    const input = configInput();
    input.policies["no-fixable-critical-high"] = { weight: 25, severities: ["critical"], fixableOnly: false, graceDays: 14, packageTypes: ["deb", "npm"] };
    input.policies["no-high-profile-vulnerabilities"] = { weight: 20, cves: ["CVE-2021-44228"], knownExploited: false, excludedCves: ["CVE-2023-44487"] };
    input.policies["no-agpl-v3-licenses"] = { weight: 5, licenses: ["AGPL-3.0-only", "LicenseRef-Proprietary"], allowedPackages: ["pkg:npm/@acme/*"] };
    input.policies["no-unapproved-base-images"] = { weight: 15, approvedPatterns: ["node:*-slim", "registry.example.com:5000/base/*"], failEndOfLife: false };
    const config = parsePolicyConfig(input);
    expect(config.policies["no-unapproved-base-images"]).toEqual(input.policies["no-unapproved-base-images"]);
    expect(config.policies["no-fixable-critical-high"]).toEqual(input.policies["no-fixable-critical-high"]);
    expect(config.policies["no-high-profile-vulnerabilities"]).toEqual(input.policies["no-high-profile-vulnerabilities"]);
    expect(config.policies["no-agpl-v3-licenses"]).toEqual(input.policies["no-agpl-v3-licenses"]);
  });

  it.each([
    ["*"],
    ["node:*-slim"],
    ["docker.io/library/node:*-slim"],
    ["bitnami/*"],
    ["registry.example.com:5000/base/debian:12"],
    ["registry.example.com/base/*"],
    ["Registry.Example.com/base/*"],
    ["*.example.com/*"],
    ["node@sha256:*"],
    ["scratch"],
  ])("accepts approved pattern %j", (pattern) => {
    const input = configInput();
    input.policies["no-unapproved-base-images"] = { weight: 15, approvedPatterns: [pattern] };
    expect(parsePolicyConfig(input).policies["no-unapproved-base-images"].approvedPatterns).toEqual([pattern]);
  });

  it.each([
    ["graceDays", 3650],
    ["packageTypes", null],
    ["severities", ["none", "unspecified"]],
  ])("accepts %s %j", (option, value) => {
    const input = configInput();
    input.policies["no-fixable-critical-high"] = { weight: 20, [option]: value };
    expect(parsePolicyConfig(input).policies["no-fixable-critical-high"]).toMatchObject({ [option]: value });
  });

  it.each([
    ["no-fixable-critical-high", { severities: ["urgent"] }, "severities.0", 'must be one of critical, high, medium, low, none, unspecified, not "urgent"'],
    ["no-fixable-critical-high", { severities: "critical" }, "severities", 'must be a list such as ["critical", "high"], not "critical"'],
    ["no-fixable-critical-high", { severities: [] }, "severities", "must list at least one severity; to turn the policy off, set its weight to 0"],
    ["no-fixable-critical-high", { fixableOnly: "yes" }, "fixableOnly", 'must be true or false, not "yes"'],
    ["no-fixable-critical-high", { graceDays: -1 }, "graceDays", "must be a whole number of days from 0 to 3650 (0 means no grace period), not -1"],
    ["no-fixable-critical-high", { graceDays: 1.5 }, "graceDays", "must be a whole number of days from 0 to 3650 (0 means no grace period), not 1.5"],
    ["no-fixable-critical-high", { graceDays: 36500 }, "graceDays", "must be a whole number of days from 0 to 3650 (0 means no grace period), not 36500"],
    ["no-fixable-critical-high", { packageTypes: ["debian"] }, "packageTypes.0", 'must be one of deb, apk, rpm, pypi, npm, golang, maven, gem, cargo, not "debian"'],
    ["no-fixable-critical-high", { packageTypes: [] }, "packageTypes", "must list at least one package type, or be null to check every type"],
    ["no-fixable-critical-high", { packageTypes: "deb" }, "packageTypes", 'must be null (every package type) or a list such as ["deb", "npm"], not "deb"'],
    ["no-fixable-critical-high", { graceDay: 7 }, "graceDay", "is not a known field"],
    ["no-high-profile-vulnerabilities", { cves: ["cve-2021-44228"] }, "cves.0", 'must be written "CVE-2021-44228", not "cve-2021-44228"'],
    ["no-high-profile-vulnerabilities", { cves: ["CVE-21-44228"] }, "cves.0", 'must be a CVE id such as "CVE-2021-44228", not "CVE-21-44228"'],
    ["no-high-profile-vulnerabilities", { cves: ["Log4Shell"] }, "cves.0", 'must be a CVE id such as "CVE-2021-44228", not "Log4Shell"'],
    ["no-high-profile-vulnerabilities", { cves: ["GHSA-jfh8-c2jp-5v3q"] }, "cves.0", 'must be a CVE id such as "CVE-2021-44228", not "GHSA-jfh8-c2jp-5v3q"'],
    ["no-high-profile-vulnerabilities", { excludedCves: [44228] }, "excludedCves.0", 'must be a CVE id such as "CVE-2021-44228", not 44228'],
    ["no-high-profile-vulnerabilities", { knownExploited: 1 }, "knownExploited", "must be true or false, not 1"],
    [
      "no-high-profile-vulnerabilities",
      { cves: [], knownExploited: false },
      "cves",
      "is empty while knownExploited is false, so the policy could never fail; list CVEs, set knownExploited to true, or set the weight to 0",
    ],
    ["no-agpl-v3-licenses", { licenses: ["agpl-3.0-only"] }, "licenses.0", 'must be an SPDX license id (https://spdx.org/licenses/) or a LicenseRef-: write "AGPL-3.0-only", not "agpl-3.0-only"'],
    ["no-agpl-v3-licenses", { licenses: ["AGPL-3.0+"] }, "licenses.0", 'must be an SPDX license id (https://spdx.org/licenses/) or a LicenseRef-: write "AGPL-3.0-or-later", not "AGPL-3.0+"'],
    ["no-agpl-v3-licenses", { licenses: ["AGPLv3"] }, "licenses.0", 'must be an SPDX license id (https://spdx.org/licenses/) or a LicenseRef-, not "AGPLv3"'],
    ["no-agpl-v3-licenses", { licenses: [] }, "licenses", "must list at least one license; to turn the policy off, set its weight to 0"],
    ["no-agpl-v3-licenses", { allowedPackages: ["@acme/*"] }, "allowedPackages.0", 'must be a package URL pattern starting with "pkg:", such as "pkg:npm/@acme/*", not "@acme/*"'],
    ["no-agpl-v3-licenses", { allowedPackages: "pkg:npm/@acme/*" }, "allowedPackages", 'must be a list such as ["pkg:npm/@acme/*"], not "pkg:npm/@acme/*"'],
    [
      "no-unapproved-base-images",
      { approvedPatterns: [""] },
      "approvedPatterns.0",
      'must be an image pattern such as "docker.io/library/node:*-slim", not "": it is empty; write "*" to approve every image',
    ],
    [
      "no-unapproved-base-images",
      { approvedPatterns: ["node:*-slim "] },
      "approvedPatterns.0",
      'must be an image pattern such as "docker.io/library/node:*-slim", not "node:*-slim ": it contains whitespace',
    ],
    [
      "no-unapproved-base-images",
      { approvedPatterns: ["*", "Bitnami/*"] },
      "approvedPatterns.1",
      'must be an image pattern such as "docker.io/library/node:*-slim", not "Bitnami/*": the repository path component "Bitnami" has uppercase letters, which repository paths never have, so the pattern can never match; write it in lowercase',
    ],
    [
      "no-unapproved-base-images",
      { approvedPatterns: ["registry.example.com/**"] },
      "approvedPatterns.0",
      'must be an image pattern such as "docker.io/library/node:*-slim", not "registry.example.com/**": it contains "**", which the pattern grammar does not have; a single "*" already matches any run of characters, "/" included',
    ],
    [
      "no-unapproved-base-images",
      { approvedPatterns: ["docker.io/"] },
      "approvedPatterns.0",
      'must be an image pattern such as "docker.io/library/node:*-slim", not "docker.io/": the repository path is empty',
    ],
    [
      "no-unapproved-base-images",
      { approvedPatterns: [":latest"] },
      "approvedPatterns.0",
      'must be an image pattern such as "docker.io/library/node:*-slim", not ":latest": it has no repository name',
    ],
    ["no-unapproved-base-images", { approvedPatterns: [15] }, "approvedPatterns.0", 'must be an image pattern such as "docker.io/library/node:*-slim", not 15'],
    ["no-unapproved-base-images", { approvedPatterns: "node:*" }, "approvedPatterns", 'must be a list such as ["docker.io/library/node:*-slim"], not "node:*"'],
    [
      "no-unapproved-base-images",
      { approvedPatterns: [] },
      "approvedPatterns",
      'must list at least one pattern; write ["*"] to approve every base image, or set the weight to 0 to turn the policy off',
    ],
    ["no-unapproved-base-images", { failEndOfLife: "no" }, "failEndOfLife", 'must be true or false, not "no"'],
    ["no-outdated-base-images", { approvedPatterns: ["*"] }, "approvedPatterns", "is not a known field"],
  ])("%s rejects %j", (id, options, field, message) => {
    const input = configInput();
    input.policies[id] = { weight: 10, ...options };
    const error = problemsOf(input);
    expect(error.problems).toEqual([{ path: `policies.${id}.${field}`, message }]);
    expect(error.message).toBe(`Invalid policy configuration: policies.${id}.${field} ${message}.`);
  });

  it("rejects every weight at 0", () => {
    const input = configInput();
    for (const id of policyIds) input.policies[id] = { weight: 0 };
    expect(problemsOf(input).problems).toEqual([
      { path: "policies", message: "must give at least one policy a weight above 0, because with every weight at 0 no image could be graded" },
    ]);
    input.policies["default-non-root-user"] = { weight: 1 };
    expect(parsePolicyConfig(input).policies["default-non-root-user"].weight).toBe(1);
  });

  it("rejects a negative weight, naming the field and the value", () => {
    const input = configInput();
    input.policies["default-non-root-user"] = { weight: -5 };
    const error = problemsOf(input);
    expect(error.problems).toEqual([
      {
        path: "policies.default-non-root-user.weight",
        message: "must be a whole number from 0 to 100 (0 turns the policy off), not -5",
      },
    ]);
    expect(error.message).toBe(
      "Invalid policy configuration: policies.default-non-root-user.weight must be a whole number from 0 to 100 (0 turns the policy off), not -5.",
    );
    expect(error.code).toBe("INVALID_INPUT");
  });

  it.each([
    [101, "101"],
    [2.5, "2.5"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    ["10", '"10"'],
    [null, "null"],
    [{ value: 10 }, "an object"],
  ])("rejects weight %j", (weight, shown) => {
    const input = configInput();
    input.policies["no-outdated-base-images"] = { weight };
    expect(problemsOf(input).problems).toEqual([
      {
        path: "policies.no-outdated-base-images.weight",
        message: `must be a whole number from 0 to 100 (0 turns the policy off), not ${shown}`,
      },
    ]);
  });

  it("rejects an unknown policy, naming it and the known ones", () => {
    const input = configInput();
    input.policies["no-latest-tag"] = { weight: 5 };
    const [problem, ...rest] = problemsOf(input).problems;
    expect(rest).toEqual([]);
    expect(problem?.path).toBe("policies.no-latest-tag");
    expect(problem?.message).toBe(`is not a known policy; the policies are ${policyIds.join(", ")}`);
  });

  it("rejects a missing policy", () => {
    const input = configInput();
    delete input.policies["no-agpl-v3-licenses"];
    expect(problemsOf(input).problems).toEqual([
      { path: "policies.no-agpl-v3-licenses", message: "is missing; give every policy a weight (0 turns it off)" },
    ]);
  });

  it("rejects a misspelt setting", () => {
    const input = configInput();
    input.policies["default-non-root-user"] = { weight: 5, wieght: 5 };
    expect(problemsOf(input).problems).toEqual([
      { path: "policies.default-non-root-user.wieght", message: "is not a known field" },
    ]);
  });

  it.each([
    [0, "must be a whole number of at least 1, not 0"],
    ["1", 'must be a whole number of at least 1, not "1"'],
    [undefined, "is missing; it must be a whole number of at least 1"],
  ])("rejects version %j", (version, message) => {
    const input = configInput();
    input.version = version;
    expect(problemsOf(input).problems).toEqual([{ path: "version", message }]);
  });

  it("lists every problem at once", () => {
    const input = configInput();
    input.version = -1;
    input.policies["no-fixable-critical-high"] = { weight: 500 };
    expect(problemsOf(input).problems.map((problem) => problem.path)).toEqual([
      "version",
      "policies.no-fixable-critical-high.weight",
    ]);
  });

  it.each([[null], ["weights"], [[]]])("rejects %j as a whole", (input) => {
    expect(problemsOf(input).problems).toEqual([
      { path: "", message: 'must be an object such as { "version": 1, "policies": { … } }' },
    ]);
  });
});
