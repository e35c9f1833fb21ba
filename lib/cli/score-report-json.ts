import type { GateResult } from "@/lib/cli/gate";
import type { ImageScore, PlatformScore } from "@/lib/cli/score-image-input";
import packageJson from "@/package.json";
import { engineVersion, type Evidence, type Grade, type PolicyId, type PolicyStatus } from "@/scoring";

/** Version of the JSON report's shape, described by docs/cli/score-report.schema.json; raised when a field changes meaning or is removed. */
export const SCORE_REPORT_SCHEMA_VERSION = 1;

export interface JsonVulnerability {
  id: string;
  aliases: string[];
  packageType: string;
  packageName: string;
  packageVersion: string;
  purl: string;
  severity: string;
  cvssScore: number | null;
  fixedVersion: string | null;
  knownExploited: boolean;
  suppressed: { by: "exception" | "vex"; reason: string } | null;
}

export interface JsonPlatform {
  digest: string;
  platform: string;
  grade: Grade | null;
  earned: number;
  possible: number;
  percent: number | null;
  os: string | null;
  analysis: { status: string; reason: string | null; advisoriesImported: boolean };
  policies: { id: PolicyId; title: string; status: PolicyStatus; weight: number; points: number; summary: string; evidence: Evidence[]; remediation: string | null }[];
  fixes: { policyId: PolicyId; title: string; points: number; remediation: string | null; gradeIfFixed: Grade; percentIfFixed: number }[];
  vulnerabilities: JsonVulnerability[];
  packages: { type: string; name: string; version: string; purl: string; license: string | null }[];
}

export interface JsonScoreReport {
  schemaVersion: typeof SCORE_REPORT_SCHEMA_VERSION;
  tool: { name: "shipshape"; version: string; engineVersion: string };
  image: { input: string; digest: string };
  grade: Grade | null;
  policyConfigVersion: number;
  advisorySnapshot: string | null;
  platforms: JsonPlatform[];
  gate: GateResult;
}

/** Builds the `--format json` document: plain data, stable field names, every platform in manifest order. */
export function toJsonScoreReport(score: ImageScore, gate: GateResult): JsonScoreReport {
  return {
    schemaVersion: SCORE_REPORT_SCHEMA_VERSION,
    tool: { name: "shipshape", version: packageJson.version, engineVersion },
    image: { input: score.input, digest: score.digest },
    grade: score.grade,
    policyConfigVersion: score.policyConfigVersion,
    advisorySnapshot: score.advisorySnapshot,
    platforms: score.platforms.map(toJsonPlatform),
    gate,
  };
}

function toJsonPlatform({ report, facts, fixes }: PlatformScore): JsonPlatform {
  const analysis = facts.analysis;
  const analysed = analysis?.status === "analysed" ? analysis : null;
  return {
    digest: report.digest,
    platform: report.platform,
    grade: report.grade,
    earned: report.earned,
    possible: report.possible,
    percent: report.percent,
    os: analysed?.os?.prettyName ?? analysed?.os?.ecosystem ?? null,
    analysis: {
      status: analysis?.status ?? "pending",
      reason: analysis && analysis.status !== "analysed" ? analysis.reason : null,
      advisoriesImported: analysed?.advisoriesImported ?? false,
    },
    policies: report.results.map(({ id, title, status, weight, points, summary, evidence, remediation }) => ({ id, title, status, weight, points, summary, evidence, remediation })),
    fixes: fixes.map(({ policyId, title, points, remediation, gradeIfFixed, percentIfFixed }) => ({ policyId, title, points, remediation, gradeIfFixed, percentIfFixed })),
    vulnerabilities: (analysed?.findings ?? []).map((finding) => ({
      id: finding.vulnerabilityId,
      aliases: finding.aliases,
      packageType: finding.packageType,
      packageName: finding.packageName,
      packageVersion: finding.packageVersion,
      purl: finding.purl,
      severity: finding.severity.level,
      cvssScore: finding.severity.score,
      fixedVersion: finding.fixedVersion,
      knownExploited: finding.knownExploited,
      suppressed: finding.suppressed === null ? null : { by: finding.suppressed.by, reason: finding.suppressed.reason },
    })),
    packages: (analysed?.packages ?? []).map(({ type, name, version, purl, license }) => ({ type, name, version, purl, license })),
  };
}
