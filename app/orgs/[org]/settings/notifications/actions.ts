"use server";

import { z } from "zod";
import { requireViewer } from "@/lib/auth/get-viewer";
import { createOrganizationRule, deleteOrganizationRule } from "@/lib/notifications/manage-rules";
import { createWebhook, deleteWebhook, resumeWebhook } from "@/lib/notifications/manage-webhooks";
import { issuesMessage, performChange, type ActionState } from "@/lib/notifications/perform-change";
import { ruleFields, ruleInputSchema } from "@/lib/notifications/rule-input";

// Every action validates its form with zod, takes identity from the session
// only, and leaves the owner check to the data function it calls.

const organizationName = z.string().trim().min(1).max(255);
const id = z.string().trim().min(1).max(64);

function pageOf(org: string): string {
  return `/orgs/${org}/settings/notifications`;
}

/** Validates a team or webhook rule form and creates the rule for the chosen target. */
async function createTargetRule(form: FormData, target: { field: "teamId" | "webhookId"; noun: string }): Promise<ActionState> {
  const viewer = await requireViewer();
  const targetId = z.string({ message: `Choose a ${target.noun}.` }).trim().min(1, `Choose a ${target.noun}.`).max(64);
  const parsed = ruleInputSchema.extend({ targetId }).safeParse({ ...ruleFields(form), targetId: form.get(target.field) });
  if (!parsed.success) return issuesMessage(parsed.error.issues);
  const ruleTarget = target.field === "teamId" ? { teamId: parsed.data.targetId } : { webhookId: parsed.data.targetId };
  return performChange(pageOf(parsed.data.org), async () => {
    await createOrganizationRule(viewer, { ...parsed.data, target: ruleTarget });
    return `${target.noun === "team" ? "Team" : "Webhook"} rule created.`;
  });
}

export async function createTeamRuleAction(_state: ActionState, form: FormData): Promise<ActionState> {
  return createTargetRule(form, { field: "teamId", noun: "team" });
}

export async function createWebhookRuleAction(_state: ActionState, form: FormData): Promise<ActionState> {
  return createTargetRule(form, { field: "webhookId", noun: "webhook" });
}

export async function deleteOrganizationRuleAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = z.object({ org: organizationName, ruleId: id }).safeParse(Object.fromEntries(form));
  if (!parsed.success) return issuesMessage(parsed.error.issues);
  return performChange(pageOf(parsed.data.org), async () => {
    await deleteOrganizationRule(viewer, parsed.data.org, parsed.data.ruleId);
    return "Rule deleted.";
  });
}

const webhookSchema = z.object({
  org: organizationName,
  name: z
    .string()
    .trim()
    .min(1, "Enter a webhook name.")
    .max(64, "Webhook names are at most 64 characters.")
    .regex(/^[\w .-]+$/, "Webhook names may contain letters, digits, spaces, dots, dashes and underscores."),
  url: z.string().trim().min(1, "Enter the webhook URL.").max(2048, "Webhook URLs are at most 2048 characters."),
  format: z.enum(["GENERIC", "SLACK"], { message: "The format must be GENERIC or SLACK." }),
});

export async function createWebhookAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = webhookSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return issuesMessage(parsed.error.issues);
  return performChange(pageOf(parsed.data.org), async () => {
    const { webhook, secret } = await createWebhook(viewer, parsed.data);
    return `Webhook ${webhook.name} created. Its signing secret is shown only now, so copy it to the receiver: ${secret}`;
  });
}

export async function deleteWebhookAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = z.object({ org: organizationName, webhookId: id }).safeParse(Object.fromEntries(form));
  if (!parsed.success) return issuesMessage(parsed.error.issues);
  return performChange(pageOf(parsed.data.org), async () => {
    await deleteWebhook(viewer, parsed.data.org, parsed.data.webhookId);
    return "Webhook deleted.";
  });
}

export async function resumeWebhookAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = z.object({ org: organizationName, webhookId: id }).safeParse(Object.fromEntries(form));
  if (!parsed.success) return issuesMessage(parsed.error.issues);
  return performChange(pageOf(parsed.data.org), async () => {
    const requeued = await resumeWebhook(viewer, parsed.data.org, parsed.data.webhookId);
    return `Webhook resumed; ${requeued} failed ${requeued === 1 ? "delivery is" : "deliveries are"} sent again.`;
  });
}
