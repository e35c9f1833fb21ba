import { describe, expect, test } from "vitest";
import { candidateConfig, changedOptions, describeOptionValue, MAX_LIST_ENTRIES, policyFieldGroups, policyFormValuesFrom, policyFormValuesOf, type PolicyFormValues } from "@/lib/data/settings/policy-form";
import { defaultPolicyConfig, policyIds, type PolicyConfig } from "@/scoring";

const defaults = policyFormValuesOf(defaultPolicyConfig);

function parse(changes: PolicyFormValues, base: PolicyConfig = defaultPolicyConfig) {
  return candidateConfig({ ...defaults, ...changes }, base, 2);
}

function fieldErrorsOf(changes: PolicyFormValues): Record<string, string[]> {
  const parsed = parse(changes);
  if (parsed.success) throw new Error("expected the form to be rejected");
  return parsed.fieldErrors;
}

describe("policy form inputs", () => {
  test("every option has an input", () => {
    expect(policyFieldGroups.map((group) => group.policyId).sort()).toEqual([...policyIds].sort());
    for (const group of policyFieldGroups) {
      const options = Object.keys(defaultPolicyConfig.policies[group.policyId]).sort();
      expect(group.fields.map((field) => field.option).sort(), group.policyId).toEqual(options);
    }
  });

  test("approved base images come first", () => {
    expect(policyFieldGroups[0]?.policyId).toBe("no-unapproved-base-images");
    expect(policyFieldGroups[0]?.fields.map((field) => field.option)).toEqual(["weight", "approvedPatterns", "failEndOfLife"]);
  });

  test("weight comes first", () => {
    for (const group of policyFieldGroups) expect(group.fields[0]?.name, group.policyId).toBe(`${group.policyId}.weight`);
  });

  test("default values round-trip", () => {
    const parsed = parse({});
    expect(parsed).toEqual({ success: true, config: { ...defaultPolicyConfig, version: 2 } });
  });

  test("default values as the form shows them", () => {
    expect(defaults["default-non-root-user.weight"]).toBe("5");
    expect(defaults["no-fixable-critical-high.severities"]).toEqual(["critical", "high"]);
    expect(defaults["no-fixable-critical-high.fixableOnly"]).toBe("on");
    expect(defaults["no-fixable-critical-high.packageTypes"]).toEqual([]);
    expect(defaults["no-high-profile-vulnerabilities.cves"]).toMatch(/^CVE-2014-0160\nCVE-2014-6271\n/);
    expect(defaults["no-high-profile-vulnerabilities.excludedCves"]).toBe("");
    expect(defaults["no-unapproved-base-images.approvedPatterns"]).toBe("*");
    expect(defaults["no-unapproved-base-images.failEndOfLife"]).toBe("on");
  });

  test("form data is read per input kind", () => {
    const form = new FormData();
    form.set("default-non-root-user.weight", "0");
    form.append("no-fixable-critical-high.severities", "critical");
    form.append("no-fixable-critical-high.severities", "medium");
    form.set("no-high-profile-vulnerabilities.cves", "CVE-2021-44228");
    const values = policyFormValuesFrom(form);
    expect(values["default-non-root-user.weight"]).toBe("0");
    expect(values["no-fixable-critical-high.severities"]).toEqual(["critical", "medium"]);
    // An unchecked box is absent from form data, so it reads as empty.
    expect(values["no-fixable-critical-high.fixableOnly"]).toBe("");
    expect(values["no-fixable-critical-high.packageTypes"]).toEqual([]);
    expect(values["no-high-profile-vulnerabilities.cves"]).toBe("CVE-2021-44228");
  });
});

