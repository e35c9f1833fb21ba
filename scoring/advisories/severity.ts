/**
 * The severity of one finding, from the records merged into it. A distribution's own
 * rating wins for that distribution's packages, and GitHub's rating for language
 * packages. Otherwise the highest CVSS version present gives the base score, so a
 * CVSS v4 vector wins over v3.x and v3.x over v2.
 */
import cvssCalculator from "ae-cvss-calculator";
import type { OsvAffected, OsvRecord, OsvSeverity } from "@/scoring/advisories/osv-record";
import { ecosystemBase } from "@/scoring/advisories/package-names";

/** "none" is a CVSS base score of 0.0, and "unspecified" means no record rates the vulnerability. */
export type SeverityLevel = "critical" | "high" | "medium" | "low" | "none" | "unspecified";

/** The origin of a severity: the record, the OSV field and the value read there. */
export interface SeveritySource {
  recordId: string;
  /** OSV path of the value: "affected[].ecosystem_specific.urgency", "severity[CVSS_V3]" … */
  field: string;
  /** The rating or CVSS vector as written in the record. */
  value: string;
}

export interface Severity {
  level: SeverityLevel;
  /** The CVSS base score, 0.0 to 10.0. Null when the level comes from a rating. */
  score: number | null;
  /** Null when the level is "unspecified". */
  source: SeveritySource | null;
}

/** One record merged into a finding, with its affected entries for the package. */
export interface RatedRecord {
  record: OsvRecord;
  affected: readonly OsvAffected[];
}

export const cvssSeverityTypes = ["CVSS_V4", "CVSS_V3", "CVSS_V2"] as const;
export type CvssSeverityType = (typeof cvssSeverityTypes)[number];

// The package is a CommonJS bundle whose exports Node's ES module loader cannot name, so
// a named import fails under tsx (the CLI and the worker). The default import works everywhere.
const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculator;

const unspecified: Severity = { level: "unspecified", score: null, source: null };

/** Rank of each level, higher when more severe, for picking the worst of several ratings. */
const levelRank: Record<SeverityLevel, number> = { critical: 5, high: 4, medium: 3, low: 2, none: 1, unspecified: 0 };

/**
 * Debian security tracker urgencies and Ubuntu priorities. Debian's "unimportant" and
 * Ubuntu's "negligible" rate issues that barely affect the packaged software, so they
 * count as low. Values that are not ratings ("not yet assigned", "untriaged",
 * "end-of-life") are absent, so the CVSS score decides instead.
 */
const distributionRatings: Record<string, SeverityLevel> = {
  unimportant: "low",
  negligible: "low",
  low: "low",
  medium: "medium",
  high: "high",
  critical: "critical",
};

/** The GitHub Advisory Database's severities, found in a GHSA record's `database_specific.severity`. */
const githubRatings: Record<string, SeverityLevel> = {
  low: "low",
  moderate: "medium",
  high: "high",
  critical: "critical",
};

/** Distributions whose records carry their own rating. Alpine's records carry none. */
const ratedDistributions = new Set(["Debian", "Ubuntu"]);

/** Rates a finding for a package of the given OSV ecosystem from the records merged into it. */
export function severityFor(ecosystem: string, rated: readonly RatedRecord[]): Severity {
  const ownRatings = ratedDistributions.has(ecosystemBase(ecosystem))
    ? rated.flatMap(distributionRatingsOf)
    : rated.flatMap(githubRatingsOf);
  const worstRating = worst(ownRatings);
  if (worstRating !== null) return worstRating;

  return cvssSeverityOf(rated) ?? unspecified;
}

/** Maps a CVSS base score to its qualitative level (CVSS v3.1 and v4.0 specifications, "Qualitative Severity Rating Scale"). */
export function levelForScore(score: number): SeverityLevel {
  if (score >= 9.0) return "critical";
  if (score >= 7.0) return "high";
  if (score >= 4.0) return "medium";
  if (score > 0.0) return "low";
  return "none";
}

/**
 * Computes the base score of a CVSS vector of the given OSV severity type. Returns null
 * when the vector is invalid, incomplete, or of another CVSS version than the type names.
 */
