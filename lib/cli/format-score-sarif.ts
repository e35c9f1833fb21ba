import { createHash } from "node:crypto";
import type { JsonScoreReport, JsonVulnerability } from "@/lib/cli/score-report-json";
import { policies, type PolicyId } from "@/scoring";

/** The SARIF 2.1.0 schema address that GitHub code scanning documents for `$schema`. */
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

export interface SarifOptions {
  /** The file results point at, relative to the repository root; code scanning requires a location. Default "Dockerfile". */
  artifactUri: string;
}

type SarifLevel = "error" | "warning" | "note";

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: Record<string, unknown>;
}

/**
 * Builds a SARIF 2.1.0 log with one run: a result per failing policy and per
 * vulnerability finding of every platform. Suppressed findings carry a SARIF
 * suppression, so code scanning shows them as dismissed. Vulnerability rules carry
 * `security-severity` (the CVSS base score), which GitHub uses to rank alerts.
 */
export function formatScoreSarif(report: JsonScoreReport, options: SarifOptions): string {
  const rules = new Map<string, SarifRule>();
  const results: unknown[] = [];
  const location = [{ physicalLocation: { artifactLocation: { uri: options.artifactUri }, region: { startLine: 1 } } }];

  for (const platform of report.platforms) {
    for (const policy of platform.policies) {
      if (policy.status !== "fail") continue;
      const rule = policyRule(policy.id);
      rules.set(rule.id, rule);
      const evidence = policy.evidence.map((item) => `${item.label}: ${item.value}`).join("; ");
      results.push({
        ruleId: rule.id,
        level: "error",
        message: { text: `${platform.platform}: ${policy.summary}${evidence ? ` (${evidence})` : ""}${policy.remediation ? ` Fix: ${policy.remediation}` : ""}` },
        locations: location,
        partialFingerprints: { shipshapeFinding: fingerprint(report.image.input, platform.platform, policy.id) },
        properties: { imageDigest: platform.digest, platform: platform.platform, points: policy.weight },
      });
    }
    for (const vulnerability of platform.vulnerabilities) {
      const rule = vulnerabilityRule(vulnerability);
      if (!rules.has(rule.id)) rules.set(rule.id, rule);
      const fix = vulnerability.fixedVersion ? `Upgrade to ${vulnerability.fixedVersion} or later.` : "No fixed version is known yet.";
      results.push({
        ruleId: rule.id,
        level: levelForSeverity(vulnerability.severity),
        message: { text: `${platform.platform}: ${vulnerability.packageName} ${vulnerability.packageVersion} (${vulnerability.purl}) is affected by ${vulnerability.id}, severity ${vulnerability.severity}. ${fix}` },
        locations: location,
        partialFingerprints: { shipshapeFinding: fingerprint(report.image.input, platform.platform, vulnerability.id, vulnerability.purl) },
        properties: { imageDigest: platform.digest, platform: platform.platform, purl: vulnerability.purl, knownExploited: vulnerability.knownExploited },
        ...(vulnerability.suppressed ? { suppressions: [{ kind: "external", justification: `${vulnerability.suppressed.by}: ${vulnerability.suppressed.reason}` }] } : {}),
      });
    }
  }

  const ruleList = [...rules.values()];
  const ruleIndex = new Map(ruleList.map((rule, index) => [rule.id, index]));
  for (const result of results as { ruleId: string; ruleIndex?: number }[]) result.ruleIndex = ruleIndex.get(result.ruleId);

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "shipshape", version: report.tool.version, semanticVersion: report.tool.version, rules: ruleList } },
        automationDetails: { id: `shipshape/${report.image.input}/` },
        results,
        properties: { grade: report.grade, imageDigest: report.image.digest, engineVersion: report.tool.engineVersion },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function policyRule(id: PolicyId): SarifRule {
  const policy = policies[id];
  return {
    id: `shipshape/${id}`,
    name: id.replace(/(^|-)([a-z0-9])/g, (_match, _dash, letter: string) => letter.toUpperCase()),
    shortDescription: { text: policy.title },
    fullDescription: { text: policy.description },
    help: { text: policy.description },
    defaultConfiguration: { level: "error" },
    properties: { tags: ["container", "policy"] },
  };
}

function vulnerabilityRule(vulnerability: JsonVulnerability): SarifRule {
  const aliases = vulnerability.aliases.length > 0 ? ` (also ${vulnerability.aliases.join(", ")})` : "";
  return {
    id: vulnerability.id,
    name: "Vulnerability",
    shortDescription: { text: `${vulnerability.id}: ${vulnerability.severity} vulnerability in ${vulnerability.packageName}` },
    fullDescription: { text: `${vulnerability.id}${aliases} affects ${vulnerability.packageName} ${vulnerability.packageVersion}.` },
    help: { text: vulnerability.fixedVersion ? `Upgrade ${vulnerability.packageName} to ${vulnerability.fixedVersion} or later.` : `No fixed version of ${vulnerability.packageName} is known yet.` },
    defaultConfiguration: { level: levelForSeverity(vulnerability.severity) },
    properties: {
      tags: ["security", "vulnerability", "container"],
      ...(vulnerability.cvssScore === null ? {} : { "security-severity": vulnerability.cvssScore.toFixed(1) }),
    },
  };
}

/** Maps a severity to a SARIF level: error for critical and high, warning for medium, note below. */
export function levelForSeverity(severity: string): SarifLevel {
  if (severity === "critical" || severity === "high") return "error";
  if (severity === "medium") return "warning";
  return "note";
}

/** Derives a stable id for one finding, so code scanning matches it across runs. */
export function fingerprint(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}