describe("policy form to configuration", () => {
  test("every kind of input is read", () => {
    const parsed = parse({
      "default-non-root-user.weight": " 0 ",
      "no-fixable-critical-high.severities": ["critical"],
      "no-fixable-critical-high.fixableOnly": "",
      "no-fixable-critical-high.graceDays": "30",
      "no-fixable-critical-high.packageTypes": ["deb", "npm"],
      "no-high-profile-vulnerabilities.cves": "\n  CVE-2021-44228  \r\n\r\nCVE-2024-3094\n",
      "no-high-profile-vulnerabilities.knownExploited": "",
      "no-high-profile-vulnerabilities.excludedCves": "CVE-2023-44487",
      "no-agpl-v3-licenses.licenses": "AGPL-3.0-only",
      "no-agpl-v3-licenses.allowedPackages": "pkg:npm/@acme/*",
      "no-unapproved-base-images.approvedPatterns": "docker.io/library/node:*-slim\ndocker.io/library/debian:12-slim",
      "no-unapproved-base-images.failEndOfLife": "",
    });
    expect(parsed.success).toBe(true);
    const policies = parsed.success ? parsed.config.policies : null;
    expect(policies?.["default-non-root-user"]).toEqual({ weight: 0 });
    expect(policies?.["no-fixable-critical-high"]).toEqual({ weight: 20, severities: ["critical"], fixableOnly: false, graceDays: 30, packageTypes: ["deb", "npm"] });
    expect(policies?.["no-high-profile-vulnerabilities"]).toEqual({ weight: 20, cves: ["CVE-2021-44228", "CVE-2024-3094"], knownExploited: false, excludedCves: ["CVE-2023-44487"] });
    expect(policies?.["no-agpl-v3-licenses"]).toEqual({ weight: 5, licenses: ["AGPL-3.0-only"], allowedPackages: ["pkg:npm/@acme/*"] });
    expect(policies?.["no-unapproved-base-images"]).toEqual({ weight: 15, approvedPatterns: ["docker.io/library/node:*-slim", "docker.io/library/debian:12-slim"], failEndOfLife: false });
  });

  test("no package type checks every type", () => {
    const parsed = parse({ "no-fixable-critical-high.packageTypes": [] });
    expect(parsed.success).toBe(true);
    expect(parsed.success ? parsed.config.policies["no-fixable-critical-high"].packageTypes : undefined).toBeNull();
  });

  test("empty grace period is no grace period", () => {
    const parsed = parse({ "no-fixable-critical-high.graceDays": "" });
    expect(parsed.success).toBe(true);
    expect(parsed.success ? parsed.config.policies["no-fixable-critical-high"].graceDays : undefined).toBe(0);
  });

  // Each message names the input, the value and the fix.
  test.each<[string, string | string[], string]>([
    ["default-non-root-user.weight", "101", "Weight must be a whole number from 0 to 100 (0 turns the policy off), not 101."],
    ["default-non-root-user.weight", "-5", "Weight must be a whole number from 0 to 100 (0 turns the policy off), not -5."],
    ["default-non-root-user.weight", "1.5", "Weight must be a whole number from 0 to 100 (0 turns the policy off), not 1.5."],
    ["default-non-root-user.weight", "five", 'Weight must be a whole number from 0 to 100 (0 turns the policy off), not "five".'],
    ["default-non-root-user.weight", "", "Weight is missing; it must be a whole number from 0 to 100 (0 turns the policy off)."],
    ["no-fixable-critical-high.graceDays", "36500", "Grace period in days must be a whole number of days from 0 to 3650 (0 means no grace period), not 36500."],
    ["no-fixable-critical-high.severities", [], "Severities that fail must list at least one severity; to turn the policy off, set its weight to 0."],
    ["no-fixable-critical-high.severities", ["critical", "severe"], 'Choice "severe" must be one of critical, high, medium, low, none, unspecified, not "severe".'],
    ["no-high-profile-vulnerabilities.cves", "CVE-2021-44228\n\nCVE-21-1", 'Line 3 must be a CVE id such as "CVE-2021-44228", not "CVE-21-1".'],
    ["no-high-profile-vulnerabilities.cves", "cve-2021-44228", 'Line 1 must be written "CVE-2021-44228", not "cve-2021-44228".'],
    ["no-high-profile-vulnerabilities.excludedCves", "log4shell", 'Line 1 must be a CVE id such as "CVE-2021-44228", not "log4shell".'],
    ["no-agpl-v3-licenses.licenses", "agpl-3.0-only", 'Line 1 must be an SPDX license id (https://spdx.org/licenses/) or a LicenseRef-: write "AGPL-3.0-only", not "agpl-3.0-only".'],
    ["no-agpl-v3-licenses.licenses", "", "Licenses that fail must list at least one license; to turn the policy off, set its weight to 0."],
    [
      "no-unapproved-base-images.approvedPatterns",
      "*\nNode:20",
      'Line 2 must be an image pattern such as "docker.io/library/node:*-slim", not "Node:20": the repository path component "Node" has uppercase letters, which repository paths never have, so the pattern can never match; write it in lowercase.',
    ],
    [
      "no-unapproved-base-images.approvedPatterns",
      "",
      'Approved base images must list at least one pattern; write ["*"] to approve every base image, or set the weight to 0 to turn the policy off.',
    ],
    ["no-agpl-v3-licenses.allowedPackages", "npm/@acme/*", 'Line 1 must be a package URL pattern starting with "pkg:", such as "pkg:npm/@acme/*", not "npm/@acme/*".'],
  ])("%s %j is rejected", (name, value, message) => {
    expect(fieldErrorsOf({ [name]: value })).toEqual({ [name]: [message] });
  });

  test("empty CVE list without KEV is rejected", () => {
    const errors = fieldErrorsOf({ "no-high-profile-vulnerabilities.cves": "", "no-high-profile-vulnerabilities.knownExploited": "" });
    expect(errors["no-high-profile-vulnerabilities.cves"]?.[0]).toMatch(/^High-profile CVEs is empty while knownExploited is false, so the policy could never fail/);
  });

  test("list over the limit is rejected", () => {
    const lines = Array.from({ length: MAX_LIST_ENTRIES + 1 }, (_, index) => `CVE-2024-${String(10000 + index)}`).join("\n");
    expect(fieldErrorsOf({ "no-high-profile-vulnerabilities.excludedCves": lines })).toEqual({
      "no-high-profile-vulnerabilities.excludedCves": ["Excluded CVEs has 1,001 lines, but the limit is 1,000. Remove some, one value per line."],
    });
  });

  test("NUL character is rejected per field", () => {
    const errors = fieldErrorsOf({ "no-agpl-v3-licenses.allowedPackages": "pkg:npm/@acme/\u0000*" });
    expect(errors["no-agpl-v3-licenses.allowedPackages"]?.[0]).toMatch(/^Allowed packages contains the control character U\+0000 at position 15, which a setting cannot contain\./);
  });

  test("every weight at 0 is a form error", () => {
    const parsed = parse(Object.fromEntries(policyIds.map((id) => [`${id}.weight`, "0"])));
    if (parsed.success) throw new Error("expected the form to be rejected");
    expect(parsed.fieldErrors).toEqual({});
    expect(parsed.formErrors).toEqual(["The configuration must give at least one policy a weight above 0, because with every weight at 0 no image could be graded."]);
  });

  test("every problem is reported at once", () => {
    const errors = fieldErrorsOf({
      "default-non-root-user.weight": "200",
      "no-high-profile-vulnerabilities.cves": "CVE-1\nCVE-2",
      "no-agpl-v3-licenses.licenses": "GPL-3.0+",
    });
    expect(Object.keys(errors).sort()).toEqual(["default-non-root-user.weight", "no-agpl-v3-licenses.licenses", "no-high-profile-vulnerabilities.cves"]);
    expect(errors["no-high-profile-vulnerabilities.cves"]).toHaveLength(2);
    expect(errors["no-agpl-v3-licenses.licenses"]?.[0]).toContain('write "GPL-3.0-or-later"');
  });
});

