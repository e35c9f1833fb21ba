import { describe, expect, it, test } from "vitest";
import { defaultPolicyConfig } from "../policy-config";
import { imageFacts } from "../testdata/image-facts";
import { analysedImage, evaluatedAt, finding } from "../testdata/vulnerability-findings";
import type { NoHighProfileVulnerabilitiesSettings, VulnerabilityFinding } from "../types";
import { noHighProfileVulnerabilities } from "./no-high-profile-vulnerabilities";

const defaults = defaultPolicyConfig.policies["no-high-profile-vulnerabilities"];

function evaluateFindings(findings: VulnerabilityFinding[], options: Partial<NoHighProfileVulnerabilitiesSettings> = {}) {
  return noHighProfileVulnerabilities.evaluate(analysedImage({ findings }), { ...defaults, ...options });
}

/** Log4Shell in log4j-core, as GitHub's advisory names it, with the CVE only as an alias. */
const log4shellByGhsa = finding({
  purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
  vulnerabilityId: "GHSA-jfh8-c2jp-5v3q",
  recordIds: ["GHSA-jfh8-c2jp-5v3q"],
  aliases: ["CVE-2021-44228"],
  fixedVersion: "2.15.0",
  severity: { level: "critical", score: 10, source: null },
  packageType: "maven",
  packageName: "org.apache.logging.log4j:log4j-core",
  packageVersion: "2.14.1",
  knownExploited: true,
});

/** The xz backdoor in Debian's xz-utils 5.6.1-1, which no later Debian version fixes. */
const xzBackdoor = finding({
  purl: "pkg:deb/debian/liblzma5@5.6.1-1?arch=amd64",
  vulnerabilityId: "CVE-2024-3094",
  recordIds: ["DEBIAN-CVE-2024-3094"],
  fixedVersion: null,
  packageName: "liblzma5",
  packageVersion: "5.6.1-1",
});

/** A CVE on CISA's KEV list but not on the default high-profile list. */
const exploitedOnly = finding({
  purl: "pkg:deb/debian/libexpat1@2.5.0-1?arch=amd64",
  vulnerabilityId: "CVE-2022-40674",
  fixedVersion: "2.5.0-1+deb12u1",
  severity: { level: "high", score: 8.1, source: null },
  packageName: "libexpat1",
  packageVersion: "2.5.0-1",
  knownExploited: true,
});

/** A medium finding that is neither listed nor exploited. */
const ordinary = finding({ vulnerabilityId: "CVE-2024-2004", severity: { level: "medium", score: 3.5, source: null } });

