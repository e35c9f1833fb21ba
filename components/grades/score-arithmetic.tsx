import { GradeBadge } from "@/components/grades/grade-badge";
import { formatDate, formatPercent } from "@/components/format";
import type { PolicyResult } from "@/scoring";

/** Cause ids listed in the reproducibility facts. The rest are counted. */
const MAX_CAUSE_IDS_SHOWN = 5;

const statusLabels = { pass: "Passed", fail: "Failed", "no-data": "No data" } as const;

interface Report {
  grade: string | null;
  percent: number | null;
  earned: number;
  possible: number;
  engineVersion: string;
  policyConfigVersion: number;
  advisorySnapshot: string | null;
  gradedAt: Date;
  /** Why the report was made: "push", "analysis", "advisory update" … Null for reports that did not record it. */
  cause: string | null;
  causeIds: string[];
  results: PolicyResult[];
}

/**
 * Renders the score as a sum: each policy's weight, status and points, the
 * total, the percent and the grade boundaries, then what the report was
 * graded with, so the grade can be reproduced.
 */
export function ScoreArithmetic({ report }: { report: Report }) {
  const shownIds = report.causeIds.slice(0, MAX_CAUSE_IDS_SHOWN);
  return (
    <section aria-label="Score arithmetic" className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex items-center gap-4">
        <GradeBadge grade={report.grade} size="lg" />
        <p className="text-lg" data-testid="score-sum">
          {report.earned} of {report.possible} points = {formatPercent(report.percent)}
          {report.grade ? ` → ${report.grade}` : " (not graded)"}
        </p>
      </div>
      <table className="mt-4 w-full text-sm">
        <caption className="sr-only">Points per policy</caption>
        <thead>
          <tr className="text-left text-slate-600">
            <th scope="col" className="py-1 font-normal">
              Policy
            </th>
            <th scope="col" className="py-1 font-normal">
              Status
            </th>
            <th scope="col" className="py-1 pl-3 text-right font-normal">
              Earned
            </th>
            <th scope="col" className="py-1 pl-3 text-right font-normal">
              Weight
            </th>
          </tr>
        </thead>
        <tbody>
          {report.results.map((result) => (
            <tr key={result.id} className="border-t border-slate-100" data-policy-row={result.id}>
              <td className="py-1 pr-2">{result.title}</td>
              <td className="py-1 pr-2 whitespace-nowrap">{statusLabels[result.status]}</td>
              <td className="py-1 text-right">{result.points}</td>
              <td className="py-1 text-right">{result.weight}</td>
            </tr>
          ))}
          <tr className="border-t border-slate-300 font-semibold">
            <td className="py-1" colSpan={2}>
              Total
            </td>
            <td className="py-1 text-right">{report.earned}</td>
            <td className="py-1 text-right">{report.possible}</td>
          </tr>
        </tbody>
      </table>
      <p className="mt-3 text-xs text-slate-600">
        Grades: A above 90 %, B above 70 %, C above 50 %, D above 30 %, E above 10 %, F at 10 % or below. Policies without data earn 0 points and still count.
      </p>
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 border-t border-slate-100 pt-3 text-xs" data-testid="report-reproducibility">
        <dt className="text-slate-600">Graded</dt>
        <dd>
          {formatDate(report.gradedAt)}
          {report.cause !== null && (
            <>
              {" "}
              after: {report.cause}
              {shownIds.length > 0 && (
                <>
                  {" "}
                  (<span className="font-mono">{shownIds.join(", ")}</span>
                  {report.causeIds.length > shownIds.length ? ` and ${report.causeIds.length - shownIds.length} more` : ""})
                </>
              )}
            </>
          )}
        </dd>
        <dt className="text-slate-600">Policy configuration</dt>
        <dd data-testid="report-config-version">version {report.policyConfigVersion}</dd>
        <dt className="text-slate-600">Advisory snapshot</dt>
        <dd className="font-mono break-all" data-testid="report-advisory-snapshot">
          {report.advisorySnapshot ?? <span className="font-sans">none: graded before any advisory import</span>}
        </dd>
        <dt className="text-slate-600">Scoring engine</dt>
        <dd className="font-mono" data-testid="report-engine-version">
          {report.engineVersion}
        </dd>
      </dl>
    </section>
  );
}
