import { z } from "zod";

import type { Viewer } from "@/lib/auth/get-viewer";
import { findRepository } from "@/lib/data/find-repository";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { severityLevels, type PolicyStatus } from "@/scoring";
import type { SeverityLevel } from "@/scoring/advisories/severity";
import { tagPattern } from "@/lib/data/route-params";

/** Side of the comparison: `a` is read as the old image and `b` as the new one. */
export type CompareSide = "a" | "b";

// A tag cannot contain "@", so TAG@PLATFORM splits at the first one.
// os/architecture with an optional variant, as platforms are stored: "linux/amd64", "linux/arm64/v8".
const platformPattern = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+){1,2}$/;
// Maximum length of a parameter value quoted in a message, so a pasted page of text does not fill the page again.
const MAX_QUOTED_LENGTH = 80;

export interface CompareParams {
  /** `TAG` or `TAG@PLATFORM`, or null when the URL gives none. */
  a: string | null;
  b: string | null;
  /**
   * True when both come from the tag list's checkboxes (`tag=X&tag=Y`) rather
   * than from `a` and `b`, so the page can redirect to the `a=X&b=Y` URL.
   */
  fromSelection: boolean;
  problems: string[];
}

export interface ComparedImage {
  side: CompareSide;
  tag: { name: string; digest: string; grade: string | null; percent: number | null; lastPushedAt: Date };
  /** The platform compared. */
  platform: string;
  /** Every platform of the tag, in platform order. */
  platforms: string[];
  imageDigest: string;
  /** The image's latest score report; null before it is first graded. */
  report: { grade: string | null; percent: number | null; earned: number; possible: number; gradedAt: Date } | null;
  analysis: { status: "PENDING" | "ANALYSED" | "FAILED"; reason: string | null; packageCount: number };
}

export interface PolicyChange {
  id: string;
  title: string;
  /** Null when that side has no report, or its configuration gave the policy a weight of 0. */
  from: PolicyStatus | null;
  to: PolicyStatus | null;
  fromPoints: number | null;
  toPoints: number | null;
}

export interface PackageVersions {
  type: string;
  name: string;
  /** Every version installed under this type and name, sorted, because an image can hold several copies. */
  versions: string[];
}

export interface PackageChange {
  type: string;
  name: string;
  from: string[];
  to: string[];
}

export interface PackageDiff {
  /** In b and not in a. */
  added: PackageVersions[];
  /** In a and not in b. */
  removed: PackageVersions[];
  /** In both, with other versions. */
  changed: PackageChange[];
  /** Type and name pairs with the same versions in both. */
  unchanged: number;
}

export interface VulnerabilityChange {
  vulnerabilityId: string;
  packageName: string;
  packageType: string;
  /** Versions of the package that carry the vulnerability, on the side where it is unsuppressed. */
  packageVersions: string[];
  /** The highest severity level over the merged findings. */
  severity: SeverityLevel;
  fixedVersion: string | null;
  /** The other side still has the vulnerability, but an exception or VEX statement suppresses it there. */
  suppressedOnOtherSide: boolean;
}

export interface VulnerabilityDiff {
  /** Unsuppressed in a and not unsuppressed in b. */
  fixed: VulnerabilityChange[];
  /** Unsuppressed in b and not unsuppressed in a. */
  introduced: VulnerabilityChange[];
  /** Vulnerability and package pairs unsuppressed on both sides. */
  unchanged: number;
  /** Findings of either report stored in a form this module cannot read; they are left out. */
  unreadable: number;
}

/** A diff, or why it cannot be made yet. */
export type Comparable<T> = ({ status: "compared" } & T) | { status: "unavailable"; reason: string };

export interface ImageComparison {
  repository: { name: string };
  a: ComparedImage;
  b: ComparedImage;
  /** Both sides are the same platform image, so nothing can differ. */
  identical: boolean;
  /** Explanations of the platform choice, for sides whose URL value named no platform. */
  notes: string[];
  policies: PolicyChange[];
  packages: Comparable<PackageDiff>;
  vulnerabilities: Comparable<VulnerabilityDiff>;
}

/**
 * Reads `a` and `b` from page search parameters, or two `tag` values when the
 * tag list's checkboxes sent them. Wrong counts of ticked tags are problems;
 * whether the tags exist is checked by compareImages.
 */
