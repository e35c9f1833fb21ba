import { describe, expect, it, test } from "vitest";
import { defaultPolicyConfig } from "../policy-config";
import { imageFacts } from "../testdata/image-facts";
import { analysedImage, evaluatedAt, packageFact } from "../testdata/vulnerability-findings";
import type { NoAgplV3LicensesSettings, PackageFact } from "../types";
import { noAgplV3Licenses } from "./no-agpl-v3-licenses";

const defaults = defaultPolicyConfig.policies["no-agpl-v3-licenses"];

function evaluatePackages(packages: PackageFact[], options: Partial<NoAgplV3LicensesSettings> = {}) {
  return noAgplV3Licenses.evaluate(analysedImage({ packages }), { ...defaults, ...options });
}

/** An npm package with the given license expression. */
const npmPackage = (license: string | null, name = "widget", namespace = "") =>
  packageFact({
    type: "npm",
    name: namespace === "" ? name : `${namespace}/${name}`,
    version: "1.0.0",
    purl: namespace === "" ? `pkg:npm/${name}@1.0.0` : `pkg:npm/${namespace.replace("@", "%40")}/${name}@1.0.0`,
    license,
  });

describe("no-agpl-v3-licenses", () => {
  it.each([
    ["pending", "Package analysis of this image has not finished (layer 2 of 5), so package licenses cannot be checked yet."],
    ["not-analysed", "The image could not be analysed (layer 2 of 5), so package licenses cannot be checked."],
  ] as const)("has no data while analysis is %s", (status, summary) => {
    const outcome = noAgplV3Licenses.evaluate(imageFacts({ analysis: { status, reason: "layer 2 of 5" }, evaluatedAt }), defaults);
    expect(outcome.status).toBe("no-data");
    expect(outcome.summary).toBe(summary);
  });

  test.each([
    ["MIT", "pass", null],
    ["GPL-3.0-only", "pass", null],
    ["LGPL-3.0-or-later", "pass", null],
    ["AGPL-3.0-only", "fail", "AGPL-3.0-only"],
    ["AGPL-3.0-or-later", "fail", "AGPL-3.0-or-later"],
    ["AGPL-3.0", "fail", "AGPL-3.0"],
    ["AGPL-3.0+", "fail", "AGPL-3.0+"],
    ["AGPL-1.0", "fail", "AGPL-1.0"],
    ["AGPL-1.0-only", "fail", "AGPL-1.0-only"],
    ["AGPL-1.0-or-later", "fail", "AGPL-1.0-or-later"],
    ["AGPL-1.0+", "fail", "AGPL-1.0+"],
    ["agpl-3.0-only", "fail", "AGPL-3.0-only"],
    ["MIT OR AGPL-3.0", "pass", null],
    ["AGPL-3.0-only OR MIT", "pass", null],
    ["MIT AND AGPL-3.0-only", "fail", "AGPL-3.0-only"],
    ["MIT and AGPL-3.0-only", "fail", "AGPL-3.0-only"],
    ["AGPL-3.0-only WITH some-exception", "fail", "AGPL-3.0-only"],
    ["AGPL-3.0-or-later WITH Classpath-exception-2.0", "fail", "AGPL-3.0-or-later"],
    ["(MIT OR Apache-2.0) AND AGPL-3.0-or-later", "fail", "AGPL-3.0-or-later"],
    ["(MIT AND AGPL-3.0-only) OR (Apache-2.0 AND AGPL-1.0-or-later)", "fail", "AGPL-1.0-or-later and AGPL-3.0-only"],
    ["(MIT AND AGPL-3.0-only) OR Apache-2.0", "pass", null],
    ["AGPL-3.0-only OR AGPL-3.0-or-later", "fail", "AGPL-3.0-only and AGPL-3.0-or-later"],
    ["LicenseRef-AGPL-3.0", "pass", null],
    ["LicenseRef-scancode-proprietary AND MIT", "pass", null],
  ] as const)("license %s makes it %s", (license, status, required) => {
    const outcome = evaluatePackages([npmPackage(license)]);
    expect(outcome.status).toBe(status);
    if (required === null) {
      expect(outcome.evidence).toHaveLength(2);
    } else {
      expect(outcome.evidence[2]).toEqual({ label: "widget 1.0.0", value: `${license} (npm); requires ${required}` });
    }
  });

  it("fails with the package, the license and how to fix it", () => {
    const outcome = evaluatePackages([packageFact(), npmPackage("MIT AND AGPL-3.0-only", "widget", "@acme")]);
    expect(outcome).toEqual({
      status: "fail",
      summary: "Found 1 package whose license requires one of the 6 listed licenses.",
      evidence: [
        { label: "Packages", value: "2 checked, 0 without a license, 0 allowed" },
        { label: "Listed licenses", value: "AGPL-1.0, AGPL-1.0-only, AGPL-1.0-or-later, AGPL-3.0, AGPL-3.0-only, AGPL-3.0-or-later" },
        { label: "@acme/widget 1.0.0", value: "MIT AND AGPL-3.0-only (npm); requires AGPL-3.0-only" },
      ],
      remediation:
        "Replace `@acme/widget` 1.0.0 with a package under another license, or, if your use complies with its license, add `pkg:npm/@acme/widget` to the policy's allowed packages.",
    });
  });

  it("passes, counting packages without a license", () => {
    const outcome = evaluatePackages([packageFact(), npmPackage(null)]);
    expect(outcome.status).toBe("pass");
    expect(outcome.summary).toBe("Checked the licenses of 2 packages and none requires one of the 6 listed licenses, not counting 1 package without a license.");
    expect(outcome.evidence[0]).toEqual({ label: "Packages", value: "2 checked, 1 without a license, 0 allowed" });
  });

  it.each([
    ["AGPL-3.0-only AND", "the expression ends early"],
    ["see LICENSE file", "Unexpected `s` at offset 0"],
    ["AGPL-3.0-only WITH", "Expected exception after `WITH`"],
  ])("reports %j as unreadable without failing", (license, problem) => {
    const outcome = evaluatePackages([npmPackage(license)]);
    expect(outcome.status).toBe("pass");
    expect(outcome.summary).toBe(
      "Checked the licenses of 1 package and none requires one of the 6 listed licenses, not counting 1 license that could not be read.",
    );
    expect(outcome.evidence[2]).toEqual({
      label: "widget 1.0.0",
      value: `could not read the license expression ${JSON.stringify(license)} (npm): ${problem}`,
    });
  });

  describe("allowed packages", () => {
    const acmeWidget = npmPackage("AGPL-3.0-only", "widget", "@acme");

    test.each([
      ["pkg:npm/@acme/*", "pass"],
      ["pkg:npm/@acme/widget", "pass"],
      ["pkg:npm/@acme/widget@1.*", "pass"],
      ["pkg:npm/**", "pass"],
      ["pkg:npm/@acme/widget@2.*", "fail"],
      ["pkg:npm/@other/*", "fail"],
      ["pkg:npm/*", "fail"],
      // A pattern matches the purl, not the bare package name.
      ["@acme/widget", "fail"],
    ])("pattern %s makes it %s", (pattern, status) => {
      expect(evaluatePackages([acmeWidget], { allowedPackages: [pattern] }).status).toBe(status);
    });

    it("shows a skipped package and the pattern that allowed it", () => {
      const outcome = evaluatePackages([acmeWidget, packageFact()], { allowedPackages: ["pkg:deb/**", "pkg:npm/@acme/*"] });
      expect(outcome.status).toBe("pass");
      expect(outcome.summary).toBe("Checked the licenses of 0 packages and none requires one of the 6 listed licenses, not counting 2 allowed packages.");
      expect(outcome.evidence).toEqual([
        { label: "Packages", value: "0 checked, 0 without a license, 2 allowed" },
        { label: "Listed licenses", value: "AGPL-1.0, AGPL-1.0-only, AGPL-1.0-or-later, AGPL-3.0, AGPL-3.0-only, AGPL-3.0-or-later" },
        { label: "@acme/widget 1.0.0", value: "AGPL-3.0-only (npm); requires AGPL-3.0-only, but allowed by pkg:npm/@acme/*" },
      ]);
    });
  });

  test.each([
    ["GPL-3.0-only", "fail"],
    ["GPL-3.0", "fail"],
    ["GPL-3.0-or-later", "pass"],
    ["GPL-3.0+", "pass"],
    ["AGPL-3.0-only", "pass"],
  ])("with licenses [GPL-3.0-only], %s makes it %s", (license, status) => {
    expect(evaluatePackages([npmPackage(license)], { licenses: ["GPL-3.0-only"] }).status).toBe(status);
  });

  it("names a single listed license in the summary", () => {
    expect(evaluatePackages([npmPackage("GPL-3.0+")], { licenses: ["GPL-3.0-or-later"] }).summary).toBe(
      "Found 1 package whose license requires GPL-3.0-or-later.",
    );
  });

  it("caps evidence and remediation, sorted by package name", () => {
    const packages = Array.from({ length: 12 }, (_, index) => npmPackage("AGPL-3.0-only", `pkg${String(11 - index).padStart(2, "0")}`));
    const outcome = evaluatePackages(packages);
    expect(outcome.evidence).toHaveLength(13);
    expect(outcome.evidence[2]?.label).toBe("pkg00 1.0.0");
    expect(outcome.evidence[11]?.label).toBe("pkg09 1.0.0");
    expect(outcome.evidence[12]).toEqual({ label: "More", value: "and 2 more packages" });
    expect(outcome.remediation?.match(/Replace `/g)).toHaveLength(10);
    expect(outcome.remediation).toMatch(/Do the same for 2 more packages\.$/);
  });
});
