/** Advisory matching: OSV records, affected ranges, findings per package and their severity. */
export { type AffectedResult, combineFixedVersions, isAffected, type VersionComparator } from "@/scoring/advisories/affected-range";
export { type Finding, type MatchProblem, type MatchResult, matchPackages, type OrderingForEcosystem } from "@/scoring/advisories/match-packages";
export {
  type OsvAffected,
  type OsvEvent,
  type OsvRange,
  type OsvRangeType,
  type OsvRecord,
  type OsvRecordProblem,
  osvRecordSchema,
  type OsvSeverity,
  parseOsvRecord,
  type ParseOsvRecordResult,
} from "@/scoring/advisories/osv-record";
export { advisoryNamesFor, ecosystemBase, type InstalledPackage, normalizePackageName } from "@/scoring/advisories/package-names";
export {
  cvssBaseScore,
  type CvssSeverityType,
  levelForScore,
  type RatedRecord,
  type Severity,
  severityFor,
  type SeverityLevel,
  type SeveritySource,
} from "@/scoring/advisories/severity";
export { cveIdsOf, identifiersOf } from "@/scoring/advisories/vulnerability-ids";
