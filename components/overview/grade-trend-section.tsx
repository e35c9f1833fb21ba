import { GradeTrendChart, type TrendPoint } from "@/components/overview/grade-trend-chart";
import { bucketLabel } from "@/components/overview/overview-format";
import { TableHead } from "@/components/table-head";
import { gradeBuckets, type TrendDay } from "@/lib/data/get-org-overview";

/** Describes one day of the trend in words, e.g. "1 A, 2 B and 1 not graded". */
function describeDay(day: TrendDay): string {
  const parts = gradeBuckets.filter((grade) => day.counts[grade] > 0).map((grade) => `${day.counts[grade]} ${grade === "none" ? "not graded" : grade}`);
  const last = parts.pop();
  if (last === undefined) return "no repositories";
  return parts.length === 0 ? last : `${parts.join(", ")} and ${last}`;
}

/** Shows the daily repositories per grade as a stacked area chart, with the same numbers in a table that opens on request. */
export function GradeTrendSection({ trend }: { trend: TrendDay[] }) {
  const points: TrendPoint[] = trend.map((day) => ({ day: day.day, ...day.counts }));
  const first = trend[0];
  const last = trend.at(-1);
  const description =
    first && last
      ? `Repositories per grade at the end of each day from ${first.day} to ${last.day}: ${describeDay(first)} on ${first.day}, ${describeDay(last)} on ${last.day}.`
      : "No trend data.";
  return (
    <section aria-labelledby="trend-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="trend-heading" className="text-lg font-semibold">
        Grades over the last {trend.length} days
      </h2>
      <p className="mb-2 text-sm text-slate-600">Repositories per grade at the end of each day (UTC).</p>
      <GradeTrendChart points={points} description={description} />
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-blue-700 hover:underline">Show the numbers as a table</summary>
        <div className="mt-2 max-h-80 overflow-auto">
          <table className="w-full text-right tabular-nums">
            <caption className="sr-only">Repositories per grade at the end of each day</caption>
            <TableHead columns={[{ label: "Day" }, ...gradeBuckets.map((grade) => ({ label: bucketLabel(grade), align: "right" as const }))]} />
            <tbody>
              {[...trend].reverse().map((day) => (
                <tr key={day.day} className="border-t border-slate-100">
                  <th scope="row" className="px-3 py-1 text-left font-normal whitespace-nowrap">
                    {day.day}
                  </th>
                  {gradeBuckets.map((grade) => (
                    <td key={grade} className="px-3 py-1">
                      {day.counts[grade]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
