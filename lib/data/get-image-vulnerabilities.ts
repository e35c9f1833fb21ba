import { z } from "zod";

import type { Viewer } from "@/lib/auth/get-viewer";
import { getImageAnalysis, MAX_SEARCH_LENGTH, type ImageAnalysisSummary } from "@/lib/data/get-image-analysis";
import { getPrisma } from "@/lib/db";
import { severityLevels, type VulnerabilityFinding } from "@/scoring";
import type { SeverityLevel } from "@/scoring/advisories/severity";

/** Findings per page of the vulnerability table. */
export const VULNERABILITIES_PER_PAGE = 100;

export const vulnerabilitySorts = ["severity", "package", "published"] as const;
export type VulnerabilitySort = (typeof vulnerabilitySorts)[number];

export interface VulnerabilityQuery {
  /** Severity levels to list. Absent lists every level. */
  severities?: SeverityLevel[];
  /** List only findings whose advisories name a fixed version. */
  fixableOnly?: boolean;
  /** Leave suppressed findings out. By default they are listed and marked. */
  hideSuppressed?: boolean;
  /** Text matched, ignoring case, anywhere in the vulnerability id, its aliases, its record ids or the package name. */
  search?: string;
  /**
   * Default "severity": worst level first, then the highest CVSS score. "package"
   * sorts by package name and version, "published" puts the newest advisory first.
   * Every sort ends with the package URL and the vulnerability id, so pages are stable.
   */
  sort?: VulnerabilitySort;
  /** Page number from 1. A page past the last one gives the last one. */
  page?: number;
}

export type SeverityCounts = Record<SeverityLevel, number>;

/** Counts over every finding of the report, whatever the filters. */
export interface VulnerabilityCounts {
  /** Findings that no exception or VEX statement suppresses, by severity level. */
  bySeverity: SeverityCounts;
  /** Findings that no exception or VEX statement suppresses. */
  unsuppressed: number;
  /** Unsuppressed findings with a fixed version. */
  fixable: number;
  suppressed: number;
}

export interface AdvisorySnapshotSummary {
  id: string;
  /** "osv" or "kev". Null when the snapshot row no longer exists. */
  kind: string | null;
  /** When the import finished. Null when the row no longer exists or the import did not finish. */
  importedAt: Date | null;
}

export interface GradingSummary {
  gradedAt: Date;
  /** Why the report was made: "analysis", "advisory update", "policy change" … Null for reports that did not record it. */
  cause: string | null;
  /** The ids the cause names, such as the advisories of an advisory update. */
  causeIds: string[];
  /** The newest advisory import when the image was graded. Null when nothing had been imported. */
  advisorySnapshot: AdvisorySnapshotSummary | null;
}

export interface VulnerabilityRow extends VulnerabilityFinding {
  /** Unique within the report, for React keys and anchors. */
  key: string;
}

export interface VulnerabilityPage {
  rows: VulnerabilityRow[];
  /** Findings that match the filters. */
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

export interface ImageVulnerabilitiesView {
  image: { digest: string; platform: string };
  analysis: ImageAnalysisSummary;
  /** The latest score report of the image. Null before the image is first graded. */
  grading: GradingSummary | null;
  /** The newest finished OSV import. Null when no OSV advisory has been imported. */
  latestOsvImport: AdvisorySnapshotSummary | null;
  counts: VulnerabilityCounts;
  /** Findings stored in a form this page cannot read. They are left out of the counts and the table. */
  unreadableFindings: number;
  /** Null unless the caller asked for findings. */
  vulnerabilities: VulnerabilityPage | null;
}

/**
 * Loads the vulnerability findings of one platform image of a tag from its
 * latest score report, with counts by severity and, with `vulnerabilities`,
 * one filtered and sorted page of them. The access check and its errors are
 * getImageAnalysis's: NOT_FOUND, before any image query, when the viewer may
 * not read the repository or the tag does not exist, and INVALID_INPUT when
 * the digest is not one of the tag's platform images.
 */
export async function getImageVulnerabilities(
  viewer: Viewer,
  organizationName: string,
  repositoryName: string,
  tagName: string,
  imageDigest: string,
  options: { vulnerabilities?: VulnerabilityQuery } = {},
): Promise<ImageVulnerabilitiesView> {
  const { image, analysis } = await getImageAnalysis(viewer, organizationName, repositoryName, tagName, imageDigest);
  const prisma = getPrisma();

  const [report, latestOsv] = await Promise.all([
    prisma.scoreReport.findFirst({
      where: { imageDigest: image.digest },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true, cause: true, causeIds: true, advisorySnapshot: true, findings: true },
    }),
    prisma.advisorySnapshot.findFirst({ where: { kind: "osv", finishedAt: { not: null } }, orderBy: { finishedAt: "desc" }, select: { id: true, kind: true, finishedAt: true } }),
  ]);

