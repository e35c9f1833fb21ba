import type { JsonCompareReport, PlatformComparison } from "@/lib/cli/compare-scores";
import { type Paint, formatPercent, paintGrade } from "@/lib/cli/format-score-text";
import { tableCell } from "@/lib/cli/format-score-markdown";
import { fingerprint, levelForSeverity, SARIF_SCHEMA_URI } from "@/lib/cli/format-score-sarif";
import type { PackageDiff, VulnerabilityChange } from "@/lib/data/compare-images";

/** Renders a comparison for a terminal: the grades, then per platform what changed. */
export function formatCompareText(report: JsonCompareReport, paint: Paint): string {
  const lines = [
    `${paint("bold", "Before")} ${report.before.input}  grade ${paintGrade(paint, report.before.grade)}`,
    `${paint("bold", "After")}  ${report.after.input}  grade ${paintGrade(paint, report.after.grade)}`,
    "",
  ];
  for (const platform of report.platforms) {
    lines.push(`${paint("bold", platform.platform)}: ${platform.before.grade ?? "not graded"} (${formatPercent(platform.before.percent)}) → ${platform.after.grade ?? "not graded"} (${formatPercent(platform.after.percent)})`);
    lines.push(...platformChanges(platform).map((line) => `  ${line}`), "");
  }
  for (const name of report.onlyBefore) lines.push(`${name}: only in ${report.before.input}`);
  for (const name of report.onlyAfter) lines.push(`${name}: only in ${report.after.input}`);
  lines.push(report.regression ? paint("red", `Regression: ${report.reasons.join(" ")}`) : paint("green", "No regression."));
  return `${lines.join("\n").trimEnd()}\n`;
}

function platformChanges(platform: PlatformComparison): string[] {
  const lines: string[] = [];
  if (platform.policies.length === 0) lines.push("Policies: no change");
  for (const change of platform.policies) lines.push(`Policy ${change.title}: ${change.from ?? "absent"} → ${change.to ?? "absent"} (${change.fromPoints ?? 0} → ${change.toPoints ?? 0} points)`);
  lines.push(`Packages: ${packageSummary(platform.packages)}`);
  for (const entry of platform.packages.added) lines.push(`  + ${entry.type}/${entry.name} ${entry.versions.join(", ")}`);
  for (const entry of platform.packages.removed) lines.push(`  - ${entry.type}/${entry.name} ${entry.versions.join(", ")}`);
  for (const entry of platform.packages.changed) lines.push(`  ~ ${entry.type}/${entry.name} ${entry.from.join(", ")} → ${entry.to.join(", ")}`);
  lines.push(`Vulnerabilities: ${platform.vulnerabilities.introduced.length} introduced, ${platform.vulnerabilities.fixed.length} fixed, ${platform.vulnerabilities.unchanged} unchanged`);
  for (const change of platform.vulnerabilities.introduced) lines.push(`  + ${describeVulnerability(change)}`);
  for (const change of platform.vulnerabilities.fixed) lines.push(`  - ${describeVulnerability(change)}`);
  return lines;
}

function packageSummary(diff: PackageDiff): string {
  return `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`;
}

function describeVulnerability(change: VulnerabilityChange): string {
  return `${change.vulnerabilityId} ${change.severity} in ${change.packageName} ${change.packageVersions.join(", ")}${change.fixedVersion ? `, fixed in ${change.fixedVersion}` : ""}`;
}

/** Renders a comparison for a pull-request comment. */
export function formatCompareMarkdown(report: JsonCompareReport): string {
  const lines = [
    `### Shipshape: ${report.before.grade ?? "not graded"} → ${report.after.grade ?? "not graded"}`,
    "",
    `\`${report.before.input}\` → \`${report.after.input}\``,
    "",
    report.regression ? `> **Regression:** ${report.reasons.join(" ")}` : "No regression.",
    "",
  ];
  for (const platform of report.platforms) {
    lines.push(`#### ${platform.platform}: ${platform.before.grade ?? "not graded"} → ${platform.after.grade ?? "not graded"}`, "");
    if (platform.policies.length > 0) {
      lines.push("| Policy | Before | After | Points |", "|---|---|---|---|");
      for (const change of platform.policies) lines.push(`| ${tableCell(change.title)} | ${change.from ?? "absent"} | ${change.to ?? "absent"} | ${change.fromPoints ?? 0} → ${change.toPoints ?? 0} |`);
      lines.push("");
    }
    lines.push(`Packages: ${packageSummary(platform.packages)}.`, "");
    const changes = [...platform.vulnerabilities.introduced.map((change) => ({ change, kind: "introduced" })), ...platform.vulnerabilities.fixed.map((change) => ({ change, kind: "fixed" }))];
    if (changes.length > 0) {
      lines.push("| Vulnerability | Change | Severity | Package | Fixed in |", "|---|---|---|---|---|");
      for (const { change, kind } of changes) {
        lines.push(`| ${tableCell(change.vulnerabilityId)} | ${kind} | ${change.severity} | ${tableCell(`${change.packageName} ${change.packageVersions.join(", ")}`)} | ${tableCell(change.fixedVersion ?? "no fix yet")} |`);
      }
      lines.push("");
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** Renders a comparison as SARIF 2.1.0: one result per introduced vulnerability and per policy that lost points. */
export function formatCompareSarif(report: JsonCompareReport, options: { artifactUri: string }): string {
  const location = [{ physicalLocation: { artifactLocation: { uri: options.artifactUri }, region: { startLine: 1 } } }];
  const rules = new Map<string, { id: string; shortDescription: { text: string } }>();
  const results: { ruleId: string; ruleIndex?: number; level: string; message: { text: string }; locations: typeof location; partialFingerprints: Record<string, string> }[] = [];
  for (const platform of report.platforms) {
    for (const change of platform.policies) {
      if ((change.toPoints ?? 0) >= (change.fromPoints ?? 0)) continue;
      const id = `shipshape/${change.id}`;
      rules.set(id, { id, shortDescription: { text: change.title } });
      results.push({
        ruleId: id,
        level: "error",
        message: { text: `${platform.platform}: ${change.title} went from ${change.from} to ${change.to ?? "removed"} (${change.fromPoints ?? 0} → ${change.toPoints ?? 0} points).` },
        locations: location,
        partialFingerprints: { shipshapeFinding: fingerprint(report.after.input, platform.platform, change.id) },
      });
    }
    for (const change of platform.vulnerabilities.introduced) {
      rules.set(change.vulnerabilityId, { id: change.vulnerabilityId, shortDescription: { text: `${change.vulnerabilityId} in ${change.packageName}` } });
      results.push({
        ruleId: change.vulnerabilityId,
        level: levelForSeverity(change.severity),
        message: { text: `${platform.platform}: introduced ${describeVulnerability(change)}.` },
        locations: location,
        partialFingerprints: { shipshapeFinding: fingerprint(report.after.input, platform.platform, change.vulnerabilityId, change.packageName) },
      });
    }
  }
  const ruleList = [...rules.values()];
  for (const result of results) result.ruleIndex = ruleList.findIndex((rule) => rule.id === result.ruleId);
  const log = { $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs: [{ tool: { driver: { name: "shipshape", rules: ruleList } }, results }] };
  return `${JSON.stringify(log, null, 2)}\n`;
}
