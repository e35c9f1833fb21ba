/**
 * Matches installed packages against OSV records and merges the records that describe
 * the same vulnerability into one finding per CVE per package.
 */
import { combineFixedVersions, isAffected, type VersionComparator } from "@/scoring/advisories/affected-range";
import type { OsvAffected, OsvRecord } from "@/scoring/advisories/osv-record";
import { advisoryNamesFor, type InstalledPackage, normalizePackageName } from "@/scoring/advisories/package-names";
import { type Severity, severityFor } from "@/scoring/advisories/severity";
import { cveIdsOf, identifiersOf } from "@/scoring/advisories/vulnerability-ids";

export interface Finding {
  /** The installed package's purl, with its version. */
  purl: string;
  /** The CVE id when a record names one, else the lowest id of the merged records. */
  vulnerabilityId: string;
  /** Ids of the merged records, sorted. */
  recordIds: string[];
  /**
   * Other ids the merged records give the vulnerability, sorted. The record ids and the
   * ids of the package's other findings are left out.
   */
  aliases: string[];
  /** The version that fixes every merged record. Null when any of them names no fix. */
  fixedVersion: string | null;
  severity: Severity;
}

/** A record whose ranges could not be fully evaluated for a package, so a finding may be missing. */
export interface MatchProblem {
  purl: string;
  /** Null when the problem concerns the package, not one record. */
  recordId: string | null;
  reason: string;
}

export interface MatchResult {
  /** Sorted by purl, then vulnerabilityId. */
  findings: Finding[];
  problems: MatchProblem[];
}

/**
 * Returns the version ordering for an OSV ecosystem ("Debian:12", "PyPI"), or null when
 * there is none. In production it combines schemeForEcosystem and orderingFor from
 * scoring/versions.
 */
export type OrderingForEcosystem = (ecosystem: string) => VersionComparator | null;

/** One record that affects a package, with the entries that matched and their fix. */
interface RecordMatch {
  record: OsvRecord;
  affected: OsvAffected[];
  fixedVersion: string | null;
}

/** Key of the index from ecosystem and normalized package name to affected entries. */
function indexKey(ecosystem: string, normalizedName: string): string {
  return `${ecosystem}\u0000${normalizedName}`;
}

/**
 * Finds the vulnerabilities of each package. A record applies when one of its affected
 * entries names the package's exact ecosystem (so "Debian:12" records do not apply to
 * "Debian:11") and its name (the source package for distributions), and the version
 * lies in that entry. Withdrawn records never apply.
 *
 * NOTE: the schema lets a distribution record omit the release ("Debian"). Such a record
 * matches only packages whose ecosystem also omits it, never "Debian:12".
 */
export function matchPackages(
  packages: readonly InstalledPackage[],
  records: readonly OsvRecord[],
  orderingFor: OrderingForEcosystem,
): MatchResult {
  const index = indexAffectedEntries(records);
  const findings: Finding[] = [];
  const problems: MatchProblem[] = [];

  for (const installed of packages) {
    const candidates = new Map<OsvRecord, OsvAffected[]>();
    for (const name of advisoryNamesFor(installed)) {
      for (const { record, affected } of index.get(indexKey(installed.ecosystem, name)) ?? []) {
        const entries = candidates.get(record) ?? [];
        entries.push(affected);
        candidates.set(record, entries);
      }
    }
    if (candidates.size === 0) continue;

    const ordering = orderingFor(installed.ecosystem);
    const matches =
      ordering === null
        ? matchVersionListsOnly(installed, candidates, problems)
        : matchWithOrdering(installed, candidates, ordering, problems);
    findings.push(...findingsFor(installed, matches, ordering));
  }

  findings.sort((a, b) => compareStrings(a.purl, b.purl) || compareStrings(a.vulnerabilityId, b.vulnerabilityId));
  return { findings, problems };
}

function indexAffectedEntries(records: readonly OsvRecord[]): Map<string, Array<{ record: OsvRecord; affected: OsvAffected }>> {
  const index = new Map<string, Array<{ record: OsvRecord; affected: OsvAffected }>>();
  for (const record of records) {
    if (record.withdrawn !== undefined) continue;
    for (const affected of record.affected) {
      if (affected.package === undefined) continue;
      const { ecosystem, name } = affected.package;
      const key = indexKey(ecosystem, normalizePackageName(ecosystem, name));
      const entries = index.get(key) ?? [];
      entries.push({ record, affected });
      index.set(key, entries);
    }
  }
  return index;
}

