import type { JsonPlatform, JsonScoreReport } from "@/lib/cli/score-report-json";
import { badgeColor, type Grade, type PolicyStatus } from "@/scoring";

/** ANSI colour codes; an identity when colours are off. */
export type Paint = (colour: "green" | "yellow" | "red" | "grey" | "bold", text: string) => string;

const codes = { green: 32, yellow: 33, red: 31, grey: 90, bold: 1 } as const;

/** Colours only on a terminal, and never when NO_COLOR is set to anything but the empty string (no-color.org). */
export function createPaint(options: { isTerminal: boolean; environment: Readonly<Record<string, string | undefined>> }): Paint {
  const noColor = options.environment.NO_COLOR;
  if (!options.isTerminal || (noColor !== undefined && noColor !== "")) return (_colour, text) => text;
  return (colour, text) => `\u001b[${codes[colour]}m${text}\u001b[0m`;
}

/** Vulnerabilities listed per platform in text and markdown; the JSON and SARIF outputs list all. */
export const MAX_LISTED_VULNERABILITIES = 20;

const statusWords: Record<PolicyStatus, string> = { pass: "PASS", fail: "FAIL", "no-data": "NO DATA" };

export function paintGrade(paint: Paint, grade: Grade | null): string {
  const colour = badgeColor(grade);
  const text = grade ?? "not graded";
  if (colour === "green") return paint("green", text);
  if (colour === "grey") return paint("grey", text);
  return paint(colour === "yellow" ? "yellow" : "red", text);
}

/** Formats a percent with one decimal, as the dashboard shows the score: "83.3 %". */
export function formatPercent(percent: number | null): string {
  return percent === null ? "n/a" : `${(Math.floor(percent * 10) / 10).toFixed(1)} %`;
}

/** Renders the human-readable report: the grade, each platform's arithmetic, policies with evidence, fixes and vulnerabilities. */
export function formatScoreText(report: JsonScoreReport, paint: Paint): string {
  const lines = [`${paint("bold", report.image.input)}  ${report.image.digest}`, `Grade ${paintGrade(paint, report.grade)}${report.platforms.length > 1 ? " (the worst platform's)" : ""}`, ""];
  for (const platform of report.platforms) lines.push(...platformText(platform, paint), "");
  if (report.gate.reasons.length > 0) lines.push(...report.gate.reasons.map((reason) => paint("red", `Gate failed: ${reason}`)));
  return `${lines.join("\n").trimEnd()}\n`;
}

function platformText(platform: JsonPlatform, paint: Paint): string[] {
  const lines = [
    `${paint("bold", platform.platform)}  ${platform.digest}${platform.os ? `  ${platform.os}` : ""}`,
    `  Score: ${platform.earned} of ${platform.possible} points = ${formatPercent(platform.percent)}, grade ${paintGrade(paint, platform.grade)}`,
  ];
  if (!platform.analysis.advisoriesImported) {
    lines.push(paint("yellow", "  No advisories were loaded, so the vulnerability policies have no data. Import some with `shipshape advisories import --store DIR SOURCE` and pass --advisories DIR."));
  }
  lines.push("", "  Policies:");
  for (const policy of platform.policies) {
    const status = statusWords[policy.status];
    const painted = policy.status === "pass" ? paint("green", status) : paint(policy.status === "fail" ? "red" : "yellow", status);
    lines.push(`    ${painted}${" ".repeat(8 - status.length)}${policy.title} (${policy.points}/${policy.weight}): ${policy.summary}`);
    for (const evidence of policy.evidence) lines.push(`              ${evidence.label}: ${evidence.value}`);
  }
  if (platform.fixes.length > 0) {
    lines.push("", "  Fixes, most points first:");
    for (const fix of platform.fixes) {
      lines.push(`    +${fix.points} points (grade ${fix.gradeIfFixed} with this fix alone): ${fix.title}`);
      for (const line of (fix.remediation ?? "No fix is known yet.").split("\n")) lines.push(`      ${line}`);
    }
  }
  const open = platform.vulnerabilities.filter((vulnerability) => vulnerability.suppressed === null);
  lines.push("", `  Vulnerabilities: ${open.length}${open.length > 0 ? ` (${severityCounts(open)})` : ""}, packages: ${platform.packages.length}`);
  for (const vulnerability of open.slice(0, MAX_LISTED_VULNERABILITIES)) {
    const fix = vulnerability.fixedVersion ? `fixed in ${vulnerability.fixedVersion}` : "no fix yet";
    lines.push(`    ${vulnerability.id} ${vulnerability.severity}${vulnerability.knownExploited ? ", known exploited" : ""}: ${vulnerability.packageName} ${vulnerability.packageVersion}, ${fix}`);
  }
  if (open.length > MAX_LISTED_VULNERABILITIES) lines.push(`    … and ${open.length - MAX_LISTED_VULNERABILITIES} more; --format json lists all.`);
  return lines;
}

/** Counts by severity, worst first: "1 critical, 2 high". */
export function severityCounts(vulnerabilities: readonly { severity: string }[]): string {
  const order = ["critical", "high", "medium", "low", "none", "unspecified"];
  const counts = new Map<string, number>();
  for (const { severity } of vulnerabilities) counts.set(severity, (counts.get(severity) ?? 0) + 1);
  return order.filter((level) => counts.has(level)).map((level) => `${counts.get(level)} ${level}`).join(", ");
}
