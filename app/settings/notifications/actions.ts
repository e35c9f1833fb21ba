"use server";

import { z } from "zod";
import { requireViewer } from "@/lib/auth/get-viewer";
import { createOwnRule, deleteOwnRule } from "@/lib/notifications/manage-rules";
import { issuesMessage, performChange, type ActionState } from "@/lib/notifications/perform-change";
import { ruleFields, ruleInputSchema } from "@/lib/notifications/rule-input";

// Every action validates its form with zod and takes identity from the session only.

const PAGE = "/settings/notifications";

export async function createOwnRuleAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = ruleInputSchema.safeParse(ruleFields(form));
  if (!parsed.success) return issuesMessage(parsed.error.issues);
  return performChange(PAGE, async () => {
    await createOwnRule(viewer, parsed.data);
    return "Rule created.";
  });
}

export async function deleteOwnRuleAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = z.object({ ruleId: z.string().trim().min(1).max(64) }).safeParse({ ruleId: form.get("ruleId") });
  if (!parsed.success) return issuesMessage(parsed.error.issues);
  return performChange(PAGE, async () => {
    await deleteOwnRule(viewer, parsed.data.ruleId);
    return "Rule deleted.";
  });
}
