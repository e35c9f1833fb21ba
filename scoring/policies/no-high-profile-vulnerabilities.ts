import type { VulnerabilityFinding } from "../types";
import { capEvidence, countOf } from "./cap-evidence";
import type { Policy } from "./policy";
import { requireAdvisories, requireAnalysis } from "./require-analysis";
import { compareFindings, compareStrings, describeFinding, idsOf, isSuppressed, suppressionNote, upgradeRemediation } from "./vulnerability-findings";

/** Ids a summary names before it counts the rest. */
const maxSummaryIds = 3;

/** A finding that fails the policy, with the listed id it matched (null when only known exploitation counts). */
interface HighProfileFinding {
  finding: VulnerabilityFinding;
  listedId: string | null;
}

/** A finding that would fail the policy but does not count, and why. */
interface ExcusedFinding extends HighProfileFinding {
  kind: "suppressed" | "excluded";
  note: string;
}

export const noHighProfileVulnerabilities: Policy<"no-high-profile-vulnerabilities"> = {
  id: "no-high-profile-vulnerabilities",
  title: "No high-profile vulnerabilities",
  description:
    "Fails when a package is affected by a listed high-profile CVE (such as Log4Shell or the xz backdoor) or by a CVE in CISA's Known Exploited Vulnerabilities catalog, fixed or not.",
  evaluate(facts, settings) {
    const required = requireAnalysis(facts.analysis, {
      absent:
        "Package analysis and vulnerability advisories are not available yet for this image, so high-profile CVEs cannot be checked.",
      checked: "high-profile CVEs",
    });
    if ("outcome" in required) return required.outcome;
    const noAdvisories = requireAdvisories(required.analysis, "high-profile CVEs");
    if (noAdvisories) return noAdvisories;
    const { findings } = required.analysis;

    const listed = new Set(settings.cves.map((id) => id.toUpperCase()));
    const excluded = new Set(settings.excludedCves.map((id) => id.toUpperCase()));
    const counted: HighProfileFinding[] = [];
    const excused: ExcusedFinding[] = [];
    for (const finding of findings) {
      // The finding's vulnerabilityId comes first in idsOf, so it names the match when it is listed itself.
      const ids = idsOf(finding);
      const listedId = ids.find((id) => listed.has(id)) ?? null;
      if (listedId === null && !(settings.knownExploited && finding.knownExploited)) continue;

      const excludedId = ids.find((id) => excluded.has(id));
      if (excludedId !== undefined) {
        excused.push({ finding, listedId, kind: "excluded", note: `${excludedId} is excluded in the policy settings` });
      } else if (isSuppressed(finding, facts.evaluatedAt)) {
        excused.push({ finding, listedId, kind: "suppressed", note: suppressionNote(finding) });
      } else {
        counted.push({ finding, listedId });
      }
    }
    counted.sort((a, b) => compareFindings(a.finding, b.finding));
    excused.sort((a, b) => compareFindings(a.finding, b.finding));

    const suppressedCount = findings.filter((finding) => isSuppressed(finding, facts.evaluatedAt)).length;
    const evidence = [
      { label: "Findings", value: `${findings.length} checked, ${suppressedCount} suppressed` },
      ...capEvidence(
        [
          ...counted.map((item) => ({ label: labelOf(item), value: describeFinding(item.finding, notesOf(item)) })),
          ...excused.map((item) => ({ label: labelOf(item), value: `${describeFinding(item.finding, notesOf(item))}; ${item.note}` })),
        ],
        { one: "finding", many: "findings" },
      ),
    ];

    const notCounted = notCountedWords(excused);
    if (counted.length === 0) {
      const checked = countOf(findings.length, { one: "vulnerability finding", many: "vulnerability findings" });
      const exploited = settings.knownExploited ? " or known to be exploited" : "";
      return {
        status: "pass",
        summary: `Checked ${checked} and found none on the high-profile list${exploited}${notCounted}.`,
        evidence,
        remediation: null,
      };
    }
    const ids = [...new Set(counted.map(labelOf))].sort(compareStrings);
    const packages = countOf(new Set(counted.map((item) => item.finding.purl)).size, { one: "package", many: "packages" });
    const noun = ids.length === 1 ? "vulnerability" : "vulnerabilities";
    return {
      status: "fail",
      summary: `Found high-profile ${noun} ${listIds(ids)} in ${packages}${notCounted}.`,
      evidence,
      remediation: upgradeRemediation(counted.map((item) => item.finding)),
    };
  },
};

/** Labels a finding with the listed CVE it matched, else with its own id. */
function labelOf(item: HighProfileFinding): string {
  return item.listedId ?? item.finding.vulnerabilityId;
}

/** Notes why the finding is high-profile, and its own id when an alias matched the list. */
function notesOf(item: HighProfileFinding): string[] {
  const notes: string[] = [];
  if (item.listedId !== null && item.listedId !== item.finding.vulnerabilityId.toUpperCase()) {
    notes.push(`reported as ${item.finding.vulnerabilityId}`);
  }
  if (item.listedId !== null) notes.push("on the high-profile list");
  if (item.finding.knownExploited) notes.push("known exploited (CISA KEV)");
  return notes;
}

/** Writes what a count leaves out: ", not counting 2 suppressed and 1 excluded in the settings", or "". */
function notCountedWords(excused: readonly ExcusedFinding[]): string {
  const suppressed = excused.filter((item) => item.kind === "suppressed").length;
  const excluded = excused.length - suppressed;
  const parts = [suppressed > 0 ? `${suppressed} suppressed` : null, excluded > 0 ? `${excluded} excluded in the settings` : null];
  const listed = parts.filter((part) => part !== null);
  return listed.length === 0 ? "" : `, not counting ${listed.join(" and ")}`;
}

/** Writes ids as "A", "A and B", "A, B and C" or "A, B, C and 4 more". */
function listIds(ids: readonly string[]): string {
  if (ids.length > maxSummaryIds) return `${ids.slice(0, maxSummaryIds).join(", ")} and ${ids.length - maxSummaryIds} more`;
  if (ids.length === 1) return ids[0] ?? "";
  return `${ids.slice(0, -1).join(", ")} and ${ids[ids.length - 1]}`;
}
