import { ActionForm } from "@/components/settings/action-form";
import { ExceptionStateBadge } from "@/components/settings/exception-state-badge";
import { formatDate } from "@/components/format";
import { TableHead } from "@/components/table-head";
import type { ListedException } from "@/lib/data/settings/exceptions";

/** Renders an organization's exceptions with their scope and state, and a revoke button for those in force. */
export function ExceptionTable({
  organization,
  exceptions,
  revokeAction,
}: {
  organization: string;
  exceptions: ListedException[];
  revokeAction: (state: { ok: boolean; message: string }, form: FormData) => Promise<{ ok: boolean; message: string }>;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
        <caption className="sr-only">Vulnerability exceptions of {organization}, newest first</caption>
        <TableHead
          columns={[
            { label: "Vulnerability" },
            { label: "Scope" },
            { label: "Reason" },
            { label: "Author" },
            { label: "Created" },
            { label: "Expires" },
            { label: "State" },
            { label: "Actions", hidden: true },
          ]}
        />
        <tbody>
          {exceptions.map((exception) => (
            <tr
              key={exception.id}
              className={`border-t border-slate-100 align-top ${exception.state === "expiring" ? "bg-amber-50" : ""}`}
              data-exception={exception.vulnerabilityId}
              data-state={exception.state}
            >
              <td className="px-3 py-2 font-mono whitespace-nowrap">{exception.vulnerabilityId}</td>
              <td className="px-3 py-2">
                <ExceptionScope exception={exception} />
              </td>
              <td className="max-w-sm px-3 py-2 break-words whitespace-pre-line">{exception.reason}</td>
              <td className="px-3 py-2 break-all">{exception.author}</td>
              <td className="px-3 py-2 whitespace-nowrap">{formatDate(exception.createdAt)}</td>
              <td className="px-3 py-2 whitespace-nowrap">{exception.expiresAt ? formatDate(exception.expiresAt) : "Never"}</td>
              <td className="px-3 py-2">
                <ExceptionStateBadge state={exception.state} />
                {exception.revokedAt && <span className="mt-1 block text-xs whitespace-nowrap text-slate-500">{formatDate(exception.revokedAt)}</span>}
              </td>
              <td className="px-3 py-2">
                {(exception.state === "active" || exception.state === "expiring") && (
                  <ActionForm
                    action={revokeAction}
                    label={`Revoke the exception for ${exception.vulnerabilityId}`}
                    confirmation={`Revoke the exception for ${exception.vulnerabilityId}? The vulnerability counts against grades again.`}
                  >
                    <input type="hidden" name="exceptionId" value={exception.id} />
                    <button type="submit" className="text-sm text-red-700 hover:underline">
                      Revoke
                    </button>
                  </ActionForm>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ExceptionScope({ exception }: { exception: ListedException }) {
  return (
    <ul className="space-y-0.5">
      <li>{exception.repository ?? "All repositories"}</li>
      {exception.tagPattern && (
        <li>
          Tags <code className="rounded bg-slate-100 px-1 font-mono">{exception.tagPattern}</code>
        </li>
      )}
      {exception.packagePattern && (
        <li className="break-all">
          Packages <code className="rounded bg-slate-100 px-1 font-mono">{exception.packagePattern}</code>
        </li>
      )}
    </ul>
  );
}
