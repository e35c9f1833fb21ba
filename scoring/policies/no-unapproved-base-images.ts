import type { Policy } from "./policy";

export const noUnapprovedBaseImages: Policy = {
  id: "no-unapproved-base-images",
  title: "No unapproved base images",
  description:
    "Fails when the base image matches none of the approved patterns, or its distribution release is end-of-life.",
  // TODO: decide from the detected base image once analysis provides it.
  evaluate() {
    return {
      status: "no-data",
      summary: "The base image of this image is not known yet, so it cannot be checked against the approved base images.",
      evidence: [],
      remediation: null,
    };
  },
};
