/**
 * The grading library's public types. Everything here is plain data, so a score
 * report can be stored as JSON and shown, compared or re-computed anywhere.
 */

import type { Finding } from "./advisories/match-packages";
import type { SeverityLevel } from "./advisories/severity";

export type Grade = "A" | "B" | "C" | "D" | "E" | "F";

/** Every policy, in the order of DESIGN.md section 5's table; reports list results in this order. */
export const policyIds = [
  "no-fixable-critical-high", // No fixable critical or high vulnerabilities, weight 20
  "no-high-profile-vulnerabilities", // weight 20
  "supply-chain-attestations", // weight 15
  "no-unapproved-base-images", // weight 15
  "no-outdated-base-images", // weight 10
  "default-non-root-user", // weight 5
  "no-agpl-v3-licenses", // weight 5
] as const satisfies readonly string[];

export type PolicyId = (typeof policyIds)[number];

/** Outcome of a policy. "no-data" means the facts to decide are missing: it earns 0 points like "fail" and its summary gives the reason. */
export type PolicyStatus = "pass" | "fail" | "no-data";

/** One fact behind a result, e.g. { label: "Config User", value: "root" }. */
export interface Evidence {
  label: string;
  value: string;
}

export interface PolicyResult {
  id: PolicyId;
  title: string;
  description: string;
  status: PolicyStatus;
  weight: number;
  /** Points earned: the weight on pass, 0 otherwise. */
  points: number;
  /** One sentence: why it passed or failed, or for no-data the reason, naming what is missing. */
  summary: string;
  evidence: Evidence[];
  /** The concrete fix (the USER line to add, the exact build flags); null on pass. */
  remediation: string | null;
}

/** Facts about one platform image that the policies decide on. Package and advisory facts are added by later analysis. */
export interface ImageFacts {
  /** The platform manifest digest. */
  digest: string;
  /** "linux/amd64", "linux/arm64/v8". */
  platform: string;
  /** The image config's config.User; null when absent. */
  user: string | null;
  attestations: {
    /** In-toto predicate types attached to this platform image. */
    predicateTypes: string[];
    /** BuildKit's provenance mode; null when there is no provenance. */
    provenanceMode: "max" | "min" | null;
  };
  /** The detected base image; absent when the caller has not looked for one. */
  baseImage?: BaseImageFact;
  /** The package analysis with its matched vulnerabilities; absent when the caller has not analysed the image. */
  analysis?: AnalysisFact;
  /** When the grade is computed, ISO 8601; grace periods and end-of-life dates are measured from it. */
  evaluatedAt?: string;
  /** The image's layer digests as its manifest lists them, bottom layer first; absent when the caller has not read them. */
  layerDigests?: string[];
  /** How many of the bottom layers in layerDigests belong to the base image; absent when that is not known. */
  baseLayerCount?: number;
}

/** The result of analysing the image's layers, or why there is none. */
export type AnalysisFact =
  | {
      status: "analysed";
      os: OsFact | null;
      packages: PackageFact[];
      findings: VulnerabilityFinding[];
      /** False when no OSV advisories have been imported, so an empty findings list proves nothing. Absent counts as imported. */
      advisoriesImported?: boolean;
    }
  | { status: "pending"; reason: string }
  | { status: "not-analysed"; reason: string };

/** The image's distribution release from os-release. */
export interface OsFact {
  /** os-release ID: "debian", "alpine" … */
  id: string;
  versionId: string | null;
  prettyName: string | null;
  /** Advisory ecosystem: "Debian:12", "Alpine:v3.20" … */
  ecosystem: string | null;
  /** ISO date the release reaches end of life; null when unknown. */
  endOfLife: string | null;
}

/** One installed package. */
export interface PackageFact {
  /** Package URL type: deb, apk, rpm, pypi, npm, golang, maven, gem, cargo. */
  type: string;
  name: string;
  version: string;
  purl: string;
  /** Normalised SPDX expression; null when no license could be read. */
  license: string | null;
  layerDigest: string | null;
}

/** A matched vulnerability of one package, with what the policies need to decide on it. */
export interface VulnerabilityFinding extends Finding {
  packageType: string;
  packageName: string;
  packageVersion: string;
  /** Earliest publication date of the merged records, ISO 8601; null when none gives one. */
  published: string | null;
  /** Whether a CVE of the finding is in CISA's Known Exploited Vulnerabilities catalog. */
  knownExploited: boolean;
  /** Set when an exception or a VEX statement suppresses the finding; suppressed findings are shown but do not fail policies. */
  suppressed: { by: "exception" | "vex"; reason: string; expiresAt: string | null } | null;
}