function matchWithOrdering(
  installed: InstalledPackage,
  candidates: Map<OsvRecord, OsvAffected[]>,
  ordering: VersionComparator,
  problems: MatchProblem[],
): RecordMatch[] {
  const matches: RecordMatch[] = [];
  for (const [record, entries] of candidates) {
    const affected: OsvAffected[] = [];
    const fixedVersions: Array<string | null> = [];
    for (const entry of entries) {
      const result = isAffected(installed.version, entry, ordering);
      for (const reason of result.problems) problems.push({ purl: installed.purl, recordId: record.id, reason });
      if (!result.affected) continue;
      affected.push(entry);
      fixedVersions.push(result.fixedVersion);
    }
    if (affected.length > 0) matches.push({ record, affected, fixedVersion: combineFixedVersions(fixedVersions, ordering) });
  }
  return matches;
}

/** Checks only the exact versions lists, for an ecosystem without an ordering, and reports the skipped ranges. */
function matchVersionListsOnly(installed: InstalledPackage, candidates: Map<OsvRecord, OsvAffected[]>, problems: MatchProblem[]): RecordMatch[] {
  const matches: RecordMatch[] = [];
  let skippedRanges = false;
  for (const [record, entries] of candidates) {
    skippedRanges ||= entries.some((entry) => entry.ranges.some((range) => range.type !== "GIT"));
    const affected = entries.filter((entry) => entry.versions.includes(installed.version));
    if (affected.length > 0) matches.push({ record, affected, fixedVersion: null });
  }
  if (skippedRanges) {
    problems.push({
      purl: installed.purl,
      recordId: null,
      reason: `no version ordering for ecosystem "${installed.ecosystem}", so only the records' versions lists were checked, not their ranges`,
    });
  }
  return matches;
}

function findingsFor(installed: InstalledPackage, matches: readonly RecordMatch[], ordering: VersionComparator | null): Finding[] {
  const groups = groupByVulnerability(matches);
  const vulnerabilityIds = new Set(groups.map((group) => group.vulnerabilityId));

  return groups.map(({ vulnerabilityId, members }) => {
    const recordIds = [...new Set(members.map((member) => member.record.id))].sort(compareStrings);
    const named = new Set(members.flatMap((member) => identifiersOf(member.record)));
    const aliases = [...named].filter((id) => !vulnerabilityIds.has(id) && !recordIds.includes(id)).sort(compareStrings);
    const fixedVersions = members.map((member) => member.fixedVersion);
    return {
      purl: installed.purl,
      vulnerabilityId,
      recordIds,
      aliases,
      fixedVersion: ordering === null ? null : combineFixedVersions(fixedVersions, ordering),
      severity: severityFor(installed.ecosystem, members),
    };
  });
}

/**
 * Groups one package's matching records by vulnerability. A record that names CVE ids
 * joins the group of each of them. A record without one joins every CVE group that
 * shares an id or alias with it. The rest group by shared ids and aliases, and each
 * such group is named after its lowest record id.
 */
function groupByVulnerability(matches: readonly RecordMatch[]): Array<{ vulnerabilityId: string; members: RecordMatch[] }> {
  const byCve = new Map<string, RecordMatch[]>();
  const withoutCve: RecordMatch[] = [];
  for (const match of matches) {
    const cveIds = cveIdsOf(match.record);
    if (cveIds.length === 0) withoutCve.push(match);
    for (const cveId of cveIds) byCve.set(cveId, [...(byCve.get(cveId) ?? []), match]);
  }

  const unattached: RecordMatch[] = [];
  for (const match of withoutCve) {
    const names = new Set(identifiersOf(match.record));
    let attached = false;
    for (const members of byCve.values()) {
      if (members.some((member) => identifiersOf(member.record).some((id) => names.has(id)))) {
        members.push(match);
        attached = true;
      }
    }
    if (!attached) unattached.push(match);
  }

  const groups = [...byCve].map(([vulnerabilityId, members]) => ({ vulnerabilityId, members }));
  for (const members of connectedByIdentifiers(unattached)) {
    const vulnerabilityId = members.map((member) => member.record.id).sort(compareStrings)[0];
    if (vulnerabilityId !== undefined) groups.push({ vulnerabilityId, members });
  }
  return groups;
}

/** Splits records into groups in which each record shares an id or alias with another, directly or through others. */
function connectedByIdentifiers(matches: readonly RecordMatch[]): RecordMatch[][] {
  const groups: Array<{ names: Set<string>; members: RecordMatch[] }> = [];
  for (const match of matches) {
    const names = new Set(identifiersOf(match.record));
    const joined = groups.filter((group) => [...names].some((name) => group.names.has(name)));
    const merged = { names, members: [match] };
    for (const group of joined) {
      group.names.forEach((name) => merged.names.add(name));
      merged.members.push(...group.members);
      groups.splice(groups.indexOf(group), 1);
    }
    groups.push(merged);
  }
  return groups.map((group) => group.members);
}

/** Orders strings by UTF-16 code units, the same on every machine and locale. */
function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
