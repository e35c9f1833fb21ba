import { GradeBadge } from "@/components/grades/grade-badge";
import { formatPercent } from "@/components/format";
import type { PolicyResult } from "@/scoring";

interface Report {
  grade: string | null;
  percent: number | null;
  earned: number;
  possible: number;
  engineVersion: string;
  policyConfigVersion: number;
  advisorySnapshot: string | null;
  results: PolicyResult[];
}

/** Renders the score as a sum: each policy's points, the total, the percent and the grade boundaries. */
export function ScoreArithmetic({ report }: { report: Report }) {
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
          <tr className="text-left text-slate-500">
            <th scope="col" className="py-1 font-normal">Policy</th>
            <th scope="col" className="py-1 text-right font-normal">Earned</th>
            <th scope="col" className="py-1 text-right font-normal">Possible</th>
          </tr>
        </thead>
        <tbody>
          {report.results.map((result) => (
            <tr key={result.id} className="border-t border-slate-100">
              <td className="py-1">{result.title}</td>
              <td className="py-1 text-right">{result.points}</td>
              <td className="py-1 text-right">{result.weight}</td>
            </tr>
          ))}
          <tr className="border-t border-slate-300 font-semibold">
            <td className="py-1">Total</td>
            <td className="py-1 text-right">{report.earned}</td>
            <td className="py-1 text-right">{report.possible}</td>
          </tr>
        </tbody>
      </table>
      <p className="mt-3 text-xs text-slate-500">
        Grades: A above 90 %, B above 70 %, C above 50 %, D above 30 %, E above 10 %, F at 10 % or below. Policies without data earn 0 points and
        still count. Engine {report.engineVersion}, policy configuration version {report.policyConfigVersion}, advisories{" "}
        {report.advisorySnapshot ?? "not imported"}.
      </p>
    </section>
  );
}
