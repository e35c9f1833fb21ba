import { TableHead } from "@/components/table-head";

export interface SyncRunRow {
  id: string;
  /** Set when the runs of several organizations share the table. */
  organization?: string;
  repository: string | null;
  status: string;
  startedAt: Date;
  repositoriesSeen: number;
  tagsChanged: number;
  errors: unknown;
}

/** Renders recent sync runs with their status and counts, newest first. */
export function SyncRunTable({ runs, showOrganization }: { runs: SyncRunRow[]; showOrganization: boolean }) {
  const columns = [
    ...(showOrganization ? [{ label: "Organization" }] : []),
    { label: "Repository" },
    { label: "Status" },
    { label: "Started" },
    { label: "Repositories", align: "right" as const },
    { label: "Tags changed", align: "right" as const },
    { label: "Errors", align: "right" as const },
  ];
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="text-left font-medium">Recent syncs</caption>
        <TableHead columns={columns} />
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} className="border-t border-slate-100" data-sync-status={run.status}>
              {showOrganization && <td className="px-3 py-2">{run.organization}</td>}
              <td className="px-3 py-2">{run.repository ?? "all"}</td>
              <td className="px-3 py-2">{run.status.toLowerCase()}</td>
              <td className="px-3 py-2">{run.startedAt.toISOString().replace("T", " ").slice(0, 19)} UTC</td>
              <td className="px-3 py-2 text-right">{run.repositoriesSeen}</td>
              <td className="px-3 py-2 text-right">{run.tagsChanged}</td>
              <td className="px-3 py-2 text-right">{Array.isArray(run.errors) ? run.errors.length : 0}</td>
            </tr>
          ))}
          {runs.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="px-3 py-2 text-slate-600">No syncs yet.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