  let grading: GradingSummary | null = null;
  if (report !== null) {
    grading = { gradedAt: report.createdAt, cause: report.cause, causeIds: report.causeIds, advisorySnapshot: await findSnapshot(report.advisorySnapshot) };
  }
  const { findings, unreadable } = readFindings(report?.findings ?? []);

  return {
    image,
    analysis,
    grading,
    latestOsvImport: latestOsv === null ? null : { id: latestOsv.id, kind: latestOsv.kind, importedAt: latestOsv.finishedAt },
    counts: countFindings(findings),
    unreadableFindings: unreadable,
    vulnerabilities: options.vulnerabilities ? pageOfFindings(findings, options.vulnerabilities) : null,
  };
}

/**
 * Reads the vulnerability filters from page search parameters. Values that are
 * not valid are left out of the query, each with a message saying why, so a
 * mistyped shared link still shows the findings. The parameter names differ
 * from the package filters' so both tables can be filtered in one URL.
 */
export function parseVulnerabilityQuery(params: Record<string, string | string[] | undefined>): { query: VulnerabilityQuery; problems: string[] } {
  const query: VulnerabilityQuery = {};
  const problems: string[] = [];
  const first = (name: string): string | undefined => {
    const value = params[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text === undefined || text.trim() === "" ? undefined : text.trim();
  };

  // The form sends one `severity` per ticked box. A hand-written link may also separate levels with commas.
  const severityValues = [params.severity ?? []].flat().flatMap((value) => value.split(","));
  const severities = new Set<SeverityLevel>();
  for (const raw of severityValues) {
    const value = raw.trim().toLowerCase();
    if (value === "") continue;
    if (isSeverityLevel(value)) severities.add(value);
    else problems.push(`Ignored the severity "${raw.trim()}": use one of ${severityLevels.join(", ")}.`);
  }
  if (severities.size > 0) query.severities = severityLevels.filter((level) => severities.has(level));

  const fixable = first("fixable");
  if (fixable !== undefined) {
    if (fixable === "1" || fixable === "true") query.fixableOnly = true;
    else if (fixable !== "0" && fixable !== "false") problems.push(`Ignored fixable="${fixable}": use 1 to list only fixable vulnerabilities.`);
  }

  const suppressed = first("suppressed");
  if (suppressed !== undefined) {
    if (suppressed === "hide") query.hideSuppressed = true;
    else if (suppressed !== "show") problems.push(`Ignored suppressed="${suppressed}": use hide or show.`);
  }

  const search = first("vq");
  if (search !== undefined) {
    if (search.length <= MAX_SEARCH_LENGTH) query.search = search;
    else problems.push(`Ignored the vulnerability search: it is longer than ${MAX_SEARCH_LENGTH} characters.`);
  }

  const sort = first("vsort");
  if (sort !== undefined) {
    if ((vulnerabilitySorts as readonly string[]).includes(sort)) query.sort = sort as VulnerabilitySort;
    else problems.push(`Ignored the vulnerability sort "${sort}": use one of ${vulnerabilitySorts.join(", ")}.`);
  }

  const page = first("vpage");
  if (page !== undefined) {
    if (/^[1-9][0-9]{0,8}$/.test(page)) query.page = Number(page);
    else problems.push(`Ignored the vulnerability page "${page}": give a page number from 1.`);
  }

  return { query, problems };
}

/** Rank of each level, higher when more severe. */
const severityRank: Record<SeverityLevel, number> = { critical: 5, high: 4, medium: 3, low: 2, none: 1, unspecified: 0 };

function isSeverityLevel(value: string): value is SeverityLevel {
  return (severityLevels as readonly string[]).includes(value);
}

async function findSnapshot(id: string | null): Promise<AdvisorySnapshotSummary | null> {
  if (id === null) return null;
  const row = await getPrisma().advisorySnapshot.findUnique({ where: { id }, select: { kind: true, finishedAt: true } });
  return { id, kind: row?.kind ?? null, importedAt: row?.finishedAt ?? null };
}

const findingSchema = z.object({
  purl: z.string(),
  vulnerabilityId: z.string(),
  recordIds: z.array(z.string()).default([]),
  aliases: z.array(z.string()).default([]),
  fixedVersion: z.string().nullable(),
  severity: z.object({
    level: z.enum(severityLevels),
    score: z.number().nullable(),
    source: z.object({ recordId: z.string(), field: z.string(), value: z.string() }).nullable(),
  }),
  packageType: z.string(),
  packageName: z.string(),
  packageVersion: z.string(),
  published: z.string().nullable().default(null),
  knownExploited: z.boolean().default(false),
  suppressed: z
    .object({ by: z.enum(["exception", "vex"]), reason: z.string(), expiresAt: z.string().nullable() })
    .nullable()
    .default(null),
});

/** Reads the findings column. Entries of another shape are counted, so the page can report how many it leaves out. */
export function readFindings(value: unknown): { findings: VulnerabilityRow[]; unreadable: number } {
  if (!Array.isArray(value)) return { findings: [], unreadable: 0 };
  const findings: VulnerabilityRow[] = [];
  let unreadable = 0;
  value.forEach((entry, index) => {
    const parsed = findingSchema.safeParse(entry);
    if (!parsed.success) {
      unreadable += 1;
      return;
    }
    // The index keeps keys unique when two installed copies of a package share a package URL.
    findings.push({ ...parsed.data, key: `${parsed.data.purl} ${parsed.data.vulnerabilityId} ${index}` });
  });
  return { findings, unreadable };
}

function countFindings(findings: readonly VulnerabilityFinding[]): VulnerabilityCounts {
  const bySeverity: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, none: 0, unspecified: 0 };
  const counts: VulnerabilityCounts = { bySeverity, unsuppressed: 0, fixable: 0, suppressed: 0 };
  for (const finding of findings) {
    if (finding.suppressed !== null) {
      counts.suppressed += 1;
      continue;
    }
    bySeverity[finding.severity.level] += 1;
    counts.unsuppressed += 1;
    if (finding.fixedVersion !== null) counts.fixable += 1;
  }
  return counts;
}

