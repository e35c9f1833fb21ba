import { compilePackagePatterns, formatPackageUrlWithoutVersion, parsePackageUrl } from "../package-url";
import type { Evidence, PackageFact } from "../types";
import { capEvidence, countOf } from "./cap-evidence";
import type { Policy } from "./policy";
import { requiredLicenses } from "./required-licenses";
import { requireAnalysis } from "./require-analysis";
import { compareStrings } from "./vulnerability-findings";

/** Packages a remediation names before it counts the rest. */
const maxRemediationPackages = 10;

const packageNoun = { one: "package", many: "packages" };

/** A package whose license requires a listed license, with those licenses as the expression writes them. */
interface RequiringPackage {
  fact: PackageFact;
  required: string[];
}

export const noAgplV3Licenses: Policy<"no-agpl-v3-licenses"> = {
  id: "no-agpl-v3-licenses",
  title: "No AGPL v3 licenses",
  description: "Fails when a package's license expression requires the AGPL (AGPL-1.0 or AGPL-3.0, -only or -or-later).",
  evaluate(facts, settings) {
    const required = requireAnalysis(facts.analysis, {
      absent: "Package analysis is not available yet for this image, so package licenses cannot be checked.",
      checked: "package licenses",
    });
    if ("outcome" in required) return required.outcome;
    const packages = [...required.analysis.packages].sort(comparePackages);

    const listed = new Set(settings.licenses);
    const allowedBy = compilePackagePatterns(settings.allowedPackages);
    const failing: RequiringPackage[] = [];
    const allowed: Array<RequiringPackage & { pattern: string }> = [];
    const unreadable: Array<{ fact: PackageFact; problem: string }> = [];
    let withoutLicense = 0;
    let skipped = 0;
    for (const fact of packages) {
      const pattern = allowedBy(fact.purl);
      if (pattern !== null) {
        // An allowed package does not count, but one that would fail is shown with the pattern that allowed it.
        skipped += 1;
        const check = fact.license === null ? null : requiredLicenses(fact.license, listed);
        if (check?.readable && check.required.length > 0) allowed.push({ fact, required: check.required, pattern });
        continue;
      }
      if (fact.license === null) {
        withoutLicense += 1;
        continue;
      }

      const check = requiredLicenses(fact.license, listed);
      if (!check.readable) unreadable.push({ fact, problem: check.problem });
      else if (check.required.length > 0) failing.push({ fact, required: check.required });
    }

    const items: Evidence[] = [
      ...failing.map(({ fact, required: licenses }) => ({
        label: packageLabel(fact),
        value: `${fact.license} (${fact.type}); requires ${licenses.join(" and ")}`,
      })),
      ...unreadable.map(({ fact, problem }) => ({
        label: packageLabel(fact),
        value: `could not read the license expression ${JSON.stringify(fact.license)} (${fact.type}): ${problem}`,
      })),
      ...allowed.map(({ fact, required: licenses, pattern }) => ({
        label: packageLabel(fact),
        value: `${fact.license} (${fact.type}); requires ${licenses.join(" and ")}, but allowed by ${pattern}`,
      })),
    ];
    const evidence = [
      {
        label: "Packages",
        value: `${packages.length - skipped} checked, ${withoutLicense} without a license, ${skipped} allowed`,
      },
      { label: "Listed licenses", value: settings.licenses.join(", ") },
      ...capEvidence(items, packageNoun),
    ];

    const notes = [
      withoutLicense > 0 ? `${countOf(withoutLicense, packageNoun)} without a license` : null,
      unreadable.length > 0 ? `${countOf(unreadable.length, { one: "license", many: "licenses" })} that could not be read` : null,
      skipped > 0 ? `${countOf(skipped, { one: "allowed package", many: "allowed packages" })}` : null,
    ].filter((note) => note !== null);
    const notCounted = notes.length === 0 ? "" : `, not counting ${joinWithAnd(notes)}`;

    if (failing.length === 0) {
      return {
        status: "pass",
        summary: `Checked the licenses of ${countOf(packages.length - skipped, packageNoun)} and none requires ${listedWords(settings.licenses)}${notCounted}.`,
        evidence,
        remediation: null,
      };
    }
    const subject = countOf(failing.length, packageNoun);
    return {
      status: "fail",
      summary: `Found ${subject} whose license requires ${listedWords(settings.licenses)}${notCounted}.`,
      evidence,
      remediation: remediationFor(failing),
    };
  },
};

function packageLabel(fact: PackageFact): string {
  return `${fact.name} ${fact.version}`;
}

function comparePackages(a: PackageFact, b: PackageFact): number {
  return compareStrings(a.name, b.name) || compareStrings(a.version, b.version) || compareStrings(a.purl, b.purl);
}

/** Names the listed licenses in a summary: the id when there is one, "one of the 6 listed licenses" when there are more. */
function listedWords(licenses: readonly string[]): string {
  return licenses.length === 1 ? (licenses[0] ?? "") : `one of the ${licenses.length} listed licenses`;
}

/** Tells, per package, to replace it or to allow-list its purl. */
function remediationFor(failing: readonly RequiringPackage[]): string {
  const sentences = failing.slice(0, maxRemediationPackages).map(({ fact }) => {
    const parts = parsePackageUrl(fact.purl);
    const pattern = parts === null ? fact.purl : formatPackageUrlWithoutVersion(parts);
    return `Replace \`${fact.name}\` ${fact.version} with a package under another license, or, if your use complies with its license, add \`${pattern}\` to the policy's allowed packages.`;
  });
  const unlisted = failing.length - sentences.length;
  if (unlisted > 0) sentences.push(`Do the same for ${unlisted} more ${unlisted === 1 ? packageNoun.one : packageNoun.many}.`);
  return sentences.join(" ");
}

function joinWithAnd(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
