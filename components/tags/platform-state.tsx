import type { ImageAnalysisSummary } from "@/lib/data/get-image-analysis";
import type { PolicyResult } from "@/scoring";

interface PlatformStateProps {
  platformName: string;
  analysis: Pick<ImageAnalysisSummary, "status" | "reason">;
  /** The latest report's results. Null before the image is first graded. */
  results: PolicyResult[] | null;
}

/**
 * Renders what the page can show for one platform image: whether it is still
 * being analysed, could not be analysed (with the reason), is not graded yet,
 * or has policies without the data to decide. Renders nothing when the image
 * is analysed and every policy could decide.
 */
export function PlatformState({ platformName, analysis, results }: PlatformStateProps) {
  const noData = (results ?? []).filter((result) => result.status === "no-data");

  if (analysis.status === "PENDING") {
    return (
      <p className="mb-4 rounded-lg border border-blue-200 bg-blue-50 p-3 text-sm text-blue-950" role="status" data-testid="platform-state" data-state="analysing">
        <span className="font-semibold">Analysing {platformName}:</span> the packages, the vulnerabilities and the policies that need them appear when the analysis has
        finished. Reload the page to check.
      </p>
    );
  }
  if (analysis.status === "FAILED") {
    return (
      <div className="mb-4 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900" data-testid="platform-state" data-state="not-analysed">
        <p>
          <span className="font-semibold">Not analysed:</span> {analysis.reason ?? "no reason was recorded"}
        </p>
        <p className="mt-1">The policies that need the packages have no data and earn 0 points. The next sync tries again.</p>
      </div>
    );
  }
  if (results === null) {
    return (
      <p className="mb-4 rounded-lg border border-slate-200 bg-white p-3 text-sm text-slate-700" data-testid="platform-state" data-state="not-graded">
        <span className="font-semibold">Not graded yet:</span> the policies, the score and the fixes appear when {platformName} has been graded.
      </p>
    );
  }
  if (noData.length > 0) {
    return (
      <p className="mb-4 rounded-lg border border-slate-200 bg-white p-3 text-sm text-slate-700" data-testid="platform-state" data-state="no-data">
        <span className="font-semibold">No data for {noData.length === 1 ? "1 policy" : `${noData.length} policies`}:</span> {noData.map((result) => result.title).join(", ")}.
        They earn 0 points until the facts they need are known; the policies below say what is missing.
      </p>
    );
  }
  return null;
}
