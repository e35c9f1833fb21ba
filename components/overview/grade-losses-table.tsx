import Link from "next/link";
import { formatPercent, repositoryPath } from "@/components/format";
import { GradeBadge } from "@/components/grades/grade-badge";
import { formatPoints } from "@/components/overview/overview-format";
import { TableHead } from "@/components/table-head";
import type { GradeLoss } from "@/lib/data/get-org-overview";

/** Lists the repositories that lost the most points in the window, with their grade before and after and the main cause. */
export function GradeLossesTable({ losses, windowDays }: { losses: GradeLoss[]; windowDays: number }) {
  return (
    <section aria-labelledby="losses-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="losses-heading" className="text-lg font-semibold">
        Biggest losses
      </h2>
      <p className="mb-3 text-sm text-slate-600">Repositories that lost the most percentage points in the last {windowDays} days.</p>
      {losses.length === 0 ? (
        <p className="text-slate-600">No repository lost points in the last {windowDays} days.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">Repositories that lost the most points in the last {windowDays} days</caption>
            <TableHead columns={[{ label: "Repository" }, { label: "Grade" }, { label: "Points", align: "right" }, { label: "Main cause" }]} />
            <tbody>
              {losses.map((loss) => (
                <tr key={loss.name} className="border-t border-slate-100" data-repository={loss.name}>
                  <td className="px-3 py-2">
                    <Link href={`${repositoryPath(loss.name)}/general`} className="font-medium text-blue-700 hover:underline">
                      {loss.name}
                    </Link>
                  </td>
                  <td className="px-3 py-2">
                    <span className="flex items-center gap-1 whitespace-nowrap">
                      <GradeBadge grade={loss.gradeBefore} />
                      <span aria-hidden="true">→</span>
                      <span className="sr-only">to</span>
                      <GradeBadge grade={loss.gradeAfter} />
                      <span className="ml-1 text-slate-600">
                        {formatPercent(loss.percentBefore)} → {formatPercent(loss.percentAfter)}
                      </span>
                    </span>
                  </td>
                  <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">{formatPoints(loss.points)}</td>
                  <td className="px-3 py-2">{loss.cause}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
