import type { Policy } from "./policy";

export const noAgplV3Licenses: Policy = {
  id: "no-agpl-v3-licenses",
  title: "No AGPL v3 licenses",
  description: "Fails when a package's license expression requires the AGPL (AGPL-1.0 or AGPL-3.0, -only or -or-later).",
  // TODO: decide from the package inventory's SPDX license expressions once analysis provides them.
  evaluate() {
    return {
      status: "no-data",
      summary: "Package analysis is not available yet for this image, so package licenses cannot be checked.",
      evidence: [],
      remediation: null,
    };
  },
};