/**
 * Filters, sorts and pages the findings of one report. The report stores them
 * as one JSON value, so this runs in memory after the report is read, and
 * only the requested page leaves the server.
 */
function pageOfFindings(findings: readonly VulnerabilityRow[], query: VulnerabilityQuery): VulnerabilityPage {
  const levels = query.severities && query.severities.length > 0 ? new Set(query.severities) : null;
  const needle = query.search?.toLowerCase();
  const matching = findings.filter((finding) => {
    if (levels !== null && !levels.has(finding.severity.level)) return false;
    if (query.fixableOnly && finding.fixedVersion === null) return false;
    if (query.hideSuppressed && finding.suppressed !== null) return false;
    if (needle !== undefined) {
      const names = [finding.vulnerabilityId, ...finding.aliases, ...finding.recordIds, finding.packageName];
      if (!names.some((name) => name.toLowerCase().includes(needle))) return false;
    }
    return true;
  });
  matching.sort(comparatorFor(query.sort ?? "severity"));

  const total = matching.length;
  const pageCount = Math.max(1, Math.ceil(total / VULNERABILITIES_PER_PAGE));
  const page = Math.min(Math.max(1, query.page ?? 1), pageCount);
  const start = (page - 1) * VULNERABILITIES_PER_PAGE;
  return { rows: matching.slice(start, start + VULNERABILITIES_PER_PAGE), total, page, pageSize: VULNERABILITIES_PER_PAGE, pageCount };
}

type Comparator = (a: VulnerabilityFinding, b: VulnerabilityFinding) => number;

// Plain code-unit order, so the order does not depend on the server's locale.
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Worst level first, then the highest CVSS score, with unscored findings after scored ones of the same level. */
const bySeverity: Comparator = (a, b) => severityRank[b.severity.level] - severityRank[a.severity.level] || (b.severity.score ?? -1) - (a.severity.score ?? -1);

const byPackage: Comparator = (a, b) => compareText(a.packageName, b.packageName) || compareText(a.packageVersion, b.packageVersion) || compareText(a.packageType, b.packageType);

/** Newest first, with findings that have no publication date last. ISO 8601 strings in UTC sort as their instants. */
const byPublished: Comparator = (a, b) => {
  if (a.published === b.published) return 0;
  if (a.published === null) return 1;
  if (b.published === null) return -1;
  return compareText(b.published, a.published);
};

const stable: Comparator = (a, b) => compareText(a.purl, b.purl) || compareText(a.vulnerabilityId, b.vulnerabilityId);

function comparatorFor(sort: VulnerabilitySort): Comparator {
  const order: Comparator[] = sort === "package" ? [byPackage, bySeverity] : sort === "published" ? [byPublished, bySeverity, byPackage] : [bySeverity, byPackage];
  return (a, b) => {
    for (const compare of order) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return stable(a, b);
  };
}
