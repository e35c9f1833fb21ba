import { describe, expect, it, test } from "vitest";
import type { SeverityLevel } from "../advisories/severity";
import { defaultPolicyConfig } from "../policy-config";
import { imageFacts } from "../testdata/image-facts";
import { analysedImage, evaluatedAt, finding } from "../testdata/vulnerability-findings";
import type { ImageFacts, NoFixableCriticalHighSettings, VulnerabilityFinding } from "../types";
import { noFixableCriticalHigh } from "./no-fixable-critical-high";

const defaults = defaultPolicyConfig.policies["no-fixable-critical-high"];

function evaluate(facts: ImageFacts, options: Partial<NoFixableCriticalHighSettings> = {}) {
  return noFixableCriticalHigh.evaluate(facts, { ...defaults, ...options });
}

function evaluateFindings(findings: VulnerabilityFinding[], options: Partial<NoFixableCriticalHighSettings> = {}) {
  return evaluate(analysedImage({ findings }), options);
}

const dayMs = 24 * 60 * 60 * 1000;
/** An ISO time `days` days (may be fractional) before evaluatedAt. */
const daysBeforeEvaluation = (days: number) => new Date(Date.parse(evaluatedAt) - days * dayMs).toISOString();

const curlHigh = finding({
  vulnerabilityId: "CVE-2023-38546",
  recordIds: ["DEBIAN-CVE-2023-38546"],
  severity: { level: "high", score: null, source: null },
});
const libssl = finding({
  purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12",
  vulnerabilityId: "CVE-2024-0727",
  packageName: "libssl3",
  packageVersion: "3.0.11-1~deb12u1",
  fixedVersion: "3.0.11-1~deb12u2",
  severity: { level: "high", score: 7.5, source: null },
});

describe("no-fixable-critical-high without analysis", () => {
  it("has no data when the image was not analysed", () => {
    expect(evaluate(imageFacts())).toEqual({
      status: "no-data",
      summary: "Package analysis is not available yet for this image, so vulnerabilities cannot be checked.",
      evidence: [],
      remediation: null,
    });
  });

  it.each([
    [
      "pending",
      "Package analysis of this image has not finished (queued behind 3 images), so vulnerabilities cannot be checked yet.",
      "pending: queued behind 3 images",
      /Wait for the analysis to finish/,
    ],
    [
      "not-analysed",
      "The image could not be analysed (queued behind 3 images), so vulnerabilities cannot be checked.",
      "failed: queued behind 3 images",
      /rebuild and push it; otherwise the next sync retries the analysis/,
    ],
  ] as const)("has no data while analysis is %s", (status, summary, evidence, remediation) => {
    const outcome = evaluate(imageFacts({ analysis: { status, reason: "queued behind 3 images" }, evaluatedAt }));
    expect(outcome.status).toBe("no-data");
    expect(outcome.summary).toBe(summary);
    expect(outcome.evidence).toEqual([{ label: "Analysis", value: evidence }]);
    expect(outcome.remediation).toMatch(remediation);
  });
});

