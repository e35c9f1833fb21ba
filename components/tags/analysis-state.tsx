import { formatDate, shortDigest } from "@/components/format";
import type { ImageAnalysisSummary } from "@/lib/data/get-image-analysis";

/** Maximum problems listed in the disclosure. The rest are counted, so an image with thousands keeps a usable page. */
const MAX_PROBLEMS_SHOWN = 200;

/** Renders whether the image is analysed, why it is not, and the records the catalogers skipped. */
export function AnalysisState({ analysis }: { analysis: ImageAnalysisSummary }) {
  if (analysis.status === "PENDING") {
    return (
      <p className="text-slate-600" data-testid="analysis-state" data-status="pending">
        Analysing: the operating system and the packages appear here when the analysis has finished.
      </p>
    );
  }

  if (analysis.status === "FAILED") {
    return (
      <div className="rounded border border-red-200 bg-red-50 p-3 text-red-900" data-testid="analysis-state" data-status="failed">
        <p>
          <span className="font-semibold">Not analysed:</span> {analysis.reason ?? "no reason was recorded"}
        </p>
      </div>
    );
  }

  const listedProblems = analysis.problems.slice(0, MAX_PROBLEMS_SHOWN);
  return (
    <div data-testid="analysis-state" data-status="analysed">
      <p className="text-slate-600">
        Analysed {formatDate(analysis.analysedAt)}: {plural(analysis.packageCount, "package")}
        {analysis.problems.length > 0 ? `, ${plural(analysis.problems.length, "problem")}` : ""}.
      </p>
      {/* An analysis that fails after an earlier complete one keeps that result and records why the new one failed. */}
      {analysis.reason !== null && <p className="mt-1 text-amber-900">{analysis.reason}</p>}
      {analysis.problems.length > 0 && (
        <details className="mt-2 rounded border border-amber-200 bg-amber-50 p-2 text-amber-950" data-testid="analysis-problems">
          <summary className="cursor-pointer">
            {plural(analysis.problems.length, "problem")}: records that could not be read were skipped
          </summary>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            {listedProblems.map((problem, index) => (
              <li key={index}>
                {problem.path !== null && <span className="font-mono break-all">{problem.path}</span>}
                {problem.layerDigest !== null && (
                  <>
                    {" "}
                    in layer{" "}
                    <span className="font-mono" title={problem.layerDigest}>
                      {shortDigest(problem.layerDigest)}
                    </span>
                  </>
                )}
                {(problem.path !== null || problem.layerDigest !== null) && ": "}
                {problem.message}
              </li>
            ))}
          </ul>
          {analysis.problems.length > listedProblems.length && <p className="mt-2">…and {analysis.problems.length - listedProblems.length} more not listed here.</p>}
        </details>
      )}
    </div>
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
