"use server";

import { z } from "zod";
import { getPrisma } from "@/lib/db";
import { unsubscribe } from "@/lib/notifications/unsubscribe-token";

export interface UnsubscribeState {
  done: boolean;
  message: string;
}

/**
 * Unsubscribes the link's recipient from its one rule. It needs no session, because
 * the signed token names the rule and the user. It runs only on the form's POST,
 * so a mail scanner that follows the link does not unsubscribe anyone.
 */
export async function unsubscribeAction(_state: UnsubscribeState, form: FormData): Promise<UnsubscribeState> {
  const parsed = z.string().min(1).max(512).safeParse(form.get("token"));
  if (!parsed.success) return { done: false, message: "The unsubscribe link is missing its token. Open the link from the e-mail again." };
  const target = await unsubscribe(getPrisma(), parsed.data);
  if (!target) return { done: false, message: "This unsubscribe link is invalid or its rule no longer exists. Manage your rules under your notification settings." };
  return { done: true, message: `You are unsubscribed from this rule of ${target.organization}. Other rules still apply.` };
}