describe("no-fixable-critical-high", () => {
  it("fails on a fixable critical finding", () => {
    const outcome = evaluateFindings([finding()]);
    expect(outcome.status).toBe("fail");
    expect(outcome.summary).toBe("Found 1 critical or high vulnerability with a fixed version in 1 package.");
    expect(outcome.evidence).toEqual([
      { label: "Findings", value: "1 checked, 0 suppressed" },
      { label: "CVE-2023-38545", value: "curl 7.88.1-10 (deb), critical 9.8, fixed in 7.88.1-10+deb12u4" },
    ]);
    expect(outcome.remediation).toBe(
      "Upgrade `curl` from 7.88.1-10 to 7.88.1-10+deb12u4 or later (CVE-2023-38545). " +
        "Distribution packages are upgraded by rebuilding on an updated base image or by running the package manager's upgrade (`apt-get upgrade`) in the Dockerfile.",
    );
  });

  it("passes with no findings", () => {
    const outcome = evaluateFindings([]);
    expect(outcome).toEqual({
      status: "pass",
      summary: "Checked 0 vulnerability findings and found no critical or high vulnerabilities with a fixed version.",
      evidence: [{ label: "Findings", value: "0 checked, 0 suppressed" }],
      remediation: null,
    });
  });

  test.each<[SeverityLevel, "pass" | "fail"]>([
    ["critical", "fail"],
    ["high", "fail"],
    ["medium", "pass"],
    ["low", "pass"],
    ["none", "pass"],
    ["unspecified", "pass"],
  ])("default severities: a %s finding makes it %s", (level, status) => {
    expect(evaluateFindings([finding({ severity: { level, score: null, source: null } })]).status).toBe(status);
  });

  test.each<[SeverityLevel[], SeverityLevel, "pass" | "fail"]>([
    [["medium"], "medium", "fail"],
    [["medium"], "critical", "pass"],
    [["unspecified"], "unspecified", "fail"],
    [["critical"], "high", "pass"],
  ])("severities %j: a %s finding makes it %s", (severities, level, status) => {
    expect(evaluateFindings([finding({ severity: { level, score: null, source: null } })], { severities }).status).toBe(status);
  });

  it("names the chosen severities in the summary, worst first", () => {
    const outcome = evaluateFindings([finding({ severity: { level: "unspecified", score: null, source: null } })], {
      severities: ["unspecified", "medium", "critical"],
    });
    expect(outcome.summary).toBe("Found 1 critical, medium or unrated vulnerability with a fixed version in 1 package.");
  });

  it("ignores an unfixable finding unless fixableOnly is false", () => {
    const unfixable = finding({ fixedVersion: null });
    const fixableOnly = evaluateFindings([unfixable]);
    expect(fixableOnly.status).toBe("pass");
    expect(fixableOnly.summary).toBe("Checked 1 vulnerability finding and found no critical or high vulnerabilities with a fixed version.");

    const all = evaluateFindings([unfixable], { fixableOnly: false });
    expect(all.status).toBe("fail");
    expect(all.summary).toBe("Found 1 critical or high vulnerability in 1 package.");
    expect(all.evidence[1]).toEqual({ label: "CVE-2023-38545", value: "curl 7.88.1-10 (deb), critical 9.8, no fix yet" });
    expect(all.remediation).toContain(
      "`curl` 7.88.1-10 has no fixed version yet for CVE-2023-38545: remove or replace it, or add an exception giving the reason it does not apply.",
    );
  });

  describe("grace period", () => {
    test.each([
      ["published exactly 7 days before", "fail", daysBeforeEvaluation(7)],
      ["published 30 days before", "fail", daysBeforeEvaluation(30)],
      ["published 1 ms less than 7 days before", "pass", new Date(Date.parse(evaluatedAt) - 7 * dayMs + 1).toISOString()],
      ["published 2 days before", "pass", daysBeforeEvaluation(2)],
      ["published after the evaluation", "pass", daysBeforeEvaluation(-1)],
      ["with no publication date", "fail", null],
      ["with an unreadable publication date", "fail", "last Tuesday"],
    ] as const)("with 7 days, a finding %s makes it %s", (_case, status, published) => {
      expect(evaluateFindings([finding({ published })], { graceDays: 7 }).status).toBe(status);
    });

    it("shows a finding within the grace period and when it ends", () => {
      const outcome = evaluateFindings([finding({ published: "2024-05-30T12:00:00Z" })], { graceDays: 7 });
      expect(outcome.summary).toBe(
        "Checked 1 vulnerability finding and found no critical or high vulnerabilities with a fixed version published at least 7 days ago, not counting 1 within the grace period.",
      );
      expect(outcome.evidence[1]).toEqual({
        label: "CVE-2023-38545",
        value: "curl 7.88.1-10 (deb), critical 9.8, fixed in 7.88.1-10+deb12u4; within the 7-day grace period until 2024-06-06T12:00:00Z",
      });
    });

    it("gives no grace without an evaluation time", () => {
      const facts = analysedImage({ findings: [finding({ published: daysBeforeEvaluation(1) })] }, { evaluatedAt: undefined });
      expect(evaluate(facts, { graceDays: 7 }).status).toBe("fail");
    });

    it("is off at 0 days, even for a finding published now", () => {
      expect(evaluateFindings([finding({ published: evaluatedAt })], { graceDays: 0 }).status).toBe("fail");
    });
  });

  test.each([
    [null, "fail"],
    [["deb"], "fail"],
    [["npm", "deb"], "fail"],
    [["npm"], "pass"],
  ] as const)("packageTypes %j on a deb finding: %s", (packageTypes, status) => {
    expect(evaluateFindings([finding()], { packageTypes: packageTypes === null ? null : [...packageTypes] }).status).toBe(status);
  });

  it("names the package types in the summary", () => {
    expect(evaluateFindings([finding()], { packageTypes: ["npm", "deb"] }).summary).toBe(
      "Found 1 critical or high vulnerability with a fixed version in 1 deb or npm package.",
    );
    expect(evaluateFindings([], { packageTypes: ["npm"] }).summary).toBe(
      "Checked 0 vulnerability findings and found no critical or high vulnerabilities with a fixed version in npm packages.",
    );
  });

  describe("suppressed findings", () => {
    const excepted = finding({
      suppressed: { by: "exception", reason: "curl never uses a SOCKS5 proxy here", expiresAt: "2024-07-01T00:00:00Z" },
    });
    const vexed = finding({
      vulnerabilityId: "CVE-2023-38546",
      suppressed: { by: "vex", reason: "vulnerable_code_not_in_execute_path", expiresAt: null },
    });

    it("does not count them", () => {
      const outcome = evaluateFindings([excepted, vexed, finding({ vulnerabilityId: "CVE-2024-0001", severity: { level: "low", score: 2, source: null } })]);
      expect(outcome.status).toBe("pass");
      expect(outcome.summary).toBe(
        "Checked 3 vulnerability findings and found no critical or high vulnerabilities with a fixed version, not counting 2 suppressed.",
      );
      expect(outcome.evidence).toEqual([
        { label: "Findings", value: "3 checked, 2 suppressed" },
        {
          label: "CVE-2023-38545",
          value:
            "curl 7.88.1-10 (deb), critical 9.8, fixed in 7.88.1-10+deb12u4; suppressed by an exception until 2024-07-01T00:00:00Z: curl never uses a SOCKS5 proxy here",
        },
        {
          label: "CVE-2023-38546",
          value: "curl 7.88.1-10 (deb), critical 9.8, fixed in 7.88.1-10+deb12u4; suppressed by a VEX statement: vulnerable_code_not_in_execute_path",
        },
      ]);
    });

    it("still fails on the unsuppressed ones", () => {
      const outcome = evaluateFindings([excepted, libssl]);
      expect(outcome.status).toBe("fail");
      expect(outcome.summary).toBe("Found 1 critical or high vulnerability with a fixed version in 1 package, not counting 1 suppressed.");
      expect(outcome.remediation).toMatch(/^Upgrade `libssl3` from 3.0.11-1~deb12u1 to 3.0.11-1~deb12u2 or later \(CVE-2024-0727\)\./);
      expect(outcome.remediation).not.toContain("curl");
    });

    test.each([
      ["expired a second before grading", "fail", "2024-06-01T11:59:59Z"],
      ["expiring at the grading time", "fail", evaluatedAt],
      ["expiring a second after grading", "pass", "2024-06-01T12:00:01Z"],
      ["with an unreadable expiry", "fail", "soon"],
    ] as const)("an exception %s makes it %s", (_case, status, expiresAt) => {
      const outcome = evaluateFindings([finding({ suppressed: { by: "exception", reason: "accepted risk", expiresAt } })]);
      expect(outcome.status).toBe(status);
    });
  });

  it("marks known-exploited findings in the evidence", () => {
    expect(evaluateFindings([finding({ knownExploited: true })]).evidence[1]?.value).toBe(
      "curl 7.88.1-10 (deb), critical 9.8, known exploited, fixed in 7.88.1-10+deb12u4",
    );
  });

  it("lists the worst findings first", () => {
    const medium = finding({ vulnerabilityId: "CVE-2024-1111", severity: { level: "medium", score: 5, source: null } });
    const findings = [curlHigh, libssl, medium, finding()];
    const forward = evaluateFindings(findings, { severities: ["critical", "high", "medium"] });
    const backward = evaluateFindings([...findings].reverse(), { severities: ["critical", "high", "medium"] });
    expect(forward).toEqual(backward);
    expect(forward.evidence.map((item) => item.label)).toEqual(["Findings", "CVE-2023-38545", "CVE-2024-0727", "CVE-2023-38546", "CVE-2024-1111"]);
  });

  it("upgrades each package to the highest fixed version it needs", () => {
    const findings = [
      finding(),
      finding({ vulnerabilityId: "CVE-2024-2398", fixedVersion: "7.88.1-10+deb12u6" }),
      finding({ vulnerabilityId: "CVE-2023-46218", fixedVersion: "7.88.1-10+deb12u5" }),
      libssl,
    ];
    expect(evaluateFindings(findings).remediation).toBe(
      "Upgrade `curl` from 7.88.1-10 to 7.88.1-10+deb12u6 or later (CVE-2023-38545, CVE-2023-46218, CVE-2024-2398). " +
        "Upgrade `libssl3` from 3.0.11-1~deb12u1 to 3.0.11-1~deb12u2 or later (CVE-2024-0727). " +
        "Distribution packages are upgraded by rebuilding on an updated base image or by running the package manager's upgrade (`apt-get upgrade`) in the Dockerfile.",
    );
  });

  it("orders fixed versions by the ecosystem, not as text", () => {
    const npmFinding = (vulnerabilityId: string, fixedVersion: string) =>
      finding({
        purl: "pkg:npm/express@4.17.1",
        packageType: "npm",
        packageName: "express",
        packageVersion: "4.17.1",
        vulnerabilityId,
        fixedVersion,
        severity: { level: "high", score: 7.5, source: null },
      });
    const outcome = evaluateFindings([npmFinding("CVE-2024-43796", "4.20.0"), npmFinding("CVE-2022-24999", "4.17.3"), npmFinding("CVE-2024-29041", "4.19.2")]);
    expect(outcome.remediation).toBe("Upgrade `express` from 4.17.1 to 4.20.0 or later (CVE-2022-24999, CVE-2024-29041, CVE-2024-43796).");
  });

  it("names every fixed version when the ordering cannot compare them", () => {
    const outcome = evaluateFindings([
      finding({ purl: "pkg:generic/tool@1", packageType: "generic", packageName: "tool", packageVersion: "1", fixedVersion: "2" }),
      finding({ purl: "pkg:generic/tool@1", packageType: "generic", packageName: "tool", packageVersion: "1", fixedVersion: "10", vulnerabilityId: "CVE-2024-9999" }),
    ]);
    expect(outcome.remediation).toBe("Upgrade `tool` from 1 to a version that includes the fixes in 10, 2 (CVE-2023-38545, CVE-2024-9999).");
  });

  it("caps the evidence with a count of the rest", () => {
    const findings = Array.from({ length: 14 }, (_, index) => finding({ vulnerabilityId: `CVE-2024-${String(1000 + index)}` }));
    const outcome = evaluateFindings(findings);
    expect(outcome.evidence).toHaveLength(12);
    expect(outcome.evidence[0]).toEqual({ label: "Findings", value: "14 checked, 0 suppressed" });
    expect(outcome.evidence[10]?.label).toBe("CVE-2024-1009");
    expect(outcome.evidence[11]).toEqual({ label: "More", value: "and 4 more findings" });
    expect(outcome.summary).toBe("Found 14 critical or high vulnerabilities with a fixed version in 1 package.");
    expect(outcome.remediation).toContain("(CVE-2024-1000, CVE-2024-1001, CVE-2024-1002, CVE-2024-1003, CVE-2024-1004 and 9 more)");
  });

  it("caps the remediation at ten packages", () => {
    const findings = Array.from({ length: 12 }, (_, index) =>
      finding({ purl: `pkg:deb/debian/lib${index}@1.0-1`, packageName: `lib${String(index).padStart(2, "0")}`, packageVersion: "1.0-1", fixedVersion: "1.0-2" }),
    );
    const remediation = evaluateFindings(findings).remediation ?? "";
    expect(remediation.match(/Upgrade `/g)).toHaveLength(10);
    expect(remediation).toContain("`lib09`");
    expect(remediation).not.toContain("`lib10`");
    expect(remediation).toContain("Do the same for 2 more packages.");
  });
});
