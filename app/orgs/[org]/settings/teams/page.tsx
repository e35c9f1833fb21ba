import type { Metadata } from "next";
import { ActionForm } from "@/components/settings/action-form";
import {
  addTeamMemberAction,
  createTeamAction,
  deleteTeamAction,
  removeTeamMemberAction,
  renameTeamAction,
  setDefaultPermissionAction,
  setTeamPermissionAction,
} from "@/app/orgs/[org]/settings/actions";
import { requireViewer } from "@/lib/auth/get-viewer";
import { getOrganizationSettings } from "@/lib/data/settings/get-organization-settings";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Teams and permissions" };

const inputClass = "rounded border border-slate-300 px-2 py-1";
const buttonClass = "rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800";
const permissionOptions = [
  { value: "NONE", label: "No access" },
  { value: "READ", label: "Read-only" },
  { value: "WRITE", label: "Read & Write" },
  { value: "ADMIN", label: "Admin" },
];

export default async function TeamsPage({ params }: { params: Promise<{ org: string }> }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const { organization, teams, members, repositories } = await orNotFound(getOrganizationSettings(viewer, org));
  const hidden = <input type="hidden" name="org" value={organization.name} />;

  return (
    <div className="space-y-6">
      <section aria-labelledby="default-permission" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="default-permission" className="mb-1 font-semibold">Default permission</h2>
        <p className="mb-3 text-sm text-slate-600">What every member may do on every repository, on top of their teams. Owners always have Admin.</p>
        <ActionForm action={setDefaultPermissionAction} label="Default permission" className="flex gap-3">
          {hidden}
          <select name="permission" defaultValue={organization.defaultPermission ?? "NONE"} aria-label="Default permission" className={inputClass}>
            {permissionOptions.map((option) => (
              <option key={option.value} value={option.value}>{option.label}</option>
            ))}
          </select>
          <button type="submit" className={buttonClass}>Save</button>
        </ActionForm>
      </section>

      <section aria-labelledby="create-team" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="create-team" className="mb-3 font-semibold">Create a team</h2>
        <ActionForm action={createTeamAction} label="Create a team" className="flex gap-3">
          {hidden}
          <input name="name" required aria-label="Team name" placeholder="Team name" className={inputClass} />
          <button type="submit" className={buttonClass}>Create</button>
        </ActionForm>
      </section>

      {teams.map((team) => {
        const memberIds = new Set(team.members.map((entry) => entry.user.id));
        const permissionByRepository = new Map(team.permissions.map((entry) => [entry.repository.id, entry.permission]));
        return (
          <section key={team.id} aria-label={`Team ${team.name}`} data-team={team.name} className="rounded-lg border border-slate-200 bg-white p-4">
            <div className="flex flex-wrap items-center gap-4">
              <h2 className="text-lg font-semibold">{team.name}</h2>
              <ActionForm action={renameTeamAction} label={`Rename ${team.name}`} className="flex gap-2">
                {hidden}
                <input type="hidden" name="teamId" value={team.id} />
                <input name="name" defaultValue={team.name} aria-label={`New name for ${team.name}`} className={inputClass} />
                <button type="submit" className="text-sm text-blue-700 hover:underline">Rename</button>
              </ActionForm>
              <ActionForm action={deleteTeamAction} label={`Delete ${team.name}`} confirmation={`Delete team ${team.name} and the permissions it grants?`}>
                {hidden}
                <input type="hidden" name="teamId" value={team.id} />
                <button type="submit" className="text-sm text-red-700 hover:underline">Delete team</button>
              </ActionForm>
            </div>

            <h3 className="mt-4 mb-2 font-medium">Members</h3>
            <ul className="mb-2 space-y-1 text-sm">
              {team.members.map(({ user }) => (
                <li key={user.id} className="flex items-center gap-3">
                  {user.email}
                  <ActionForm action={removeTeamMemberAction} label={`Remove ${user.email} from ${team.name}`}>
                    {hidden}
                    <input type="hidden" name="teamId" value={team.id} />
                    <input type="hidden" name="userId" value={user.id} />
                    <button type="submit" className="text-red-700 hover:underline">Remove</button>
                  </ActionForm>
                </li>
              ))}
            </ul>
            <ActionForm action={addTeamMemberAction} label={`Add a member to ${team.name}`} className="flex gap-2">
              {hidden}
              <input type="hidden" name="teamId" value={team.id} />
              <select name="userId" aria-label={`Member to add to ${team.name}`} className={inputClass}>
                {members.filter((member) => !memberIds.has(member.userId)).map((member) => (
                  <option key={member.userId} value={member.userId}>{member.email}</option>
                ))}
              </select>
              <button type="submit" className="text-sm text-blue-700 hover:underline">Add to team</button>
            </ActionForm>

            <h3 className="mt-4 mb-2 font-medium">Repository permissions</h3>
            <table className="w-full text-sm">
              <caption className="sr-only">Permissions of team {team.name}</caption>
              <tbody>
                {repositories.map((repository) => (
                  <tr key={repository.id} className="border-t border-slate-100">
                    <td className="py-1 pr-3">{repository.name}</td>
                    <td className="py-1">
                      <ActionForm action={setTeamPermissionAction} label={`Permission of ${team.name} on ${repository.name}`} className="flex gap-2">
                        {hidden}
                        <input type="hidden" name="teamId" value={team.id} />
                        <input type="hidden" name="repositoryId" value={repository.id} />
                        <select name="permission" defaultValue={permissionByRepository.get(repository.id) ?? "NONE"} aria-label={`Permission of ${team.name} on ${repository.name}`} className={inputClass}>
                          {permissionOptions.map((option) => (
                            <option key={option.value} value={option.value}>{option.label}</option>
                          ))}
                        </select>
                        <button type="submit" className="text-blue-700 hover:underline">Save</button>
                      </ActionForm>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </div>
  );
}
