import type { Metadata } from "next";
import { formatDate } from "@/components/format";
import { requireViewer } from "@/lib/auth/get-viewer";
import { getOrganizationSettings } from "@/lib/data/settings/get-organization-settings";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";
import { TableHead } from "@/components/table-head";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ params }: { params: Promise<{ org: string }> }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const { organization, auditEvents } = await orNotFound(getOrganizationSettings(viewer, org));
  if (auditEvents.length === 0) return <p className="text-slate-600">No changes have been made to {organization.name} yet.</p>;
  return (
    <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
      <caption className="sr-only">Changes to {organization.name}, newest first</caption>
      <TableHead columns={[{ label: "When" }, { label: "Who" }, { label: "What" }, { label: "Target" }, { label: "Details" }]} />
      <tbody>
        {auditEvents.map((event) => (
          <tr key={event.id} className="border-t border-slate-100" data-action={event.action}>
            <td className="px-3 py-2 whitespace-nowrap">{formatDate(event.createdAt)}</td>
            <td className="px-3 py-2">{event.actor?.email ?? "deleted account"}</td>
            <td className="px-3 py-2 font-mono">{event.action}</td>
            <td className="px-3 py-2">{event.target}</td>
            <td className="px-3 py-2 font-mono text-xs">{JSON.stringify(event.details)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
