/**
 * The fix plan of a score report: one change per policy that did not pass, with the
 * points it regains and the grade that change alone would give.
 */
import { gradeForPercent } from "./grade";
import { policies } from "./policies";
import { compareStrings, upgradeRemediation } from "./policies/vulnerability-findings";
import { defaultPolicyConfig } from "./policy-config";
import {
  type Grade,
  type ImageFacts,
  type PackageFact,
  type PolicyConfig,
  type PolicyId,
  policyIds,
  type PolicyResult,
  type ScoreReport,
  type VulnerabilityFinding,
} from "./types";

/** The part of the image that installed a package: the base image's layers, the image's own layers, or not known. */
export type LayerOrigin = "base-image" | "own-layers" | "unknown";

/** A package that a vulnerability fix upgrades, with where it was installed. */
export interface PackageUpgrade {
  name: string;
  /** Package URL type: deb, npm … */
  type: string;
  /** The installed version. */
  version: string;
  purl: string;
  /** The distinct fixed versions named by its findings, sorted; empty when no finding has a fix. */
  fixedVersions: string[];
  /** The ids of its findings that fail the policy, sorted. */
  vulnerabilityIds: string[];
  origin: LayerOrigin;
}

/** One change that makes a failing or no-data policy pass. */
export interface Fix {
  policyId: PolicyId;
  title: string;
  status: "fail" | "no-data";
  /** Points the change regains: the policy's weight. */
  points: number;
  /** The policy result's summary: why it did not pass. */
  summary: string;
  /** The change to make; null when the result gives none, e.g. while the image's analysis is still running. */
  remediation: string | null;
  /** The unrounded percent the image would score with this change alone. */
  percentIfFixed: number;
  /** The grade with this change alone. */
  gradeIfFixed: Grade;
  /**
   * For a vulnerability policy that failed: the packages to upgrade, grouped in the
   * remediation by origin. Absent for other policies, and when the configuration passed
   * to fixPlan does not reproduce the report's result.
   */
  packages?: PackageUpgrade[];
}

/** The policies whose fix names packages to upgrade. */
const vulnerabilityPolicies: ReadonlySet<PolicyId> = new Set(["no-fixable-critical-high", "no-high-profile-vulnerabilities"]);

/** Order of the origin groups in a remediation, with the words that introduce each. */
const originGroups: readonly { origin: LayerOrigin; heading: string; note: string | null }[] = [
  {
    origin: "base-image",
    heading: "Packages from the base image",
    note: "These come from the base image's layers, so rebuilding on a base image that ships the fixed versions (`docker buildx build --pull`, or a newer base tag) fixes them.",
  },
  { origin: "own-layers", heading: "Packages from the image's own layers", note: null },
  { origin: "unknown", heading: "Packages (layer origin unknown)", note: null },
];

/**
 * Lists a fix for every failing or no-data policy of the report, most points regained
 * first, then in policy order. Each fix names the grade the image would get if that
 * policy alone passed.
 *
 * Pass the configuration the report was graded under. It decides which findings the
 * vulnerability fixes list. When re-evaluating a vulnerability policy under it does not
 * give the report's summary, that fix keeps the report's remediation and lists no packages.
 * Throws RangeError when the facts describe another image than the report.
 */
export function fixPlan(report: ScoreReport, facts: ImageFacts, config: PolicyConfig = defaultPolicyConfig): Fix[] {
  if (facts.digest !== report.digest) {
    throw new RangeError(`The facts are of image ${facts.digest}, but the score report is of image ${report.digest}; pass the facts the report was graded on.`);
  }

  const fixes: Fix[] = [];
  for (const result of report.results) {
    if (result.status === "pass") continue;
    const points = result.weight - result.points;
    // Multiplying first keeps whole percents exact, as scoreImage does.
    const percentIfFixed = ((report.earned + points) * 100) / report.possible;
    const fix: Fix = {
      policyId: result.id,
      title: result.title,
      status: result.status,
      points,
      summary: result.summary,
      remediation: result.remediation,
      percentIfFixed,
      gradeIfFixed: gradeForPercent(percentIfFixed),
    };
    if (result.status === "fail" && vulnerabilityPolicies.has(result.id)) {
      const upgrade = packageUpgrades(result, facts, config);
      if (upgrade !== null) {
        fix.remediation = upgrade.remediation;
        fix.packages = upgrade.packages;
      }
    }
    fixes.push(fix);
  }
  return fixes.sort((a, b) => b.points - a.points || policyIds.indexOf(a.policyId) - policyIds.indexOf(b.policyId));
}

