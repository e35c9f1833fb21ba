import type { PolicyId } from "../types";
import { defaultNonRootUser } from "./default-non-root-user";
import { noAgplV3Licenses } from "./no-agpl-v3-licenses";
import { noFixableCriticalHigh } from "./no-fixable-critical-high";
import { noHighProfileVulnerabilities } from "./no-high-profile-vulnerabilities";
import { noOutdatedBaseImages } from "./no-outdated-base-images";
import { noUnapprovedBaseImages } from "./no-unapproved-base-images";
import { supplyChainAttestations } from "./supply-chain-attestations";
import type { Policy } from "./policy";

export type { Policy, PolicyOutcome } from "./policy";

/** Every policy by id; the Record type makes the compiler insist on one per PolicyId. */
export const policies: Readonly<Record<PolicyId, Policy>> = {
  "no-fixable-critical-high": noFixableCriticalHigh,
  "no-high-profile-vulnerabilities": noHighProfileVulnerabilities,
  "supply-chain-attestations": supplyChainAttestations,
  "no-unapproved-base-images": noUnapprovedBaseImages,
  "no-outdated-base-images": noOutdatedBaseImages,
  "default-non-root-user": defaultNonRootUser,
  "no-agpl-v3-licenses": noAgplV3Licenses,
};
