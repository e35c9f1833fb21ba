import type { Metadata } from "next";
import { createOwnRuleAction, deleteOwnRuleAction } from "@/app/settings/notifications/actions";
import { RuleFields } from "@/components/notifications/rule-fields";
import { RuleListItem } from "@/components/notifications/rule-list-item";
import { ActionForm } from "@/components/settings/action-form";
import { requireViewer } from "@/lib/auth/get-viewer";
import { listOwnRules } from "@/lib/notifications/manage-rules";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Your notifications" };

const buttonClass = "rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800";

export default async function NotificationsPage() {
  const viewer = await requireViewer();
  const { organizations, repositories, rules } = await listOwnRules(viewer);

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Your notifications</h1>
      <p className="text-sm text-slate-600">
        Choose which events are e-mailed to {viewer.email}. You are only told about repositories you may read, checked again when each message is sent.
      </p>

      <section aria-labelledby="own-rules" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="own-rules" className="mb-3 font-semibold">Your rules</h2>
        {rules.length === 0 ? (
          <p className="text-sm text-slate-600">You have no notification rules yet.</p>
        ) : (
          <ul className="space-y-2" aria-label="Your rules">
            {rules.map((rule) => (
              <RuleListItem key={rule.id} rule={rule} heading={rule.organization.name} deleteAction={deleteOwnRuleAction} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="create-rule" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="create-rule" className="mb-3 font-semibold">Create a rule</h2>
        {organizations.length === 0 ? (
          <p className="text-sm text-slate-600">You are not a member of any organization yet.</p>
        ) : (
          <ActionForm action={createOwnRuleAction} label="Create a rule" className="space-y-3">
            <label className="block text-sm">
              Organization
              <select name="org" aria-label="Organization" defaultValue={organizations[0]!.name} className="ml-2 rounded border border-slate-300 px-2 py-1">
                {organizations.map((organization) => (
                  <option key={organization.id} value={organization.name}>{organization.name}</option>
                ))}
              </select>
            </label>
            <RuleFields repositories={repositories} />
            <button type="submit" className={buttonClass}>Create rule</button>
          </ActionForm>
        )}
      </section>
    </div>
  );
}
