import { baseImageEvidence, unknownBaseRemediation } from "./base-image-evidence";
import type { Policy } from "./policy";

export const noUnapprovedBaseImages: Policy = {
  id: "no-unapproved-base-images",
  title: "No unapproved base images",
  description:
    "Fails when the base image matches none of the approved patterns, or its distribution release is end-of-life.",
  // TODO: decide against the organization's approved patterns and the release's end-of-life date.
  evaluate(facts) {
    const base = facts.baseImage;
    if (!base || base.source === "unknown") {
      return {
        status: "no-data",
        summary: "The base image of this image is not known, so it cannot be checked against the approved base images.",
        evidence: baseImageEvidence(base),
        remediation: base ? unknownBaseRemediation : null,
      };
    }
    return {
      status: "no-data",
      summary: "The base image is known, but approved base-image patterns and end-of-life checks are not evaluated in this version.",
      evidence: baseImageEvidence(base),
      remediation: null,
    };
  },
};
