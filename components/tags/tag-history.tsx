import { formatDate, formatPercent, shortDigest } from "@/components/format";
import { GradeBadge } from "@/components/grades/grade-badge";
import { TableHead } from "@/components/table-head";
import type { TagHistory as History } from "@/lib/data/get-tag-details";

/** Cause ids listed per change. The rest are counted. */
const MAX_CAUSE_IDS_SHOWN = 5;

/** Renders the tag's grade changes with their causes, and every digest the tag has pointed to. */
export function TagHistory({ history }: { history: History }) {
  return (
    <div className="grid gap-4 lg:grid-cols-[3fr_2fr]">
      <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <h3 className="mb-2 font-semibold">Grade changes</h3>
        {history.gradeChanges.length === 0 ? (
          <p className="text-slate-600" data-testid="grade-changes-none">
            No grade has been recorded for this tag yet.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full" data-testid="grade-changes">
              <caption className="sr-only">Grade changes of the tag, newest first</caption>
              <TableHead columns={[{ label: "Date" }, { label: "Grade" }, { label: "Cause" }, { label: "Digest" }]} />
              <tbody>
                {history.gradeChanges.map((change, index) => (
                  <tr key={index} className="border-t border-slate-100 align-top" data-cause={change.cause}>
                    <td className="px-3 py-1.5 whitespace-nowrap">{formatDate(change.changedAt)}</td>
                    <td className="px-3 py-1.5">
                      <span className="flex items-center gap-1.5 whitespace-nowrap">
                        {change.fromGrade === null ? (
                          <span className="text-slate-600">none</span>
                        ) : (
                          <>
                            <GradeBadge grade={change.fromGrade} /> {formatPercent(change.fromPercent)}
                          </>
                        )}
                        <span aria-hidden="true">→</span>
                        <span className="sr-only">to</span>
                        <GradeBadge grade={change.toGrade} /> {formatPercent(change.toPercent)}
                      </span>
                    </td>
                    <td className="px-3 py-1.5">
                      {change.cause}
                      <CauseIds ids={change.causeIds} />
                    </td>
                    <td className="px-3 py-1.5 font-mono whitespace-nowrap" title={change.digest ?? undefined}>
                      {change.digest === null ? "—" : shortDigest(change.digest)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {history.gradeChangeCount > history.gradeChanges.length && (
          <p className="mt-2 text-slate-600">{history.gradeChangeCount - history.gradeChanges.length} older changes are not listed.</p>
        )}
      </div>
      <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <h3 className="mb-2 font-semibold">Digests</h3>
        {history.digests.length === 0 ? (
          <p className="text-slate-600">No digest has been recorded for this tag.</p>
        ) : (
          <ol className="space-y-1" aria-label="Digests the tag pointed to, newest first" data-testid="tag-digests">
            {history.digests.map((entry, index) => (
              <li key={index} data-current={entry.current}>
                <span className="font-mono break-all">{entry.digest}</span>
                <span className="block text-slate-600">
                  seen from {formatDate(entry.seenAt)}
                  {entry.current && <span className="ml-1 rounded bg-blue-100 px-1.5 text-xs font-semibold text-blue-900">current</span>}
                </span>
              </li>
            ))}
          </ol>
        )}
        {history.digestCount > history.digests.length && <p className="mt-2 text-slate-600">{history.digestCount - history.digests.length} older digests are not listed.</p>}
      </div>
    </div>
  );
}

function CauseIds({ ids }: { ids: string[] }) {
  if (ids.length === 0) return null;
  const shown = ids.slice(0, MAX_CAUSE_IDS_SHOWN);
  return (
    <span className="block font-mono text-xs break-all text-slate-600">
      {shown.join(", ")}
      {ids.length > shown.length && <span className="font-sans"> and {ids.length - shown.length} more</span>}
    </span>
  );
}
