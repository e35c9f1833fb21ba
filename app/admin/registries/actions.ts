"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionState } from "@/app/orgs/[org]/settings/actions";
import { requireViewer } from "@/lib/auth/get-viewer";
import { addRegistry, checkRegistryConnection, registryOrganizations, removeRegistry, rotateEventToken } from "@/lib/data/admin/manage-registries";
import { getEnv, MAX_SYNC_INTERVAL_MINUTES } from "@/lib/env";
import { AppError, publicMessage } from "@/lib/errors";
import { queueSyncNow } from "@/lib/sync/queue-sync-now";
import { logger } from "@/lib/log";

const organizationName = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

const newRegistrySchema = z.object({
  kind: z.enum(["DISTRIBUTION", "DOCKERHUB", "OCI_LAYOUT"], { message: "Choose the registry kind." }),
  url: z.string().trim().max(2048),
  hubApiUrl: z.string().trim().max(2048),
  username: z.string().trim().max(255),
  password: z.string().max(4096),
  insecure: z.boolean(),
  syncIntervalMinutes: z
    .string()
    .trim()
    .transform((value) => (value === "" ? null : Number(value)))
    .refine((value) => value === null || (Number.isInteger(value) && value >= 1 && value <= MAX_SYNC_INTERVAL_MINUTES), `Enter the sync interval as whole minutes from 1 to ${MAX_SYNC_INTERVAL_MINUTES}, or leave it empty.`),
  organizations: z
    .string()
    .transform((value) => [...new Set(value.split(",").map((name) => name.trim()).filter(Boolean))])
    .refine((names) => names.length > 0, "Enter at least one organization to sync.")
    .refine((names) => names.every((name) => organizationName.test(name)), "Organizations are lowercase path components separated by commas, as `acme, platform`."),
});

const registryIdSchema = z.object({ registryId: z.string().trim().min(1).max(64) });

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** Runs a registry change for a site administrator and turns its errors into a message. */
async function perform(label: string, change: () => Promise<ActionState>): Promise<ActionState> {
  try {
    return await change();
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error }, `${label} failed`);
    return { ok: false, message: publicMessage(error) };
  }
}

/** Adds a registry and shows its push event token once. */
export async function addRegistryAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = newRegistrySchema.safeParse({
    kind: text(form, "kind"),
    url: text(form, "url"),
    hubApiUrl: text(form, "hubApiUrl"),
    username: text(form, "username"),
    password: text(form, "password"),
    insecure: form.get("insecure") === "on",
    syncIntervalMinutes: text(form, "syncIntervalMinutes"),
    organizations: text(form, "organizations"),
  });
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join(" ") };

  return perform("adding a registry", async () => {
    const added = await addRegistry(viewer, parsed.data, getEnv());
    revalidatePath("/admin/registries");
    return {
      ok: true,
      message: `Registry added. Its push event token is shown only now: ${added.eventToken}. Send distribution notifications to ${added.eventPath} with the header "Authorization: Bearer TOKEN", or point a Docker Hub webhook at ${added.eventPath}?token=TOKEN.`,
    };
  });
}

/** Tests a registry's connection and reports each check. */
export async function testRegistryConnectionAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = registryIdSchema.safeParse({ registryId: text(form, "registryId") });
  if (!parsed.success) return { ok: false, message: "The registry id is missing. Reload the page and try again." };

  return perform("testing a registry connection", async () => {
    const checks = await checkRegistryConnection(viewer, parsed.data.registryId, getEnv());
    const summary = checks.map((check) => `${check.ok ? "✓" : "✗"} ${check.name}: ${check.message}`).join(" ");
    return { ok: checks.every((check) => check.ok), message: summary };
  });
}

/** Queues a sync of each organization of a registry now. */
export async function syncRegistryNowAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = registryIdSchema.safeParse({ registryId: text(form, "registryId") });
  if (!parsed.success) return { ok: false, message: "The registry id is missing. Reload the page and try again." };

  return perform("queueing a registry sync", async () => {
    const organizations = await registryOrganizations(viewer, parsed.data.registryId);
    await queueSyncNow(getEnv().DATABASE_URL, organizations);
    revalidatePath("/admin/registries");
    return { ok: true, message: `Sync queued for ${organizations.join(", ")}. Its progress appears under Recent syncs.` };
  });
}

/** Replaces a registry's push event token and shows the new one once. */
export async function rotateEventTokenAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = registryIdSchema.safeParse({ registryId: text(form, "registryId") });
  if (!parsed.success) return { ok: false, message: "The registry id is missing. Reload the page and try again." };

  return perform("rotating a push event token", async () => {
    const rotated = await rotateEventToken(viewer, parsed.data.registryId);
    revalidatePath("/admin/registries");
    return { ok: true, message: `New push event token, shown only now: ${rotated.eventToken}. Update the registry's notification header or webhook URL for ${rotated.eventPath}; the old token no longer works.` };
  });
}

/** Removes a registry added on the page; its organizations keep their data but are no longer synced. */
export async function removeRegistryAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = registryIdSchema.safeParse({ registryId: text(form, "registryId") });
  if (!parsed.success) return { ok: false, message: "The registry id is missing. Reload the page and try again." };

  return perform("removing a registry", async () => {
    const removed = await removeRegistry(viewer, parsed.data.registryId, getEnv());
    revalidatePath("/admin/registries");
    const kept = removed.organizations.length > 0 ? ` ${removed.organizations.join(", ")} keep their repositories and grades, and are no longer synced.` : "";
    return { ok: true, message: `Removed ${removed.url}.${kept}` };
  });
}
