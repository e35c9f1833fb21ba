import { formatDate } from "@/components/format";

interface SyncRunSummary {
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  tagsSeen: number;
  errors: unknown;
}

/** Renders the organization's last sync: when it ran, its status, and each error it recorded. */
export function SyncStatus({ run }: { run: SyncRunSummary | null }) {
  if (!run) return <p className="mt-1 text-sm text-slate-600">Not synced yet.</p>;
  const errors = Array.isArray(run.errors) ? (run.errors as { message?: string }[]) : [];
  return (
    <div className="mt-1 text-sm text-slate-600" data-testid="sync-status">
      <p>
        Last sync {formatDate(run.startedAt)}: {run.status.toLowerCase()}, {run.tagsSeen} tags
        {run.durationMs !== null ? ` in ${(run.durationMs / 1000).toFixed(1)} s` : ""}.
      </p>
      {errors.length > 0 && (
        <details className="mt-2 rounded border border-red-200 bg-red-50 p-2 text-red-900">
          <summary>{errors.length} sync errors</summary>
          <ul className="mt-1 list-disc pl-5">
            {errors.map((error, index) => (
              <li key={index}>{error.message ?? "Unknown error"}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