/**
 * Returns the packages behind a failed vulnerability policy and a remediation that groups
 * them by origin, or null when the configuration does not reproduce the report's result.
 */
function packageUpgrades(result: PolicyResult, facts: ImageFacts, config: PolicyConfig): { remediation: string; packages: PackageUpgrade[] } | null {
  const { analysis } = facts;
  if (analysis?.status !== "analysed") return null;
  // The same defaults-under-stored-settings merge as scoreImage.
  const settings = { ...defaultPolicyConfig.policies[result.id], ...config.policies[result.id] };
  const policy = policies[result.id];
  if (policy.evaluate(facts, settings).summary !== result.summary) return null;

  // A finding fails a vulnerability policy on its own facts, whatever the other findings are,
  // so evaluating the policy on each finding alone picks out the ones that count.
  const failing = analysis.findings.filter(
    (finding) => policy.evaluate({ ...facts, analysis: { ...analysis, findings: [finding] } }, settings).status === "fail",
  );
  const packages = groupByPackage(failing, analysis.packages, facts);

  const sentences: string[] = [];
  for (const { origin, heading, note } of originGroups) {
    const purls = new Set(packages.filter((upgrade) => upgrade.origin === origin).map((upgrade) => upgrade.purl));
    const text = upgradeRemediation(failing.filter((finding) => purls.has(finding.purl)));
    if (text === null) continue;
    sentences.push(`${heading}: ${text}`);
    if (note !== null) sentences.push(note);
  }
  return { remediation: sentences.join(" "), packages };
}

function groupByPackage(findings: readonly VulnerabilityFinding[], installed: readonly PackageFact[], facts: ImageFacts): PackageUpgrade[] {
  const byPurl = new Map<string, PackageUpgrade>();
  for (const finding of findings) {
    let upgrade = byPurl.get(finding.purl);
    if (upgrade === undefined) {
      upgrade = {
        name: finding.packageName,
        type: finding.packageType,
        version: finding.packageVersion,
        purl: finding.purl,
        fixedVersions: [],
        vulnerabilityIds: [],
        origin: layerOrigin(installed.find((item) => item.purl === finding.purl), facts),
      };
      byPurl.set(finding.purl, upgrade);
    }
    if (finding.fixedVersion !== null && !upgrade.fixedVersions.includes(finding.fixedVersion)) upgrade.fixedVersions.push(finding.fixedVersion);
    if (!upgrade.vulnerabilityIds.includes(finding.vulnerabilityId)) upgrade.vulnerabilityIds.push(finding.vulnerabilityId);
  }
  const upgrades = [...byPurl.values()];
  for (const upgrade of upgrades) {
    upgrade.fixedVersions.sort(compareStrings);
    upgrade.vulnerabilityIds.sort(compareStrings);
  }
  return upgrades.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.purl, b.purl));
}

/**
 * Returns whether a package's layer is one of the base image's bottom layers. It is
 * "unknown" when the package, its layer digest, the image's layer list or the base layer
 * count is missing, when the count does not fit the list, or when the layer is not in it.
 */
function layerOrigin(installed: PackageFact | undefined, facts: ImageFacts): LayerOrigin {
  const { layerDigests, baseLayerCount } = facts;
  if (layerDigests === undefined || baseLayerCount === undefined) return "unknown";
  if (!Number.isInteger(baseLayerCount) || baseLayerCount < 0 || baseLayerCount > layerDigests.length) return "unknown";
  if (installed === undefined || installed.layerDigest === null) return "unknown";
  const position = layerDigests.indexOf(installed.layerDigest);
  if (position === -1) return "unknown";
  return position < baseLayerCount ? "base-image" : "own-layers";
}