/** Detected base image with the source that named it, or the reason it is unknown. */
export type BaseImageFact =
  | {
      source: "provenance" | "annotation" | "label" | "layers";
      reference: string | null;
      digest: string | null;
      /** What the base reference's tag points to now; absent when the caller has not looked it up. */
      current?: BaseTagResolution;
    }
  | { source: "unknown"; reason: string };

/** The result of resolving a base image's tag on its registry (or from the database, for a synced base). */
export type BaseTagResolution =
  | { status: "resolved"; digest: string; resolvedAt: string }
  | { status: "unknown"; reason: string };

export interface PolicySettings {
  /** Points the policy is worth, an integer from 0 to 100; 0 removes the policy from the score. */
  weight: number;
}

/** Settings of "no-fixable-critical-high". */
export interface NoFixableCriticalHighSettings extends PolicySettings {
  /** Severity levels that fail the policy. Default: critical and high. */
  severities: readonly SeverityLevel[];
  /** When true (the default), only findings with a fixed version count; false counts unfixable ones too. */
  fixableOnly: boolean;
  /** Days after a finding's publication before it counts, measured at ImageFacts.evaluatedAt. Default 0, no grace period. */
  graceDays: number;
  /** Package URL types to check ("deb", "npm" …); null, the default, checks every type. */
  packageTypes: readonly string[] | null;
}

/** Settings of "no-high-profile-vulnerabilities". */
export interface NoHighProfileVulnerabilitiesSettings extends PolicySettings {
  /** CVE ids that fail the policy whether fixed or not. Default: the well-known CVEs in defaultHighProfileCves. */
  cves: readonly string[];
  /** When true (the default), any CVE in CISA's Known Exploited Vulnerabilities catalog fails the policy too. */
  knownExploited: boolean;
  /** CVE ids that never fail the policy, even when listed in cves or known to be exploited. Default: none. */
  excludedCves: readonly string[];
}

/** Settings of "no-agpl-v3-licenses". */
export interface NoAgplV3LicensesSettings extends PolicySettings {
  /** SPDX license ids that fail the policy when a package's license expression requires one. Default: the AGPL-1.0 and AGPL-3.0 ids. */
  licenses: readonly string[];
  /** Glob patterns (picomatch) on package URLs, such as "pkg:npm/@acme/*"; matching packages are not checked. Default: none. */
  allowedPackages: readonly string[];
}

/** Settings of "no-unapproved-base-images". */
export interface NoUnapprovedBaseImagesSettings extends PolicySettings {
  /**
   * Patterns on the base image's normalised reference, such as "docker.io/library/node:*-slim",
   * in the grammar that scoring/image-reference.ts describes. Default: ["*"], every base image.
   */
  approvedPatterns: readonly string[];
  /** When true (the default), an image whose distribution release is past its end-of-life date fails too. */
  failEndOfLife: boolean;
}

/**
 * The settings type of each policy. Policies without options take only a weight. It is
 * a type alias, not an interface, so that it stays assignable to Record<string, unknown>.
 */
export type PolicySettingsById = {
  "no-fixable-critical-high": NoFixableCriticalHighSettings;
  "no-high-profile-vulnerabilities": NoHighProfileVulnerabilitiesSettings;
  "supply-chain-attestations": PolicySettings;
  "no-unapproved-base-images": NoUnapprovedBaseImagesSettings;
  "no-outdated-base-images": PolicySettings;
  "default-non-root-user": PolicySettings;
  "no-agpl-v3-licenses": NoAgplV3LicensesSettings;
};

export interface PolicyConfig {
  /** Recorded in every score report so a grade can be reproduced. */
  version: number;
  policies: PolicySettingsById;
}

export interface ScoreReport {
  /** The rules' version; it changes whenever a rule does, so a report can be reproduced. */
  engineVersion: string;
  digest: string;
  platform: string;
  policyConfigVersion: number;
  advisorySnapshot: string | null;
  earned: number;
  possible: number;
  /** earned / possible * 100, unrounded; null when possible is 0. */
  percent: number | null;
  /** null: not graded, because every weight is 0. */
  grade: Grade | null;
  /** Policies with weight 0 are left out. */
  results: PolicyResult[];
}
