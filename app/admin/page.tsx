import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm } from "@/components/settings/action-form";
import { addOrganizationOwnerAction } from "@/app/admin/actions";
import { requireViewer } from "@/lib/auth/get-viewer";
import { listAllOrganizations } from "@/lib/data/admin/manage-organizations";
import { orNotFound } from "@/lib/data/or-not-found";
import { TableHead } from "@/components/table-head";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Site administration" };

const inputClass = "rounded border border-slate-300 px-2 py-1";

export default async function AdminPage() {
  const viewer = await requireViewer();
  const organizations = await orNotFound(listAllOrganizations(viewer));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Site administration</h1>
      <section aria-labelledby="add-owner" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="add-owner" className="mb-1 font-semibold">Add an organization owner</h2>
        <p className="mb-3 text-sm text-slate-600">Creates the organization when it is new. Owners then manage members, teams and permissions. Registries are configured by environment variables and under <Link href="/admin/registries" className="text-blue-700 underline">Registries</Link>.</p>
        <ActionForm action={addOrganizationOwnerAction} label="Add an organization owner" className="flex flex-wrap items-end gap-3">
          <label className="flex flex-col text-sm">
            Organization
            <input name="organization" required className={inputClass} />
          </label>
          <label className="flex flex-col text-sm">
            Owner e-mail
            <input name="email" type="email" required className={inputClass} />
          </label>
          <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800">Add owner</button>
        </ActionForm>
      </section>
      <div className="overflow-x-auto">
        <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
          <caption className="sr-only">All organizations</caption>
          <TableHead columns={[{ label: "Organization" }, { label: "Registry" }, { label: "Owners" }, { label: "Members", align: "right" }, { label: "Repositories", align: "right" }]} />
          <tbody>
            {organizations.map((organization) => (
              <tr key={organization.name} className="border-t border-slate-100" data-organization={organization.name}>
                <td className="px-3 py-2 font-medium">{organization.name}</td>
                <td className="px-3 py-2 break-all">{organization.registry ?? "—"}</td>
                <td className="px-3 py-2">{organization.owners.join(", ") || "none"}</td>
                <td className="px-3 py-2 text-right">{organization.memberCount}</td>
                <td className="px-3 py-2 text-right">{organization.repositoryCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
