import { describe, expect, test } from "vitest";

import { describeSeveritySource } from "@/components/tags/vulnerability-table";
import { packageViewParams, vulnerabilitiesHref } from "@/components/tags/vulnerabilities-href";
import { parsePackageQuery } from "@/lib/data/get-image-analysis";
import { parseVulnerabilityQuery, type VulnerabilityQuery } from "@/lib/data/get-image-vulnerabilities";

const TAG_PATH = "/repository/acme/api/tags/1.0";
const PLATFORM = `sha256:${"a".repeat(64)}`;

/** Parses a page URL's search parameters the way Next.js hands them to the page. */
function searchParamsOf(href: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URL(href, "http://localhost").searchParams) {
    const current = params[name];
    params[name] = current === undefined ? value : [current, value].flat();
  }
  return params;
}

describe("vulnerabilitiesHref", () => {
  test("writes nothing for the default view", () => {
    expect(vulnerabilitiesHref(TAG_PATH, null, {})).toBe(`${TAG_PATH}#vulnerabilities`);
    expect(vulnerabilitiesHref(TAG_PATH, null, { sort: "severity", page: 1 })).toBe(`${TAG_PATH}#vulnerabilities`);
  });

  test("round-trips through parseVulnerabilityQuery", () => {
    const query: VulnerabilityQuery = { severities: ["critical", "high"], fixableOnly: true, hideSuppressed: true, search: "CVE-2019-10746 & more", sort: "published", page: 3 };
    const href = vulnerabilitiesHref(TAG_PATH, PLATFORM, query);

    expect(href.startsWith(`${TAG_PATH}?`)).toBe(true);
    expect(href.endsWith("#vulnerabilities")).toBe(true);
    expect(parseVulnerabilityQuery(searchParamsOf(href))).toEqual({ query, problems: [] });
    expect(searchParamsOf(href).platform).toBe(PLATFORM);
  });

  test("keeps the package view", () => {
    const href = vulnerabilitiesHref(TAG_PATH, PLATFORM, { fixableOnly: true }, { type: "npm", license: null, page: 2 });
    const params = searchParamsOf(href);

    expect(parsePackageQuery(params).query).toEqual({ type: "npm", license: null, page: 2 });
    expect(parseVulnerabilityQuery(params).query).toEqual({ fixableOnly: true });
  });
});

describe("packageViewParams", () => {
  test("leaves out the platform and the anchor", () => {
    expect(packageViewParams({ search: "bash", sort: "license" })).toEqual([
      ["q", "bash"],
      ["sort", "license"],
    ]);
    expect(packageViewParams({})).toEqual([]);
  });
});

describe("describeSeveritySource", () => {
  const cases: Array<[string, { recordId: string; field: string; value: string }, string]> = [
    ["CVSS vector", { recordId: "GHSA-jfh8-c2jp-5v3q", field: "severity[CVSS_V3]", value: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" }, "CVSS_V3 from GHSA-jfh8-c2jp-5v3q"],
    ["CVSS vector of an affected entry", { recordId: "CVE-2024-0001", field: "affected[].severity[CVSS_V4]", value: "CVSS:4.0/AV:N" }, "CVSS_V4 from CVE-2024-0001"],
    ["Debian urgency", { recordId: "DEBIAN-CVE-2024-1013", field: "affected[].ecosystem_specific.urgency", value: "unimportant" }, "DEBIAN-CVE-2024-1013 urgency unimportant"],
    ["GitHub rating", { recordId: "GHSA-4gq5-ch57-c2mg", field: "database_specific.severity", value: "CRITICAL" }, "GHSA-4gq5-ch57-c2mg severity CRITICAL"],
    ["Ubuntu priority", { recordId: "UBUNTU-CVE-2025-38094", field: "severity[Ubuntu]", value: "medium" }, "UBUNTU-CVE-2025-38094 Ubuntu priority medium"],
  ];

  test.each(cases)("names a %s", (_name, source, expected) => {
    expect(describeSeveritySource(source)).toBe(expected);
  });
});
