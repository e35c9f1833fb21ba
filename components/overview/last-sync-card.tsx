import { formatDate } from "@/components/format";
import type { LastSync } from "@/lib/data/get-org-overview";

const statusLabels: Record<string, { label: string; className: string }> = {
  RUNNING: { label: "Running", className: "bg-blue-100 text-blue-800" },
  SUCCEEDED: { label: "Succeeded", className: "bg-green-100 text-green-800" },
  PARTIAL: { label: "Partly failed", className: "bg-amber-100 text-amber-900" },
  FAILED: { label: "Failed", className: "bg-red-100 text-red-800" },
};

/** Shows the organization's last sync: its status, when it started, how long it took and how many errors it recorded. */
export function LastSyncCard({ run }: { run: LastSync | null }) {
  const status = run ? (statusLabels[run.status] ?? { label: run.status.toLowerCase(), className: "bg-slate-200 text-slate-700" }) : null;
  return (
    <section aria-labelledby="sync-heading" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="last-sync">
      <h2 id="sync-heading" className="text-sm font-semibold text-slate-600">
        Last sync
      </h2>
      {run && status ? (
        <>
          <p className="mt-1 flex items-center gap-2">
            <span className={`rounded px-2 py-0.5 text-xs font-semibold ${status.className}`}>{status.label}</span>
            <span className="text-sm">{formatDate(run.startedAt)}</span>
          </p>
          <p className="mt-1 text-sm text-slate-600">
            {run.durationMs === null ? "Not finished yet" : `Took ${(run.durationMs / 1000).toFixed(1)} s`},{" "}
            <span className={run.errorCount > 0 ? "font-semibold text-red-800" : undefined}>
              {run.errorCount} {run.errorCount === 1 ? "error" : "errors"}
            </span>
          </p>
        </>
      ) : (
        <p className="mt-1 text-sm text-slate-600">Not synced yet.</p>
      )}
    </section>
  );
}
