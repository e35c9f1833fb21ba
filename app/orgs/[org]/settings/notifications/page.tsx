import type { Metadata } from "next";
import {
  createTeamRuleAction,
  createWebhookAction,
  createWebhookRuleAction,
  deleteOrganizationRuleAction,
  deleteWebhookAction,
  resumeWebhookAction,
} from "@/app/orgs/[org]/settings/notifications/actions";
import { RuleFields } from "@/components/notifications/rule-fields";
import { RuleListItem } from "@/components/notifications/rule-list-item";
import { ActionForm } from "@/components/settings/action-form";
import { requireViewer } from "@/lib/auth/get-viewer";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";
import { getOrganizationNotifications } from "@/lib/notifications/manage-webhooks";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Notifications" };

const inputClass = "rounded border border-slate-300 px-2 py-1";
const buttonClass = "rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800";
const sectionClass = "rounded-lg border border-slate-200 bg-white p-4";

export default async function OrganizationNotificationsPage({ params }: { params: Promise<{ org: string }> }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const { organization, teams, repositories, webhooks, rules, deliveries } = await orNotFound(getOrganizationNotifications(viewer, org));
  const hidden = <input type="hidden" name="org" value={organization.name} />;

  return (
    <div className="space-y-6">
      <section aria-labelledby="organization-rules" className={sectionClass}>
        <h2 id="organization-rules" className="mb-3 font-semibold">Team and webhook rules</h2>
        {rules.length === 0 ? (
          <p className="text-sm text-slate-600">No team or webhook rules yet. Members choose their own rules under their notification settings.</p>
        ) : (
          <ul className="space-y-2" aria-label="Team and webhook rules">
            {rules.map((rule) => (
              <RuleListItem key={rule.id} rule={rule} heading={rule.team ? `Team ${rule.team.name}` : `Webhook ${rule.webhook?.name ?? ""}`} deleteAction={deleteOrganizationRuleAction} hiddenFields={hidden} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="team-rule" className={sectionClass}>
        <h2 id="team-rule" className="mb-3 font-semibold">Create a team rule</h2>
        <p className="mb-3 text-sm text-slate-600">Every member of the team is e-mailed about repositories they may read, and can unsubscribe from the rule.</p>
        {teams.length === 0 ? (
          <p className="text-sm text-slate-600">Create a team first.</p>
        ) : (
          <ActionForm action={createTeamRuleAction} label="Create a team rule" className="space-y-3">
            {hidden}
            <label className="block text-sm">
              Team
              <select name="teamId" aria-label="Team" className={`${inputClass} ml-2`}>
                {teams.map((team) => (
                  <option key={team.id} value={team.id}>{team.name}</option>
                ))}
              </select>
            </label>
            <RuleFields repositories={repositories} />
            <button type="submit" className={buttonClass}>Create team rule</button>
          </ActionForm>
        )}
      </section>

      <section aria-labelledby="webhooks" className={sectionClass}>
        <h2 id="webhooks" className="mb-3 font-semibold">Webhooks</h2>
        <ul className="mb-4 space-y-2" aria-label="Webhooks">
          {webhooks.map((webhook) => (
            <li key={webhook.id} className="flex flex-wrap items-center gap-3 text-sm" data-webhook={webhook.name}>
              <span>
                <strong>{webhook.name}</strong> ({webhook.format === "SLACK" ? "Slack" : "JSON"}) <span className="font-mono">{webhook.url}</span>
              </span>
              {webhook.pausedAt ? (
                <>
                  <span className="text-red-800" role="note">Paused: {webhook.pauseReason}</span>
                  <ActionForm action={resumeWebhookAction} label={`Resume ${webhook.name}`}>
                    {hidden}
                    <input type="hidden" name="webhookId" value={webhook.id} />
                    <button type="submit" className="text-blue-700 hover:underline">Resume</button>
                  </ActionForm>
                </>
              ) : (
                <span className="text-green-800">Active</span>
              )}
              <ActionForm action={deleteWebhookAction} label={`Delete ${webhook.name}`} confirmation={`Delete webhook ${webhook.name}, its rules and its delivery log?`}>
                {hidden}
                <input type="hidden" name="webhookId" value={webhook.id} />
                <button type="submit" className="text-red-700 hover:underline">Delete</button>
              </ActionForm>
            </li>
          ))}
        </ul>
        <ActionForm action={createWebhookAction} label="Create a webhook" className="flex flex-wrap items-end gap-3">
          {hidden}
          <input name="name" required aria-label="Webhook name" placeholder="Name" className={inputClass} />
          <input name="url" required aria-label="Webhook URL" placeholder="https://hooks.example.com/shipshape" className={`${inputClass} w-96`} />
          <select name="format" aria-label="Webhook format" defaultValue="GENERIC" className={inputClass}>
            <option value="GENERIC">JSON (signed)</option>
            <option value="SLACK">Slack incoming webhook</option>
          </select>
          <button type="submit" className={buttonClass}>Create webhook</button>
        </ActionForm>
      </section>

      {webhooks.length > 0 && (
        <section aria-labelledby="webhook-rule" className={sectionClass}>
          <h2 id="webhook-rule" className="mb-3 font-semibold">Create a webhook rule</h2>
          <ActionForm action={createWebhookRuleAction} label="Create a webhook rule" className="space-y-3">
            {hidden}
            <label className="block text-sm">
              Webhook
              <select name="webhookId" aria-label="Webhook" className={`${inputClass} ml-2`}>
                {webhooks.map((webhook) => (
                  <option key={webhook.id} value={webhook.id}>{webhook.name}</option>
                ))}
              </select>
            </label>
            <RuleFields repositories={repositories} />
            <button type="submit" className={buttonClass}>Create webhook rule</button>
          </ActionForm>
        </section>
      )}

      <section aria-labelledby="deliveries" className={sectionClass}>
        <h2 id="deliveries" className="mb-3 font-semibold">Webhook deliveries</h2>
        {deliveries.length === 0 ? (
          <p className="text-sm text-slate-600">No webhook deliveries yet.</p>
        ) : (
          <table className="w-full text-left text-sm" aria-label="Webhook deliveries">
            <thead>
              <tr className="border-b border-slate-200">
                <th className="py-1">Created</th>
                <th>Webhook</th>
                <th>Events</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Last response</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((delivery) => (
                <tr key={delivery.id} className="border-b border-slate-100 align-top" data-delivery={delivery.id}>
                  <td className="py-1">{delivery.createdAt.toISOString().replace("T", " ").slice(0, 19)} UTC</td>
                  <td>{delivery.webhook?.name}</td>
                  <td>{delivery._count.dispatches}</td>
                  <td>{delivery.status}</td>
                  <td>{delivery.attempts}</td>
                  <td className="max-w-md break-words">
                    {delivery.lastStatus !== null && <span className="font-mono">HTTP {delivery.lastStatus} </span>}
                    {delivery.lastError && <span className="text-red-800">{delivery.lastError} </span>}
                    {delivery.lastResponse && <span className="font-mono text-slate-600">{delivery.lastResponse.slice(0, 200)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
