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

/**
 * Every policy by id. The mapped type makes the compiler insist on one per PolicyId
 * whose evaluate accepts the settings stored under that id.
 */
const policiesById = {
  "no-fixable-critical-high": noFixableCriticalHigh,
  "no-high-profile-vulnerabilities": noHighProfileVulnerabilities,
  "supply-chain-attestations": supplyChainAttestations,
  "no-unapproved-base-images": noUnapprovedBaseImages,
  "no-outdated-base-images": noOutdatedBaseImages,
  "default-non-root-user": defaultNonRootUser,
  "no-agpl-v3-licenses": noAgplV3Licenses,
} satisfies { [Id in PolicyId]: Pick<Policy<Id>, "evaluate"> };

/**
 * Every policy by id, typed so that a caller can look one up with any PolicyId. Pass
 * each policy the settings stored under its own id, as scoreImage does.
 */
export const policies: Readonly<Record<PolicyId, Policy>> = policiesById;
