import { diffFindings, diffPackages, diffPolicies, type PackageDiff, type PolicyChange, type VulnerabilityDiff } from "@/lib/data/compare-images";
import type { JsonPlatform, JsonScoreReport } from "@/lib/cli/score-report-json";
import { type Grade, gradeRank } from "@/scoring";

/** Version of the `compare --format json` shape, described by docs/cli/compare-report.schema.json. */
export const COMPARE_REPORT_SCHEMA_VERSION = 1;

/** The changes between the same platform of two images. */
export interface PlatformComparison {
  platform: string;
  before: { digest: string; grade: Grade | null; percent: number | null };
  after: { digest: string; grade: Grade | null; percent: number | null };
  /** Only the policies whose status or points changed. */
  policies: PolicyChange[];
  packages: PackageDiff;
  vulnerabilities: VulnerabilityDiff;
}

export interface JsonCompareReport {
  schemaVersion: typeof COMPARE_REPORT_SCHEMA_VERSION;
  before: { input: string; digest: string; grade: Grade | null };
  after: { input: string; digest: string; grade: Grade | null };
  platforms: PlatformComparison[];
  /** Platforms that only one of the images has. */
  onlyBefore: string[];
  onlyAfter: string[];
  /** True when the grade got worse, or a policy lost points on a platform both images have. */
  regression: boolean;
  reasons: string[];
}

/**
 * Compares two scored images platform by platform with the dashboard's diff
 * functions: policies, packages by type and name, and unsuppressed
 * vulnerabilities by id and package. A regression is a worse grade or a
 * policy that earns fewer points; a new vulnerability counts only through the
 * policies it fails.
 */
export function compareScores(before: JsonScoreReport, after: JsonScoreReport): JsonCompareReport {
  const platforms: PlatformComparison[] = [];
  const reasons: string[] = [];
  if (before.grade !== null && after.grade !== null && gradeRank(after.grade) > gradeRank(before.grade)) {
    reasons.push(`The grade dropped from ${before.grade} to ${after.grade}.`);
  }

  for (const old of before.platforms) {
    const next = after.platforms.find((candidate) => candidate.platform === old.platform);
    if (!next) continue;
    const policies = diffPolicies(old.policies, next.policies).filter((change) => change.from !== change.to || change.fromPoints !== change.toPoints);
    for (const change of policies) {
      if ((change.toPoints ?? 0) < (change.fromPoints ?? 0)) reasons.push(`${old.platform}: ${change.title} went from ${change.from} to ${change.to ?? "removed"}.`);
    }
    platforms.push({
      platform: old.platform,
      before: side(old),
      after: side(next),
      policies,
      packages: diffPackages(old.packages, next.packages),
      vulnerabilities: diffFindings(findingsOf(old), findingsOf(next)),
    });
  }

  const afterNames = new Set(after.platforms.map((platform) => platform.platform));
  const beforeNames = new Set(before.platforms.map((platform) => platform.platform));
  return {
    schemaVersion: COMPARE_REPORT_SCHEMA_VERSION,
    before: { input: before.image.input, digest: before.image.digest, grade: before.grade },
    after: { input: after.image.input, digest: after.image.digest, grade: after.grade },
    platforms,
    onlyBefore: [...beforeNames].filter((name) => !afterNames.has(name)),
    onlyAfter: [...afterNames].filter((name) => !beforeNames.has(name)),
    regression: reasons.length > 0,
    reasons,
  };
}

function side(platform: JsonPlatform) {
  return { digest: platform.digest, grade: platform.grade, percent: platform.percent };
}

/** Converts the JSON report's vulnerabilities to the stored findings' field names, which the dashboard's diff reads. */
function findingsOf(platform: JsonPlatform) {
  return platform.vulnerabilities.map((vulnerability) => ({
    vulnerabilityId: vulnerability.id,
    packageType: vulnerability.packageType,
    packageName: vulnerability.packageName,
    packageVersion: vulnerability.packageVersion,
    fixedVersion: vulnerability.fixedVersion,
    severity: { level: vulnerability.severity },
    suppressed: vulnerability.suppressed,
  }));
}
