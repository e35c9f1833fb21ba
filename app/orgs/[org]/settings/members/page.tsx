import type { Metadata } from "next";
import { ActionForm } from "@/components/settings/action-form";
import { formatDate } from "@/components/format";
import { addMemberAction, changeRoleAction, removeMemberAction } from "@/app/orgs/[org]/settings/actions";
import { requireViewer } from "@/lib/auth/get-viewer";
import { getOrganizationSettings } from "@/lib/data/settings/get-organization-settings";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";
import { TableHead } from "@/components/table-head";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Members" };

const inputClass = "rounded border border-slate-300 px-2 py-1";
const buttonClass = "rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800";

export default async function MembersPage({ params }: { params: Promise<{ org: string }> }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const { organization, members } = await orNotFound(getOrganizationSettings(viewer, org));

  return (
    <div className="space-y-6">
      <section aria-labelledby="add-member" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="add-member" className="mb-3 font-semibold">Add a member</h2>
        <ActionForm action={addMemberAction} label="Add a member" className="flex flex-wrap items-end gap-3">
          <input type="hidden" name="org" value={organization.name} />
          <label className="flex flex-col text-sm">
            E-mail
            <input name="email" type="email" required className={inputClass} />
          </label>
          <label className="flex flex-col text-sm">
            Role
            <select name="role" defaultValue="MEMBER" className={inputClass}>
              <option value="MEMBER">Member</option>
              <option value="OWNER">Owner</option>
            </select>
          </label>
          <button type="submit" className={buttonClass}>Add</button>
        </ActionForm>
      </section>

      <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
        <caption className="sr-only">Members of {organization.name}</caption>
        <TableHead columns={[{ label: "Member" }, { label: "Role" }, { label: "Since" }, { label: "Actions", hidden: true }]} />
        <tbody>
          {members.map((member) => (
            <tr key={member.userId} className="border-t border-slate-100" data-member={member.email}>
              <td className="px-3 py-2 break-all">
                {member.email}
                {!member.hasPassword && <span className="ml-2 text-xs text-slate-500">(has not set a password)</span>}
              </td>
              <td className="px-3 py-2">
                <ActionForm action={changeRoleAction} label={`Role of ${member.email}`} className="flex gap-2">
                  <input type="hidden" name="org" value={organization.name} />
                  <input type="hidden" name="userId" value={member.userId} />
                  <select name="role" defaultValue={member.role} aria-label={`Role of ${member.email}`} className={inputClass}>
                    <option value="MEMBER">Member</option>
                    <option value="OWNER">Owner</option>
                  </select>
                  <button type="submit" className="text-sm text-blue-700 hover:underline">Save</button>
                </ActionForm>
              </td>
              <td className="px-3 py-2">{formatDate(member.since)}</td>
              <td className="px-3 py-2">
                <ActionForm action={removeMemberAction} label={`Remove ${member.email}`} confirmation={`Remove ${member.email} from ${organization.name} and all of its teams?`}>
                  <input type="hidden" name="org" value={organization.name} />
                  <input type="hidden" name="userId" value={member.userId} />
                  <button type="submit" className="text-sm text-red-700 hover:underline">Remove</button>
                </ActionForm>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
