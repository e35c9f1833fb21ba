import { formatPercent, MAX_LISTED_VULNERABILITIES, severityCounts } from "@/lib/cli/format-score-text";
import type { JsonScoreReport } from "@/lib/cli/score-report-json";
import type { PolicyStatus } from "@/scoring";

const statusMarks: Record<PolicyStatus, string> = { pass: "✅ pass", fail: "❌ fail", "no-data": "⚠️ no data" };

/** Escapes text for a GitHub-flavoured markdown table cell: pipes, and line breaks as <br>. */
export function tableCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

/** Renders the report for a pull-request comment: a headline, then per platform the policies, the fixes and the vulnerabilities. */
export function formatScoreMarkdown(report: JsonScoreReport): string {
  const lines = [`### Shipshape grade: ${report.grade ?? "not graded"}`, "", `\`${report.image.input}\` (${report.image.digest})`, ""];
  if (report.gate.failed) lines.push(...report.gate.reasons.map((reason) => `> **Gate failed:** ${reason}`), "");

  for (const platform of report.platforms) {
    lines.push(`#### ${platform.platform}: grade ${platform.grade ?? "not graded"}, ${platform.earned} of ${platform.possible} points (${formatPercent(platform.percent)})`, "");
    if (platform.os) lines.push(`Operating system: ${platform.os}`, "");
    lines.push("| Policy | Result | Points | Why |", "|---|---|---|---|");
    for (const policy of platform.policies) lines.push(`| ${tableCell(policy.title)} | ${statusMarks[policy.status]} | ${policy.points}/${policy.weight} | ${tableCell(policy.summary)} |`);
    lines.push("");

    if (platform.fixes.length > 0) {
      lines.push("<details><summary>Fixes, most points first</summary>", "");
      for (const fix of platform.fixes) {
        lines.push(`- **${fix.title}** (+${fix.points} points, grade ${fix.gradeIfFixed} with this fix alone)`);
        for (const line of (fix.remediation ?? "No fix is known yet.").split("\n")) lines.push(`  ${line}`);
      }
      lines.push("", "</details>", "");
    }

    const open = platform.vulnerabilities.filter((vulnerability) => vulnerability.suppressed === null);
    if (open.length > 0) {
      lines.push(`<details><summary>${open.length} vulnerabilities (${severityCounts(open)})</summary>`, "", "| Vulnerability | Severity | Package | Installed | Fixed in |", "|---|---|---|---|---|");
      for (const vulnerability of open.slice(0, MAX_LISTED_VULNERABILITIES)) {
        lines.push(
          `| ${tableCell(vulnerability.id)}${vulnerability.knownExploited ? " (known exploited)" : ""} | ${vulnerability.severity} | ${tableCell(vulnerability.packageName)} | ${tableCell(vulnerability.packageVersion)} | ${tableCell(vulnerability.fixedVersion ?? "no fix yet")} |`,
        );
      }
      if (open.length > MAX_LISTED_VULNERABILITIES) lines.push("", `… and ${open.length - MAX_LISTED_VULNERABILITIES} more; \`--format json\` lists all.`);
      lines.push("", "</details>", "");
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
