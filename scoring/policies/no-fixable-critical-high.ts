import type { Policy } from "./policy";

export const noFixableCriticalHigh: Policy = {
  id: "no-fixable-critical-high",
  title: "No fixable critical or high vulnerabilities",
  description: "Fails when a package has a critical or high vulnerability that has a fixed version and is not excepted.",
  // TODO: decide from the package inventory and matched advisories once analysis provides them.
  evaluate() {
    return {
      status: "no-data",
      summary: "Package analysis is not available yet for this image, so vulnerabilities cannot be checked.",
      evidence: [],
      remediation: null,
    };
  },
};
