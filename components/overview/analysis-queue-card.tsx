import { formatTagCount } from "@/components/overview/overview-format";
import type { AnalysisQueue } from "@/lib/data/get-org-overview";

/** Shows how many tags wait for image analysis and how many have an image whose analysis failed. */
export function AnalysisQueueCard({ queue }: { queue: AnalysisQueue }) {
  return (
    <section aria-labelledby="analysis-heading" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="analysis-queue">
      <h2 id="analysis-heading" className="text-sm font-semibold text-slate-600">
        Analysis queue
      </h2>
      <p className="mt-1">
        <span className="text-lg font-semibold tabular-nums">{formatTagCount(queue.waiting)}</span> waiting for analysis
      </p>
      <p className={`mt-1 text-sm ${queue.failed > 0 ? "font-semibold text-red-800" : "text-slate-600"}`}>{formatTagCount(queue.failed)} failed analysis</p>
    </section>
  );
}
