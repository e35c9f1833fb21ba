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
  /**
   * For a vulnerability policy that failed on packages from the base image: the base
   * repository's tag that removes the most of those findings. It is set only when that
   * tag removes more than the tag the image was built on does at its current digest.
   */
  betterBaseTag?: BaseTagSuggestion;
}

/** A tag of the base image's repository, with the findings of its image for the same platform. */
export interface BaseTagCandidate {
  /** The tag's full reference, such as `docker.io/library/debian:12.8`. */
  reference: string;
  /** The platform image the tag points to now. */
  digest: string;
  /** True for the tag the image was built on. */
  builtOn: boolean;
  /** The candidate's vulnerability findings, each as findingKey gives it. */
  findingKeys: ReadonlySet<string>;
}

/** A base tag that fixes more, with the counts that show it. */
export interface BaseTagSuggestion {
  reference: string;
  digest: string;
  /** How many of the failing findings from the base image it would remove. */
  removes: number;
  /** The failing findings from the base image. */
  of: number;
  /** The tag the image was built on, at its current digest, with what it removes; null when it is not known. */
  builtOn: { reference: string; digest: string; removes: number } | null;
}

export interface FixPlanOptions {
  /** The current tags of the base image's repository; without them no other base tag is suggested. */
  baseTags?: readonly BaseTagCandidate[];
}

/** Identifies a finding across images: the vulnerability and the package name it was found in. */
export function findingKey(finding: Pick<VulnerabilityFinding, "vulnerabilityId" | "packageName">): string {
  return `${finding.vulnerabilityId} ${finding.packageName}`;
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
export function fixPlan(report: ScoreReport, facts: ImageFacts, config: PolicyConfig = defaultPolicyConfig, options: FixPlanOptions = {}): Fix[] {
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
      const upgrade = packageUpgrades(result, facts, config, options.baseTags ?? []);
      if (upgrade !== null) {
        fix.remediation = upgrade.remediation;
        fix.packages = upgrade.packages;
        if (upgrade.betterBaseTag !== null) fix.betterBaseTag = upgrade.betterBaseTag;
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
function packageUpgrades(
  result: PolicyResult,
  facts: ImageFacts,
  config: PolicyConfig,
  baseTags: readonly BaseTagCandidate[],
): { remediation: string; packages: PackageUpgrade[]; betterBaseTag: BaseTagSuggestion | null } | null {
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
  let betterBaseTag: BaseTagSuggestion | null = null;
  for (const { origin, heading, note } of originGroups) {
    const purls = new Set(packages.filter((upgrade) => upgrade.origin === origin).map((upgrade) => upgrade.purl));
    const group = failing.filter((finding) => purls.has(finding.purl));
    const text = upgradeRemediation(group);
    if (text === null) continue;
    sentences.push(`${heading}: ${text}`);
    if (note !== null) sentences.push(note);
    if (origin === "base-image") {
      betterBaseTag = suggestBaseTag(group, baseTags);
      if (betterBaseTag !== null) sentences.push(describeSuggestion(betterBaseTag));
    }
  }
  return { remediation: sentences.join(" "), packages, betterBaseTag };
}

/**
 * Picks the base tag whose image lacks the most of the failing findings from the base
 * image, fewest findings overall on a tie. It is suggested only when it removes more
 * than the tag the image was built on does now.
 */
function suggestBaseTag(fromBase: readonly VulnerabilityFinding[], candidates: readonly BaseTagCandidate[]): BaseTagSuggestion | null {
  if (fromBase.length === 0 || candidates.length === 0) return null;
  const keys = [...new Set(fromBase.map(findingKey))];
  const removed = (candidate: BaseTagCandidate) => keys.filter((key) => !candidate.findingKeys.has(key)).length;

  const builtOn = candidates.find((candidate) => candidate.builtOn);
  const builtOnRemoves = builtOn === undefined ? 0 : removed(builtOn);
  let best: { candidate: BaseTagCandidate; removes: number } | null = null;
  for (const candidate of candidates) {
    if (candidate.builtOn) continue;
    const removes = removed(candidate);
    const better =
      best === null ||
      removes > best.removes ||
      (removes === best.removes && (candidate.findingKeys.size - best.candidate.findingKeys.size || compareStrings(candidate.reference, best.candidate.reference)) < 0);
    if (better) best = { candidate, removes };
  }
  if (best === null || best.removes <= builtOnRemoves) return null;
  return {
    reference: best.candidate.reference,
    digest: best.candidate.digest,
    removes: best.removes,
    of: keys.length,
    builtOn: builtOn === undefined ? null : { reference: builtOn.reference, digest: builtOn.digest, removes: builtOnRemoves },
  };
}

function describeSuggestion(suggestion: BaseTagSuggestion): string {
  const { builtOn } = suggestion;
  const share = `${suggestion.removes} of ${suggestion.of} ${suggestion.of === 1 ? "finding" : "findings"} from the base image`;
  const comparison = builtOn === null ? "" : `; \`${builtOn.reference}\`, the tag it was built on, now at ${builtOn.digest}, removes ${builtOn.removes}`;
  return `Another tag of the base repository fixes more: rebuilding on \`${suggestion.reference}\` (now at ${suggestion.digest}) removes ${share}${comparison}.`;
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
