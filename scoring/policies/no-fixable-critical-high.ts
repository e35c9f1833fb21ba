import type { SeverityLevel } from "../advisories/severity";
import type { NoFixableCriticalHighSettings, VulnerabilityFinding } from "../types";
import { capEvidence, countOf } from "./cap-evidence";
import type { Policy } from "./policy";
import { requireAdvisories, requireAnalysis } from "./require-analysis";
import { compareFindings, describeFinding, isSuppressed, suppressionNote, upgradeRemediation } from "./vulnerability-findings";

const dayMs = 24 * 60 * 60 * 1000;

/** Severity levels in the order a summary names them, worst first. */
const severityOrder: readonly SeverityLevel[] = ["critical", "high", "medium", "low", "none", "unspecified"];

/** A finding that meets the rule but does not count, and why. */
interface ExcusedFinding {
  finding: VulnerabilityFinding;
  kind: "suppressed" | "grace";
  note: string;
}

export const noFixableCriticalHigh: Policy<"no-fixable-critical-high"> = {
  id: "no-fixable-critical-high",
  title: "No fixable critical or high vulnerabilities",
  description:
    "Fails when a package has a vulnerability of a chosen severity (default critical or high) that has a fixed version, is past an optional grace period and is not excepted.",
  evaluate(facts, settings) {
    const required = requireAnalysis(facts.analysis, {
      absent: "Package analysis is not available yet for this image, so vulnerabilities cannot be checked.",
      checked: "vulnerabilities",
    });
    if ("outcome" in required) return required.outcome;
    const noAdvisories = requireAdvisories(required.analysis, "vulnerabilities");
    if (noAdvisories) return noAdvisories;
    const { findings } = required.analysis;

    const counted: VulnerabilityFinding[] = [];
    const excused: ExcusedFinding[] = [];
    for (const finding of findings) {
      if (!meetsRule(finding, settings)) continue;
      if (isSuppressed(finding, facts.evaluatedAt)) {
        excused.push({ finding, kind: "suppressed", note: suppressionNote(finding) });
        continue;
      }
      const graceEnd = graceEndOf(finding, settings.graceDays, facts.evaluatedAt);
      if (graceEnd !== null) {
        excused.push({ finding, kind: "grace", note: `within the ${settings.graceDays}-day grace period until ${formatInstant(graceEnd)}` });
        continue;
      }
      counted.push(finding);
    }
    counted.sort(compareFindings);
    excused.sort((a, b) => compareFindings(a.finding, b.finding));

    const suppressedCount = findings.filter((finding) => isSuppressed(finding, facts.evaluatedAt)).length;
    const evidence = [
      { label: "Findings", value: `${findings.length} checked, ${suppressedCount} suppressed` },
      ...capEvidence(
        [
          ...counted.map((finding) => ({ label: finding.vulnerabilityId, value: describeFinding(finding, notesOf(finding)) })),
          ...excused.map(({ finding, note }) => ({ label: finding.vulnerabilityId, value: `${describeFinding(finding, notesOf(finding))}; ${note}` })),
        ],
        { one: "finding", many: "findings" },
      ),
    ];

    const rule = ruleWords(settings);
    const notCounted = notCountedWords(excused);
    if (counted.length === 0) {
      const where = rule.packageKind === "" ? "" : ` in ${rule.packageKind}packages`;
      const checked = countOf(findings.length, { one: "vulnerability finding", many: "vulnerability findings" });
      return {
        status: "pass",
        summary: `Checked ${checked} and found no ${rule.severities} vulnerabilities${rule.conditions}${where}${notCounted}.`,
        evidence,
        remediation: null,
      };
    }
    const vulnerabilities = countOf(counted.length, { one: `${rule.severities} vulnerability`, many: `${rule.severities} vulnerabilities` });
    const packages = countOf(new Set(counted.map((finding) => finding.purl)).size, {
      one: `${rule.packageKind}package`,
      many: `${rule.packageKind}packages`,
    });
    return {
      status: "fail",
      summary: `Found ${vulnerabilities}${rule.conditions} in ${packages}${notCounted}.`,
      evidence,
      remediation: upgradeRemediation(counted),
    };
  },
};

/** Whether a finding has a chosen severity, a fixed version when one is required, and a checked package type. */
function meetsRule(finding: VulnerabilityFinding, settings: NoFixableCriticalHighSettings): boolean {
  if (!settings.severities.includes(finding.severity.level)) return false;
  if (settings.fixableOnly && finding.fixedVersion === null) return false;
  return settings.packageTypes === null || settings.packageTypes.includes(finding.packageType);
}

/**
 * Returns when the finding's grace period ends (ms since the epoch) if it is still
 * running at evaluatedAt, else null. The period lasts graceDays × 24 hours from
 * publication, and the finding counts from the instant it ends. A finding without a
 * readable publication date gets no grace period.
 * NOTE: without evaluatedAt the age cannot be measured, so no finding gets a grace period.
 */
function graceEndOf(finding: VulnerabilityFinding, graceDays: number, evaluatedAt: string | undefined): number | null {
  if (graceDays === 0 || evaluatedAt === undefined || finding.published === null) return null;
  const published = Date.parse(finding.published);
  const now = Date.parse(evaluatedAt);
  if (Number.isNaN(published) || Number.isNaN(now)) return null;
  const graceEnd = published + graceDays * dayMs;
  return now < graceEnd ? graceEnd : null;
}

function notesOf(finding: VulnerabilityFinding): string[] {
  return finding.knownExploited ? ["known exploited"] : [];
}

/**
 * Words for the configured rule, to build summaries such as "found no critical or high
 * vulnerabilities with a fixed version published at least 7 days ago in deb packages".
 */
function ruleWords(settings: NoFixableCriticalHighSettings): { severities: string; conditions: string; packageKind: string } {
  const levels = severityOrder.filter((level) => settings.severities.includes(level));
  const conditions = [
    settings.fixableOnly ? " with a fixed version" : "",
    settings.graceDays === 0 ? "" : ` published at least ${countOf(settings.graceDays, { one: "day", many: "days" })} ago`,
  ].join("");
  return {
    severities: joinWithOr(levels.map((level) => (level === "unspecified" ? "unrated" : level))),
    conditions,
    packageKind: settings.packageTypes === null ? "" : `${joinWithOr([...settings.packageTypes].sort())} `,
  };
}

/** Writes what a count leaves out: ", not counting 2 suppressed and 1 within the grace period", or "". */
function notCountedWords(excused: readonly ExcusedFinding[]): string {
  const suppressed = excused.filter((item) => item.kind === "suppressed").length;
  const inGrace = excused.length - suppressed;
  const parts = [suppressed > 0 ? `${suppressed} suppressed` : null, inGrace > 0 ? `${inGrace} within the grace period` : null];
  const listed = parts.filter((part) => part !== null);
  return listed.length === 0 ? "" : `, not counting ${listed.join(" and ")}`;
}

function joinWithOr(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** Writes an instant as ISO 8601 to the second: "2024-06-08T12:00:00Z". */
function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
