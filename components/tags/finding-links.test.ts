import { describe, expect, test } from "vitest";

import { findingLinks } from "@/components/tags/finding-links";
import { parseVulnerabilityQuery } from "@/lib/data/get-image-vulnerabilities";
import type { FixPlanView, TagFix } from "@/lib/data/get-tag-details";
import { defaultPolicyConfig, type PackageUpgrade, type PolicyId } from "@/scoring";

const TAG_PATH = "/repository/acme/api/tags/1.0";
const PLATFORM = `sha256:${"a".repeat(64)}`;

const upgrade: PackageUpgrade = {
  name: "log4j-core",
  type: "maven",
  version: "2.14.1",
  purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
  fixedVersions: ["2.15.0"],
  vulnerabilityIds: ["CVE-2021-44228"],
  origin: "own-layers",
};

function fix(policyId: PolicyId, status: "fail" | "no-data", packages?: PackageUpgrade[]): TagFix {
  return {
    policyId,
    title: policyId,
    status,
    points: 20,
    summary: "Found 1 finding.",
    remediation: null,
    percentIfFixed: 80,
    gradeIfFixed: "B",
    tagGradeIfFixed: "B",
    ...(packages === undefined ? {} : { packages }),
  };
}

function plan(fixes: TagFix[], rule: Partial<FixPlanView["criticalHighRule"]> = {}): FixPlanView {
  return {
    platformGrade: "C",
    tagGrade: "C",
    fixes,
    configVersion: 1,
    reportConfigVersion: 1,
    criticalHighRule: { ...defaultPolicyConfig.policies["no-fixable-critical-high"], ...rule },
  };
}

/** Parses a link's search parameters the way Next.js hands them to the page. */
function searchParamsOf(href: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URL(href, "http://localhost").searchParams) {
    const current = params[name];
    params[name] = current === undefined ? value : [current, value].flat();
  }
  return params;
}

describe("findingLinks", () => {
  test("filters the table by the default rule", () => {
    const link = findingLinks(plan([fix("no-fixable-critical-high", "fail", [upgrade])]), TAG_PATH, PLATFORM, {})["no-fixable-critical-high"];

    expect(link?.label).toBe("Show the unsuppressed critical or high findings with a fixed version in the vulnerability table");
    expect(link?.note).toBeNull();
    expect(link?.href.endsWith("#vulnerabilities")).toBe(true);
    expect(searchParamsOf(link!.href).platform).toBe(PLATFORM);
    expect(parseVulnerabilityQuery(searchParamsOf(link!.href)).query).toEqual({ severities: ["critical", "high"], fixableOnly: true, hideSuppressed: true });
  });

  test("unfixable findings counted too", () => {
    const link = findingLinks(plan([fix("no-fixable-critical-high", "fail")], { fixableOnly: false, severities: ["critical"] }), TAG_PATH, PLATFORM, {})["no-fixable-critical-high"];

    expect(link?.label).toBe("Show the unsuppressed critical findings in the vulnerability table");
    expect(parseVulnerabilityQuery(searchParamsOf(link!.href)).query).toEqual({ severities: ["critical"], hideSuppressed: true });
  });

  test("grace period adds a note", () => {
    const link = findingLinks(plan([fix("no-fixable-critical-high", "fail")], { graceDays: 7 }), TAG_PATH, PLATFORM, {})["no-fixable-critical-high"];
    expect(link?.note).toMatch(/cannot filter by grace period/);
  });

  test("keeps the package table's view", () => {
    const link = findingLinks(plan([fix("no-fixable-critical-high", "fail")]), TAG_PATH, PLATFORM, { type: "npm" })["no-fixable-critical-high"];
    expect(searchParamsOf(link!.href).type).toBe("npm");
  });

  test("high-profile policy links to its fix", () => {
    const links = findingLinks(plan([fix("no-high-profile-vulnerabilities", "fail", [upgrade])]), TAG_PATH, PLATFORM, {});
    expect(links["no-high-profile-vulnerabilities"]?.href).toBe("#fix-no-high-profile-vulnerabilities");
  });

  const unlinked: [string, TagFix[]][] = [
    ["passing policies", []],
    ["no-data results", [fix("no-fixable-critical-high", "no-data"), fix("no-high-profile-vulnerabilities", "no-data")]],
    ["a high-profile fix without packages", [fix("no-high-profile-vulnerabilities", "fail")]],
    ["other policies", [fix("default-non-root-user", "fail")]],
  ];
  test.each(unlinked)("no link for %s", (_name, fixes) => {
    expect(findingLinks(plan(fixes), TAG_PATH, PLATFORM, {})).toEqual({});
  });
});
