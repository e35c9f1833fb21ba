import { baseImageEvidence, unknownBaseRemediation } from "./base-image-evidence";
import type { Policy } from "./policy";

export const noOutdatedBaseImages: Policy = {
  id: "no-outdated-base-images",
  title: "No outdated base images",
  description: "Fails when the base image tag the image was built from now points to a different digest than the one it was built on.",
  // TODO: decide by resolving the base reference's tag on its registry and comparing digests.
  evaluate(facts) {
    const base = facts.baseImage;
    if (!base || base.source === "unknown") {
      return {
        status: "no-data",
        summary: "The base image of this image is not known, so it cannot be checked for updates.",
        evidence: baseImageEvidence(base),
        remediation: base ? unknownBaseRemediation : null,
      };
    }
    return {
      status: "no-data",
      summary: "The base image is known, but its tag's current digest is not looked up in this version, so it cannot be checked for updates.",
      evidence: baseImageEvidence(base),
      remediation: null,
    };
  },
};
