import type { AnalysisFact } from "../types";
import type { PolicyOutcome } from "./policy";

/** An analysis that finished, with the packages and findings the policies decide on. */
export type CompletedAnalysis = Extract<AnalysisFact, { status: "analysed" }>;

/** The texts a package-analysis policy shows when it cannot decide. */
interface NoAnalysisWording {
  /** The whole summary when the caller has not analysed the image. */
  absent: string;
  /** The subject of "cannot be checked": "vulnerabilities", "package licenses". */
  checked: string;
}

const pendingRemediation = "Wait for the analysis to finish; the image is graded again when it does.";
const notAnalysedRemediation =
  "If the cause is in the image (a layer over a size limit, a corrupt layer), rebuild and push it; otherwise the next sync retries the analysis.";

/**
 * Returns the completed analysis, or the no-data outcome of a policy that needs one.
 * A pending or failed analysis gives its reason and what to do. An absent one (the
 * caller has not analysed the image) gives no remediation, because it is not the user's to fix.
 */
export function requireAnalysis(
  analysis: AnalysisFact | undefined,
  wording: NoAnalysisWording,
): { analysis: CompletedAnalysis } | { outcome: PolicyOutcome } {
  if (analysis === undefined) return { outcome: { status: "no-data", summary: wording.absent, evidence: [], remediation: null } };
  switch (analysis.status) {
    case "analysed":
      return { analysis };
    case "pending":
      return {
        outcome: {
          status: "no-data",
          summary: `Package analysis of this image has not finished (${analysis.reason}), so ${wording.checked} cannot be checked yet.`,
          evidence: [{ label: "Analysis", value: `pending: ${analysis.reason}` }],
          remediation: pendingRemediation,
        },
      };
    case "not-analysed":
      return {
        outcome: {
          status: "no-data",
          summary: `The image could not be analysed (${analysis.reason}), so ${wording.checked} cannot be checked.`,
          evidence: [{ label: "Analysis", value: `failed: ${analysis.reason}` }],
          remediation: notAnalysedRemediation,
        },
      };
  }
}

/**
 * Returns the no-data outcome of a vulnerability policy when no advisories have
 * been imported, because without them finding nothing proves nothing. Returns
 * null when advisories are imported, or when the caller does not report it.
 */
export function requireAdvisories(analysis: CompletedAnalysis, checked: string): PolicyOutcome | null {
  if (analysis.advisoriesImported !== false) return null;
  return {
    status: "no-data",
    summary: `No vulnerability advisories have been imported, so ${checked} cannot be checked.`,
    evidence: [{ label: "Advisories", value: "none imported" }],
    // The same engine grades for the dashboard and for `shipshape score`, whose advisories come from a local store.
    remediation:
      "Import OSV advisories (an OSV all.zip, a folder of OSV records, or a URL). For the dashboard: `shipshape advisories import PATH_OR_URL` on the server, or ADVISORY_SOURCES for scheduled imports. For `shipshape score`: `shipshape advisories import --store DIR PATH_OR_URL`, then pass `--advisories DIR`.",
  };
}