describe("changed options", () => {
  test("weight and list changes are listed in form order", () => {
    const parsed = parse({ "default-non-root-user.weight": "0", "no-fixable-critical-high.packageTypes": ["deb"] });
    if (!parsed.success) throw new Error("expected valid values");
    expect(changedOptions(defaultPolicyConfig, parsed.config)).toEqual([
      { option: "no-fixable-critical-high.packageTypes", label: "No fixable critical or high vulnerabilities: Package types to check", from: null, to: ["deb"] },
      { option: "default-non-root-user.weight", label: "Default non-root user: Weight", from: 5, to: 0 },
    ]);
  });

  test("same settings list nothing", () => {
    expect(changedOptions(defaultPolicyConfig, { ...defaultPolicyConfig, version: 2 })).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    ["no-fixable-critical-high.packageTypes", null, "every package type"],
    ["no-fixable-critical-high.packageTypes", ["deb", "apk"], "deb, apk"],
    ["no-high-profile-vulnerabilities.excludedCves", [], "none"],
    ["no-high-profile-vulnerabilities.knownExploited", false, "off"],
    ["default-non-root-user.weight", 0, "0"],
  ])("%s %j is described as %s", (option, value, text) => {
    expect(describeOptionValue(option, value)).toBe(text);
  });
});
