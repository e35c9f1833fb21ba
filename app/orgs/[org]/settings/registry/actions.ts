"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionState } from "@/app/orgs/[org]/settings/actions";
import { requireViewer } from "@/lib/auth/get-viewer";
import { organizationToSync, testOrganizationRegistry } from "@/lib/data/settings/organization-registry";
import { getEnv } from "@/lib/env";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import { queueSyncNow } from "@/lib/sync/queue-sync-now";

const schema = z.object({ org: z.string().trim().min(1).max(255) });

/** Tests the organization's registry connection; for its owners. */
export async function testOrganizationRegistryAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = schema.safeParse({ org: form.get("org") });
  if (!parsed.success) return { ok: false, message: "The organization is missing. Reload the page and try again." };
  try {
    const checks = await testOrganizationRegistry(viewer, parsed.data.org, getEnv());
    const summary = checks.map((check) => `${check.ok ? "✓" : "✗"} ${check.name}: ${check.message}`).join(" ");
    return { ok: checks.every((check) => check.ok), message: summary };
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error, org: parsed.data.org }, "testing an organization's registry failed");
    return { ok: false, message: publicMessage(error) };
  }
}

/** Queues a sync of the organization now; for its owners. */
export async function syncOrganizationNowAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = schema.safeParse({ org: form.get("org") });
  if (!parsed.success) return { ok: false, message: "The organization is missing. Reload the page and try again." };
  try {
    const organization = await organizationToSync(viewer, parsed.data.org);
    await queueSyncNow(getEnv().DATABASE_URL, [organization]);
    revalidatePath(`/orgs/${organization}/settings/registry`);
    return { ok: true, message: `Sync queued for ${organization}. Its progress appears under Recent syncs.` };
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error, org: parsed.data.org }, "queueing an organization sync failed");
    return { ok: false, message: publicMessage(error) };
  }
}