export function cvssBaseScore(type: CvssSeverityType, vector: string): number | null {
  try {
    switch (type) {
      case "CVSS_V4": {
        if (!vector.startsWith("CVSS:4.0/")) return null;
        const cvss = new Cvss4P0(vector);
        return cvss.isBaseFullyDefined() ? (cvss.calculateScores().baseMetricsOnly ?? null) : null;
      }
      case "CVSS_V3": {
        let cvss: InstanceType<typeof Cvss3P0> | InstanceType<typeof Cvss3P1>;
        if (vector.startsWith("CVSS:3.1/")) cvss = new Cvss3P1(vector);
        else if (vector.startsWith("CVSS:3.0/")) cvss = new Cvss3P0(vector);
        else return null;
        return cvss.isBaseFullyDefined() ? (cvss.calculateScores().base ?? null) : null;
      }
      case "CVSS_V2": {
        if (vector.startsWith("CVSS:")) return null;
        const cvss = new Cvss2(vector);
        return cvss.isBaseFullyDefined() ? (cvss.calculateScores().base ?? null) : null;
      }
    }
  } catch {
    // The calculator throws on unknown metrics and values, which make the vector invalid.
    return null;
  }
}

function isCvssSeverityType(type: string): type is CvssSeverityType {
  return (cvssSeverityTypes as readonly string[]).includes(type);
}

function stringAt(object: Record<string, unknown> | undefined, key: string): string | null {
  const value = object?.[key];
  return typeof value === "string" ? value : null;
}

function rating(table: Record<string, SeverityLevel>, recordId: string, field: string, value: string | null): Severity[] {
  if (value === null) return [];
  const level = table[value.trim().toLowerCase()];
  return level === undefined ? [] : [{ level, score: null, source: { recordId, field, value } }];
}

function distributionRatingsOf({ record, affected }: RatedRecord): Severity[] {
  const ratings: Severity[] = [];
  for (const entry of affected) {
    ratings.push(...rating(distributionRatings, record.id, "affected[].ecosystem_specific.urgency", stringAt(entry.ecosystem_specific, "urgency")));
    ratings.push(...rating(distributionRatings, record.id, "affected[].database_specific.severity", stringAt(entry.database_specific, "severity")));
    ratings.push(...ubuntuPriorities(record.id, "affected[].severity[Ubuntu]", entry.severity));
  }
  ratings.push(...rating(distributionRatings, record.id, "database_specific.severity", stringAt(record.database_specific, "severity")));
  ratings.push(...ubuntuPriorities(record.id, "severity[Ubuntu]", record.severity));
  return ratings;
}

function ubuntuPriorities(recordId: string, field: string, severities: readonly OsvSeverity[]): Severity[] {
  return severities.filter((entry) => entry.type === "Ubuntu").flatMap((entry) => rating(distributionRatings, recordId, field, entry.score));
}

function githubRatingsOf({ record }: RatedRecord): Severity[] {
  if (!record.id.startsWith("GHSA-")) return [];
  return rating(githubRatings, record.id, "database_specific.severity", stringAt(record.database_specific, "severity"));
}

function worst(severities: readonly Severity[]): Severity | null {
  let worstSeverity: Severity | null = null;
  for (const severity of severities) {
    if (worstSeverity === null || levelRank[severity.level] > levelRank[worstSeverity.level]) worstSeverity = severity;
  }
  return worstSeverity;
}

/**
 * Returns the highest base score among the vectors of the newest CVSS version that any
 * record gives, or null without a valid vector. Invalid vectors are skipped.
 */
function cvssSeverityOf(rated: readonly RatedRecord[]): Severity | null {
  const scored: Array<{ type: CvssSeverityType; score: number; source: SeveritySource }> = [];
  for (const { record, affected } of rated) {
    const located = [
      ...affected.flatMap((entry) => entry.severity.map((severity) => ({ severity, field: `affected[].severity[${severity.type}]` }))),
      ...record.severity.map((severity) => ({ severity, field: `severity[${severity.type}]` })),
    ];
    for (const { severity, field } of located) {
      if (!isCvssSeverityType(severity.type)) continue;
      const score = cvssBaseScore(severity.type, severity.score);
      if (score === null) continue;
      scored.push({ type: severity.type, score, source: { recordId: record.id, field, value: severity.score } });
    }
  }

  for (const type of cvssSeverityTypes) {
    let best: (typeof scored)[number] | null = null;
    for (const candidate of scored) {
      if (candidate.type === type && (best === null || candidate.score > best.score)) best = candidate;
    }
    if (best !== null) return { level: levelForScore(best.score), score: best.score, source: best.source };
  }
  return null;
}
