import Link from "next/link";
import { formatDate, formatPercent, repositoryPath } from "@/components/format";
import { GradeBadge } from "@/components/grades/grade-badge";
import { TableHead } from "@/components/table-head";
import type { RepositoryList } from "@/lib/data/list-repositories";

/** Renders one page of the repository list, with the range shown out of the total in the caption. */
export function RepositoryTable({ list }: { list: RepositoryList }) {
  const firstRow = (list.page - 1) * list.pageSize + 1;
  const lastRow = firstRow + list.repositories.length - 1;
  return (
    <div className="overflow-x-auto">
      <table className="w-full rounded-lg border border-slate-200 bg-white text-sm" data-testid="repository-table">
        <caption className="caption-top pb-2 text-left text-slate-600" data-testid="repository-range">
          Repositories {firstRow.toLocaleString("en")}–{lastRow.toLocaleString("en")} of {list.total.toLocaleString("en")}, each with the grade of its most recently
          pushed tag
        </caption>
        <TableHead columns={[{ label: "Grade" }, { label: "Repository" }, { label: "Last pushed" }, { label: "Tags", align: "right" }]} />
        <tbody>
          {list.repositories.map((repository) => (
            <tr key={repository.name} className="border-t border-slate-100" data-repository={repository.name}>
              <td className="px-3 py-2">
                <span className="flex items-center gap-2">
                  <GradeBadge grade={repository.grade} />
                  <span className="whitespace-nowrap text-slate-600">{formatPercent(repository.percent)}</span>
                </span>
              </td>
              <td className="px-3 py-2">
                <Link href={`${repositoryPath(repository.name)}/general`} className="font-medium text-blue-700 hover:underline">
                  {repository.name}
                </Link>
                {repository.lastSyncError && (
                  <span className="ml-2 rounded bg-red-100 px-1.5 text-xs text-red-800" title={repository.lastSyncError}>
                    sync error
                  </span>
                )}
              </td>
              <td className="px-3 py-2">{formatDate(repository.lastPushedAt)}</td>
              <td className="px-3 py-2 text-right">{repository.tagCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
