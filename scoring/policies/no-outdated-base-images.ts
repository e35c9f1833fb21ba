import type { Policy } from "./policy";

export const noOutdatedBaseImages: Policy = {
  id: "no-outdated-base-images",
  title: "No outdated base images",
  description: "Fails when the base image tag the image was built from now points to a different digest than the one it was built on.",
  // TODO: decide from the detected base image and its tag's current digest once analysis provides them.
  evaluate() {
    return {
      status: "no-data",
      summary:
        "The base image of this image and the tag it was built from are not known yet, so it cannot be checked for updates.",
      evidence: [],
      remediation: null,
    };
  },
};
