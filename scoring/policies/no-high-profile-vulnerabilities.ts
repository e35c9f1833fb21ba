import type { Policy } from "./policy";

export const noHighProfileVulnerabilities: Policy = {
  id: "no-high-profile-vulnerabilities",
  title: "No high-profile vulnerabilities",
  description:
    "Fails when a package is affected by a listed high-profile CVE (such as Log4Shell or the xz backdoor) or by a CVE in CISA's Known Exploited Vulnerabilities catalog, fixed or not.",
  // TODO: decide from the package inventory, matched advisories and the KEV catalog once analysis provides them.
  evaluate() {
    return {
      status: "no-data",
      summary:
        "Package analysis and vulnerability advisories are not available yet for this image, so high-profile CVEs cannot be checked.",
      evidence: [],
      remediation: null,
    };
  },
};