describe("no-high-profile-vulnerabilities", () => {
  it.each([
    ["pending", "Package analysis of this image has not finished (waiting for layers), so high-profile CVEs cannot be checked yet."],
    ["not-analysed", "The image could not be analysed (waiting for layers), so high-profile CVEs cannot be checked."],
  ] as const)("has no data while analysis is %s", (status, summary) => {
    const facts = imageFacts({ analysis: { status, reason: "waiting for layers" }, evaluatedAt });
    const outcome = noHighProfileVulnerabilities.evaluate(facts, defaults);
    expect(outcome.status).toBe("no-data");
    expect(outcome.summary).toBe(summary);
    expect(outcome.remediation).not.toBeNull();
  });

  it("fails on a fixable listed CVE", () => {
    const outcome = evaluateFindings([finding(), ordinary]);
    expect(outcome.status).toBe("fail");
    expect(outcome.summary).toBe("Found high-profile vulnerability CVE-2023-38545 in 1 package.");
    expect(outcome.evidence).toEqual([
      { label: "Findings", value: "2 checked, 0 suppressed" },
      { label: "CVE-2023-38545", value: "curl 7.88.1-10 (deb), critical 9.8, on the high-profile list, fixed in 7.88.1-10+deb12u4" },
    ]);
    expect(outcome.remediation).toMatch(/^Upgrade `curl` from 7.88.1-10 to 7.88.1-10\+deb12u4 or later \(CVE-2023-38545\)\./);
  });

  it("fails on an unfixed listed CVE", () => {
    const outcome = evaluateFindings([xzBackdoor]);
    expect(outcome.status).toBe("fail");
    expect(outcome.evidence[1]).toEqual({
      label: "CVE-2024-3094",
      value: "liblzma5 5.6.1-1 (deb), critical 9.8, on the high-profile list, no fix yet",
    });
    expect(outcome.remediation).toMatch(
      /^`liblzma5` 5\.6\.1-1 has no fixed version yet for CVE-2024-3094: remove or replace it, or add an exception giving the reason it does not apply\./,
    );
  });

  it("matches a listed CVE given only as an alias", () => {
    const outcome = evaluateFindings([log4shellByGhsa]);
    expect(outcome.status).toBe("fail");
    expect(outcome.summary).toBe("Found high-profile vulnerability CVE-2021-44228 in 1 package.");
    expect(outcome.evidence[1]).toEqual({
      label: "CVE-2021-44228",
      value:
        "org.apache.logging.log4j:log4j-core 2.14.1 (maven), critical 10.0, reported as GHSA-jfh8-c2jp-5v3q, on the high-profile list, known exploited (CISA KEV), fixed in 2.15.0",
    });
    expect(outcome.remediation).toBe("Upgrade `org.apache.logging.log4j:log4j-core` from 2.14.1 to 2.15.0 or later (GHSA-jfh8-c2jp-5v3q).");
  });

  it("matches ids without regard to case", () => {
    expect(evaluateFindings([finding({ vulnerabilityId: "cve-2023-38545" })]).status).toBe("fail");
  });

  test.each([
    ["on", "fail", true],
    ["off", "pass", false],
  ] as const)("with knownExploited %s, a KEV finding off the list makes it %s", (_case, status, knownExploited) => {
    expect(evaluateFindings([exploitedOnly], { knownExploited }).status).toBe(status);
  });

  it("labels a KEV finding with its own id", () => {
    expect(evaluateFindings([exploitedOnly]).evidence[1]).toEqual({
      label: "CVE-2022-40674",
      value: "libexpat1 2.5.0-1 (deb), high 8.1, known exploited (CISA KEV), fixed in 2.5.0-1+deb12u1",
    });
  });

  it("checks only the configured list when one is given", () => {
    const libssl = finding({ vulnerabilityId: "CVE-2024-0727", purl: "pkg:deb/debian/libssl3@3.0.11-1", packageName: "libssl3" });
    const outcome = evaluateFindings([finding(), libssl], { cves: ["CVE-2024-0727"] });
    expect(outcome.status).toBe("fail");
    expect(outcome.summary).toBe("Found high-profile vulnerability CVE-2024-0727 in 1 package.");
  });

  describe("excluded CVEs", () => {
    test.each([
      ["a listed CVE", finding(), "CVE-2023-38545"],
      ["a KEV CVE", exploitedOnly, "CVE-2022-40674"],
      ["a CVE given as an alias", log4shellByGhsa, "CVE-2021-44228"],
    ])("passes when %s is excluded", (_case, excludedFinding, excludedId) => {
      const outcome = evaluateFindings([excludedFinding], { excludedCves: [excludedId] });
      expect(outcome.status).toBe("pass");
      expect(outcome.summary).toBe(
        "Checked 1 vulnerability finding and found none on the high-profile list or known to be exploited, not counting 1 excluded in the settings.",
      );
      expect(outcome.evidence[1]?.value).toMatch(new RegExp(`; ${excludedId} is excluded in the policy settings$`));
    });

    it("still fails on the others", () => {
      const outcome = evaluateFindings([finding(), xzBackdoor], { excludedCves: ["CVE-2023-38545"] });
      expect(outcome.status).toBe("fail");
      expect(outcome.summary).toBe("Found high-profile vulnerability CVE-2024-3094 in 1 package, not counting 1 excluded in the settings.");
    });
  });

  it("ignores suppressed findings and counts them", () => {
    const suppressed = { ...log4shellByGhsa, suppressed: { by: "vex" as const, reason: "component_not_present", expiresAt: null } };
    const outcome = evaluateFindings([suppressed, ordinary]);
    expect(outcome.status).toBe("pass");
    expect(outcome.summary).toBe(
      "Checked 2 vulnerability findings and found none on the high-profile list or known to be exploited, not counting 1 suppressed.",
    );
    expect(outcome.evidence[0]).toEqual({ label: "Findings", value: "2 checked, 1 suppressed" });
    expect(outcome.evidence[1]?.value).toMatch(/; suppressed by a VEX statement: component_not_present$/);
  });

  it("passes without listed or exploited findings", () => {
    expect(evaluateFindings([ordinary], { knownExploited: false })).toEqual({
      status: "pass",
      summary: "Checked 1 vulnerability finding and found none on the high-profile list.",
      evidence: [{ label: "Findings", value: "1 checked, 0 suppressed" }],
      remediation: null,
    });
  });

  it("names up to three ids in the summary", () => {
    const outcome = evaluateFindings([finding(), xzBackdoor, log4shellByGhsa, exploitedOnly, finding({ vulnerabilityId: "CVE-2014-0160" })]);
    expect(outcome.summary).toBe("Found high-profile vulnerabilities CVE-2014-0160, CVE-2021-44228, CVE-2022-40674 and 2 more in 4 packages.");
  });

  it("gives the same result for any input order", () => {
    const findings = [finding(), xzBackdoor, log4shellByGhsa, exploitedOnly, ordinary];
    expect(evaluateFindings(findings)).toEqual(evaluateFindings([...findings].reverse()));
  });
});
