import { InlineCode } from "@/components/inline-code";
import type { PolicyResult } from "@/scoring";

const statusStyles = {
  pass: { label: "Passed", className: "bg-green-100 text-green-800" },
  fail: { label: "Failed", className: "bg-red-100 text-red-800" },
  "no-data": { label: "No data", className: "bg-slate-200 text-slate-700" },
} as const;

/** Lists each policy with its status, points, reason, evidence and fix. */
export function PolicyBreakdown({ results }: { results: PolicyResult[] }) {
  return (
    <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" aria-label="Policies">
      {results.map((result) => {
        const status = statusStyles[result.status];
        return (
          <li key={result.id} className="p-4" data-policy={result.id} data-status={result.status}>
            <div className="flex flex-wrap items-center gap-3">
              <span className={`rounded px-2 py-0.5 text-xs font-semibold ${status.className}`}>{status.label}</span>
              <h3 className="font-medium">{result.title}</h3>
              <span className="ml-auto text-sm text-slate-600">
                {result.points} / {result.weight} points
              </span>
            </div>
            <p className="mt-2 text-sm text-slate-700">
              <InlineCode text={result.summary} />
            </p>
            {result.evidence.length > 0 && (
              <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
                {result.evidence.map((item, index) => (
                  <div key={index} className="contents">
                    <dt className="text-slate-500">{item.label}</dt>
                    <dd className="font-mono break-all">{item.value}</dd>
                  </div>
                ))}
              </dl>
            )}
            {result.remediation && (
              <p className="mt-2 rounded bg-amber-50 p-2 text-sm text-amber-900">
                <span className="font-semibold">Fix: </span>
                <InlineCode text={result.remediation} />
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