export function readCompareParams(params: Record<string, string | string[] | undefined>): CompareParams {
  const first = (name: string): string | null => {
    const value = params[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text === undefined || text.trim() === "" ? null : text.trim();
  };
  const a = first("a");
  const b = first("b");
  if (a !== null || b !== null || params.tag === undefined) return { a, b, fromSelection: false, problems: [] };

  const selected = [params.tag].flat().map((value) => value.trim()).filter((value) => value !== "");
  if (selected.length === 2) return { a: selected[0] ?? null, b: selected[1] ?? null, fromSelection: true, problems: [] };
  const listed = selected.map(quote).join(", ");
  const problem =
    selected.length < 2
      ? `Select two tags to compare: ${selected.length === 0 ? "none was" : `only ${listed} was`} selected.`
      : `Select exactly two tags to compare: ${selected.length} were selected (${listed}).`;
  return { a: null, b: null, fromSelection: true, problems: [problem] };
}

/**
 * Compares two platform images of one repository, each given as `TAG` or
 * `TAG@PLATFORM`: their grades, each policy's status, their packages by type
 * and name, and the unsuppressed vulnerabilities of their latest score
 * reports. Without a platform, both sides use the first platform they have in
 * common. Throws NOT_FOUND, before any tag query, when the viewer may not read
 * the repository, and INVALID_INPUT naming each missing, malformed or unknown
 * value, with every problem in `details.problems`.
 */
export async function compareImages(viewer: Viewer, organizationName: string, repositoryName: string, a: string | null, b: string | null): Promise<ImageComparison> {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const prisma = getPrisma();

  const problems: string[] = [];
  const requestA = parseSideValue("a", a, problems);
  const requestB = parseSideValue("b", b, problems);
  const names = [requestA?.tag, requestB?.tag].filter((name): name is string => name !== undefined);

  const tags = await prisma.tag.findMany({
    where: { repositoryId: repository.id, deletedAt: null, name: { in: names } },
    select: {
      name: true,
      digest: true,
      grade: true,
      percent: true,
      lastPushedAt: true,
      manifest: { select: { images: { orderBy: { platform: "asc" }, select: { imageDigest: true, platform: true } } } },
    },
  });
  const tagByName = new Map(tags.map((tag) => [tag.name, tag]));
  const findTag = (side: CompareSide, request: SideRequest | null) => {
    if (request === null) return null;
    const tag = tagByName.get(request.tag);
    if (tag === undefined) problems.push(`Tag ${quote(request.tag)} (${side.toUpperCase()}) was not found in ${repository.name}. Check the name on the Tags tab.`);
    else if (tag.manifest.images.length === 0) problems.push(`Tag ${quote(request.tag)} (${side.toUpperCase()}) has no platform images to compare.`);
    else return tag;
    return null;
  };
  const tagA = findTag("a", requestA);
  const tagB = findTag("b", requestB);
  if (tagA === null || tagB === null || requestA === null || requestB === null) throw invalid(problems);

  const notes: string[] = [];
  const platforms = choosePlatforms(
    { request: requestA, platforms: tagA.manifest.images.map((image) => image.platform) },
    { request: requestB, platforms: tagB.manifest.images.map((image) => image.platform) },
    problems,
    notes,
  );
  if (platforms === null) throw invalid(problems);

  const imageA = tagA.manifest.images.find((image) => image.platform === platforms.a);
  const imageB = tagB.manifest.images.find((image) => image.platform === platforms.b);
  if (imageA === undefined || imageB === undefined) throw new AppError("INTERNAL", `The platforms chosen for ${repository.name} are not among the tags' images.`);
  const digests = [imageA.imageDigest, imageB.imageDigest];

  const [reports, analyses, packages] = await Promise.all([
    Promise.all(
      digests.map((digest) =>
        prisma.scoreReport.findFirst({
          where: { imageDigest: digest },
          orderBy: { createdAt: "desc" },
          select: { grade: true, percent: true, earned: true, possible: true, createdAt: true, results: true, findings: true },
        }),
      ),
    ),
    prisma.imageAnalysis.findMany({ where: { imageDigest: { in: digests } }, select: { imageDigest: true, status: true, reason: true, packageCount: true, analysedAt: true } }),
    prisma.imagePackage.findMany({ where: { imageDigest: { in: digests } }, select: { imageDigest: true, type: true, name: true, version: true } }),
  ]);
  const [reportA, reportB] = reports;
  const analysisOf = (digest: string) => analyses.find((row) => row.imageDigest === digest) ?? null;

  const compared = (side: CompareSide, tag: NonNullable<typeof tagA>, image: typeof imageA, report: typeof reportA): ComparedImage => {
    const analysis = analysisOf(image.imageDigest);
    return {
      side,
      tag: { name: tag.name, digest: tag.digest, grade: tag.grade, percent: tag.percent, lastPushedAt: tag.lastPushedAt },
      platform: image.platform,
      platforms: tag.manifest.images.map((entry) => entry.platform),
      imageDigest: image.imageDigest,
      report: report ? { grade: report.grade, percent: report.percent, earned: report.earned, possible: report.possible, gradedAt: report.createdAt } : null,
      // An image keeps its last complete result while a newer run is pending or has failed, so a row with a time has packages.
      analysis: analysis
        ? { status: analysis.analysedAt !== null ? "ANALYSED" : analysis.status, reason: analysis.reason, packageCount: analysis.packageCount }
        : { status: "PENDING", reason: null, packageCount: 0 },
    };
  };
  const sideA = compared("a", tagA, imageA, reportA ?? null);
  const sideB = compared("b", tagB, imageB, reportB ?? null);

  return {
    repository: { name: repository.name },
    a: sideA,
    b: sideB,
    identical: imageA.imageDigest === imageB.imageDigest,
    notes,
    policies: diffPolicies(readResults(reportA?.results), readResults(reportB?.results)),
    packages: unavailableReason([sideA, sideB], false) ?? {
      status: "compared",
      ...diffPackages(
        packages.filter((row) => row.imageDigest === imageA.imageDigest),
        packages.filter((row) => row.imageDigest === imageB.imageDigest),
      ),
    },
    vulnerabilities: unavailableReason([sideA, sideB], true) ?? { status: "compared", ...diffFindings(reportA?.findings, reportB?.findings) },
  };
}

/**
 * Orders tags ticked on the tag list oldest push first, so A is the older
 * image whatever order the list showed. Names that are not live tags of the
 * repository keep their order after the others, for compareImages to report.
 * Throws NOT_FOUND when the viewer may not read the repository.
 */
export async function orderByPush(viewer: Viewer, organizationName: string, repositoryName: string, names: string[]): Promise<string[]> {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const tags = await getPrisma().tag.findMany({ where: { repositoryId: repository.id, deletedAt: null, name: { in: names } }, select: { name: true, lastPushedAt: true } });
  const pushedAt = new Map(tags.map((tag) => [tag.name, tag.lastPushedAt.getTime()]));
  // Array.prototype.sort is stable, so equal times and unknown names keep the given order.
  return [...names].sort((x, y) => {
    const timeX = pushedAt.get(x) ?? Number.MAX_SAFE_INTEGER;
    const timeY = pushedAt.get(y) ?? Number.MAX_SAFE_INTEGER;
    return timeX - timeY;
  });
}

interface SideRequest {
  tag: string;
  platform: string | null;
}

/** Splits `TAG` or `TAG@PLATFORM` and checks both parts' syntax, adding a problem that names the value when it is missing or invalid. */
function parseSideValue(side: CompareSide, value: string | null, problems: string[]): SideRequest | null {
  const label = side.toUpperCase();
  if (value === null) {
    problems.push(`Tag ${label} is missing: give ${side}=TAG or ${side}=TAG@PLATFORM, or tick two tags on the Tags tab.`);
    return null;
  }
  const at = value.indexOf("@");
  const tag = at === -1 ? value : value.slice(0, at);
  const platform = at === -1 ? null : value.slice(at + 1);
  if (!tagPattern.test(tag)) {
    problems.push(`Tag ${label} ${quote(tag)} is not a valid tag name: use up to 128 letters, digits, "_", "." and "-", not starting with "." or "-".`);
    return null;
  }
  if (platform !== null && !platformPattern.test(platform)) {
    problems.push(`Platform ${quote(platform)} of tag ${label} is not a valid platform: write it as os/architecture or os/architecture/variant, such as linux/arm64/v8.`);
    return null;
  }
  return { tag, platform };
}

/**
 * Chooses the platform of each side. A named platform must be one of the
 * tag's. A side without one takes the other side's named platform when it has
 * it. When neither names one, both take the first platform of A that B also
 * has. With none in common, each takes its own first platform. Every fallback
 * adds a note.
 */
function choosePlatforms(
  a: { request: SideRequest; platforms: string[] },
  b: { request: SideRequest; platforms: string[] },
  problems: string[],
  notes: string[],
): { a: string; b: string } | null {
  for (const [side, entry] of [["A", a], ["B", b]] as const) {
    if (entry.request.platform !== null && !entry.platforms.includes(entry.request.platform)) {
      problems.push(`Tag ${quote(entry.request.tag)} (${side}) has no platform ${quote(entry.request.platform)}. Use one of: ${entry.platforms.join(", ")}.`);
    }
  }
  if (problems.length > 0) return null;

  const namedA = a.request.platform;
  const namedB = b.request.platform;
  if (namedA !== null && namedB !== null) return { a: namedA, b: namedB };

  // findTag rejected tags without platform images, so every list has a first entry.
  const firstA = a.platforms[0] ?? "";
  const firstB = b.platforms[0] ?? "";
  if (namedA !== null) return { a: namedA, b: matchPlatform(b, "B", namedA, notes) };
  if (namedB !== null) return { a: matchPlatform(a, "A", namedB, notes), b: namedB };

  const common = a.platforms.find((platform) => b.platforms.includes(platform));
  if (common !== undefined) {
    if (a.platforms.length > 1 || b.platforms.length > 1) notes.push(`Comparing the ${common} images, the first platform both tags have. Add @PLATFORM to a tag to compare another.`);
    return { a: common, b: common };
  }
  notes.push(`The tags have no platform in common, so the ${firstA} image of ${a.request.tag} is compared with the ${firstB} image of ${b.request.tag}.`);
  return { a: firstA, b: firstB };
}

/** Returns `platform` when the side has it, else the side's first platform with a note saying so. */
function matchPlatform(entry: { request: SideRequest; platforms: string[] }, label: string, platform: string, notes: string[]): string {
  if (entry.platforms.includes(platform)) return platform;
  const first = entry.platforms[0] ?? "";
  notes.push(`Tag ${entry.request.tag} (${label}) has no ${platform} image, so its ${first} image is compared.`);
  return first;
}

function invalid(problems: string[]): AppError {
  return new AppError("INVALID_INPUT", problems.join(" "), { details: { problems } });
}

/** Quotes a parameter value for a message, shortened when it is long. */
function quote(value: string): string {
  const shown = value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH - 1)}…` : value;
  return JSON.stringify(shown);
}

/** Says why a diff cannot be made: a side still being analysed, failed, or (for vulnerabilities) not graded yet. */
function unavailableReason(sides: ComparedImage[], needsReport: boolean): { status: "unavailable"; reason: string } | null {
  for (const side of sides) {
    const name = `${side.side.toUpperCase()} (${side.tag.name}, ${side.platform})`;
    if (side.analysis.status === "PENDING") return { status: "unavailable", reason: `${name} is still being analysed. Reload the page when the analysis has finished.` };
    if (side.analysis.status === "FAILED") return { status: "unavailable", reason: `${name} could not be analysed: ${side.analysis.reason ?? "no reason was recorded"}.` };
    if (needsReport && side.report === null) return { status: "unavailable", reason: `${name} has not been graded yet. Reload the page when it has been.` };
  }
  return null;
}

const policyStatuses = ["pass", "fail", "no-data"] as const satisfies readonly PolicyStatus[];
const policyResultSchema = z.object({ id: z.string(), title: z.string(), status: z.enum(policyStatuses), points: z.number() });
type ComparedResult = z.infer<typeof policyResultSchema>;

/** Reads a report's results column, keeping only entries with the fields a comparison needs. Returns null without a report. */
function readResults(value: unknown): ComparedResult[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const parsed = policyResultSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/** Pairs the policies of both reports by id, in A's order with B's other policies after them. */
export function diffPolicies(a: ComparedResult[] | null, b: ComparedResult[] | null): PolicyChange[] {
  const ids = [...new Set([...(a ?? []).map((result) => result.id), ...(b ?? []).map((result) => result.id)])];
  return ids.map((id) => {
    const before = a?.find((result) => result.id === id);
    const after = b?.find((result) => result.id === id);
    return {
      id,
      title: after?.title ?? before?.title ?? id,
      from: before?.status ?? null,
      to: after?.status ?? null,
      fromPoints: before?.points ?? null,
      toPoints: after?.points ?? null,
    };
  });
}

// Plain code-unit order, so the order does not depend on the server's locale.
function compareText(x: string, y: string): number {
  if (x === y) return 0;
  return x < y ? -1 : 1;
}

/** Groups package rows by type and name, with their distinct versions sorted. */
function versionsByPackage(rows: { type: string; name: string; version: string }[]): Map<string, PackageVersions> {
  const grouped = new Map<string, PackageVersions>();
  for (const row of rows) {
    const key = `${row.type}\u0000${row.name}`;
    const entry = grouped.get(key) ?? { type: row.type, name: row.name, versions: [] };
    if (!entry.versions.includes(row.version)) entry.versions.push(row.version);
    grouped.set(key, entry);
  }
  for (const entry of grouped.values()) entry.versions.sort(compareText);
  return grouped;
}

/** Diffs two package inventories by type and name; a package is changed when its set of versions differs. */
export function diffPackages(rowsA: { type: string; name: string; version: string }[], rowsB: { type: string; name: string; version: string }[]): PackageDiff {
  const before = versionsByPackage(rowsA);
  const after = versionsByPackage(rowsB);
  const diff: PackageDiff = { added: [], removed: [], changed: [], unchanged: 0 };

  for (const [key, entry] of before) {
    const other = after.get(key);
    if (other === undefined) diff.removed.push(entry);
    else if (entry.versions.join("\u0000") !== other.versions.join("\u0000")) diff.changed.push({ type: entry.type, name: entry.name, from: entry.versions, to: other.versions });
    else diff.unchanged += 1;
  }
  for (const [key, entry] of after) if (!before.has(key)) diff.added.push(entry);

  const byPackage = (x: { type: string; name: string }, y: { type: string; name: string }) => compareText(x.name, y.name) || compareText(x.type, y.type);
  diff.added.sort(byPackage);
  diff.removed.sort(byPackage);
  diff.changed.sort(byPackage);
  return diff;
}

const findingSchema = z.object({
  vulnerabilityId: z.string(),
  packageType: z.string(),
  packageName: z.string(),
  packageVersion: z.string(),
  fixedVersion: z.string().nullable(),
  severity: z.object({ level: z.enum(severityLevels) }),
  suppressed: z.unknown().nullable().default(null),
});

const severityRank: Record<SeverityLevel, number> = { critical: 5, high: 4, medium: 3, low: 2, none: 1, unspecified: 0 };

interface FindingGroups {
  unsuppressed: Map<string, VulnerabilityChange>;
  suppressed: Set<string>;
  unreadable: number;
}

/** Groups a report's findings by vulnerability id and package name, separating suppressed ones. */
function groupFindings(value: unknown): FindingGroups {
  const groups: FindingGroups = { unsuppressed: new Map(), suppressed: new Set(), unreadable: 0 };
  if (!Array.isArray(value)) return groups;
  for (const entry of value) {
    const parsed = findingSchema.safeParse(entry);
    if (!parsed.success) {
      groups.unreadable += 1;
      continue;
    }
    const finding = parsed.data;
    // NOTE: the key leaves out the package type, so same-named packages of two ecosystems with one vulnerability id count as one.
    const key = `${finding.vulnerabilityId}\u0000${finding.packageName}`;
    if (finding.suppressed !== null) {
      groups.suppressed.add(key);
      continue;
    }
    const existing = groups.unsuppressed.get(key);
    if (existing === undefined) {
      groups.unsuppressed.set(key, {
        vulnerabilityId: finding.vulnerabilityId,
        packageName: finding.packageName,
        packageType: finding.packageType,
        packageVersions: [finding.packageVersion],
        severity: finding.severity.level,
        fixedVersion: finding.fixedVersion,
        suppressedOnOtherSide: false,
      });
      continue;
    }
    if (!existing.packageVersions.includes(finding.packageVersion)) existing.packageVersions.push(finding.packageVersion);
    if (severityRank[finding.severity.level] > severityRank[existing.severity]) existing.severity = finding.severity.level;
    existing.fixedVersion ??= finding.fixedVersion;
  }
  return groups;
}

/** Diffs the unsuppressed findings of two reports by vulnerability id and package name. */
export function diffFindings(findingsA: unknown, findingsB: unknown): VulnerabilityDiff {
  const before = groupFindings(findingsA);
  const after = groupFindings(findingsB);
  const diff: VulnerabilityDiff = { fixed: [], introduced: [], unchanged: 0, unreadable: before.unreadable + after.unreadable };

  for (const [key, change] of before.unsuppressed) {
    if (after.unsuppressed.has(key)) diff.unchanged += 1;
    else diff.fixed.push({ ...change, suppressedOnOtherSide: after.suppressed.has(key) });
  }
  for (const [key, change] of after.unsuppressed) {
    if (!before.unsuppressed.has(key)) diff.introduced.push({ ...change, suppressedOnOtherSide: before.suppressed.has(key) });
  }

  const bySeverity = (x: VulnerabilityChange, y: VulnerabilityChange) =>
    severityRank[y.severity] - severityRank[x.severity] || compareText(x.vulnerabilityId, y.vulnerabilityId) || compareText(x.packageName, y.packageName);
  for (const list of [diff.fixed, diff.introduced]) {
    list.sort(bySeverity);
    for (const change of list) change.packageVersions.sort(compareText);
  }
  return diff;
}
