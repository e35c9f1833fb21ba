import { GradeBadge } from "@/components/grades/grade-badge";
import { formatDate, formatPercent, shortDigest } from "@/components/format";
import { GradeHistoryChart, type GradeHistoryPoint } from "@/components/history/grade-history-chart";
import type { RepositoryGradeChange } from "@/lib/data/get-repository-overview";

/** Changes listed under the chart; the chart draws every loaded change. */
const LISTED_CHANGES = 20;

/** Cause ids shown per change; the rest are counted. */
const LISTED_CAUSE_IDS = 5;

interface GradeHistoryProps {
  /** Newest first, as getRepositoryOverview loads them. */
  changes: RepositoryGradeChange[];
  /** Every recorded change, including those not loaded. */
  total: number;
  /** The time the page is rendered, where the chart's line ends. */
  now: Date;
}

/** Renders the repository's grade history: a chart of its score over time and a list of the latest changes with their causes. */
export function GradeHistory({ changes, total, now }: GradeHistoryProps) {
  if (changes.length === 0) {
    return <p className="text-slate-600">No grade has been recorded for this repository yet.</p>;
  }

  const points: GradeHistoryPoint[] = changes
    .filter((change) => change.toPercent !== null)
    .map((change) => ({ time: change.changedAt.getTime(), percent: change.toPercent ?? 0, grade: change.toGrade }))
    .reverse();
  const listed = changes.slice(0, LISTED_CHANGES);

  return (
    <div className="grid gap-4">
      {points.length > 0 && (
        <figure className="rounded-lg border border-slate-200 bg-white p-3" data-testid="grade-history-chart">
          <div role="img" aria-label={describePoints(points)}>
            <GradeHistoryChart points={points} now={now.getTime()} />
          </div>
          <figcaption className="mt-1 text-xs text-slate-600">
            Score in percent at each recorded change{changes.length < total ? `, for the latest ${changes.length} of ${total} changes` : ""}. Dashed lines mark the grade boundaries
            at 90, 70, 50, 30 and 10 %.
          </figcaption>
        </figure>
      )}
      <div className="overflow-x-auto">
        <table className="w-full rounded-lg border border-slate-200 bg-white text-sm" data-testid="grade-history-list">
          <caption className="caption-top pb-2 text-left text-slate-600">
            {total > listed.length ? `The latest ${listed.length} of ${total} grade changes` : `${total} grade ${total === 1 ? "change" : "changes"}`}
          </caption>
          <thead className="bg-slate-100 text-left text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2">
                Date
              </th>
              <th scope="col" className="px-3 py-2">
                Change
              </th>
              <th scope="col" className="px-3 py-2">
                Cause
              </th>
            </tr>
          </thead>
          <tbody>
            {listed.map((change, index) => (
              <tr key={`${change.changedAt.toISOString()} ${index}`} className="border-t border-slate-100" data-cause={change.cause}>
                <td className="px-3 py-2 whitespace-nowrap">{formatDate(change.changedAt)}</td>
                <td className="px-3 py-2">
                  <span className="flex flex-wrap items-center gap-2">
                    <GradeBadge grade={change.fromGrade} />
                    {change.fromPercent !== null && <span className="text-slate-600">{formatPercent(change.fromPercent)}</span>}
                    <span aria-hidden="true">→</span>
                    <span className="sr-only">to</span>
                    <GradeBadge grade={change.toGrade} />
                    <span className="text-slate-600">{formatPercent(change.toPercent)}</span>
                  </span>
                </td>
                <td className="px-3 py-2">
                  <CauseText change={change} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function CauseText({ change }: { change: RepositoryGradeChange }) {
  const shown = change.causeIds.slice(0, LISTED_CAUSE_IDS);
  const hidden = change.causeIds.length - shown.length;
  return (
    <>
      {change.cause}
      {shown.length > 0 && (
        <span className="text-slate-600">
          : <span className="font-mono break-all">{shown.join(", ")}</span>
          {hidden > 0 && ` and ${hidden} more`}
        </span>
      )}
      {change.digest !== null && (
        <span className="block font-mono text-xs text-slate-600" title={change.digest}>
          {shortDigest(change.digest)}
        </span>
      )}
    </>
  );
}

/** Summarises the chart for screen readers; the table of changes carries the details. */
function describePoints(points: GradeHistoryPoint[]): string {
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined) return "";
  const percents = points.map((point) => point.percent);
  const grade = (point: GradeHistoryPoint) => (point.grade ? ` (${point.grade})` : "");
  return (
    `Score of the repository over ${points.length} recorded ${points.length === 1 ? "change" : "changes"} since ${formatDate(new Date(first.time))}: ` +
    `first ${formatPercent(first.percent)}${grade(first)}, now ${formatPercent(last.percent)}${grade(last)}, ` +
    `lowest ${formatPercent(Math.min(...percents))}, highest ${formatPercent(Math.max(...percents))}.`
  );
}
