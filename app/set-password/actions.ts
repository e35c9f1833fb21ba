"use server";

import { z } from "zod";
import { setPasswordWithToken } from "@/lib/auth/accounts";
import { maxPasswordLength } from "@/lib/auth/password";
import { getPrisma } from "@/lib/db";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";

export interface SetPasswordState {
  ok: boolean;
  message: string;
}

const schema = z.object({
  token: z.string().min(1, "This set-password link is incomplete. Open the whole link you were sent.").max(128),
  password: z.string().max(maxPasswordLength, `The password must be at most ${maxPasswordLength} characters long.`),
  confirmation: z.string(),
});

/** Sets a password from a one-time link; the token is the only identity this action accepts. */
export async function setPasswordAction(_state: SetPasswordState, form: FormData): Promise<SetPasswordState> {
  const parsed = schema.safeParse({ token: form.get("token"), password: form.get("password"), confirmation: form.get("confirmation") });
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join(" ") };
  if (parsed.data.password !== parsed.data.confirmation) return { ok: false, message: "The two passwords do not match." };
  try {
    const { email } = await setPasswordWithToken(getPrisma(), parsed.data.token, parsed.data.password);
    return { ok: true, message: `The password for ${email} is set. You can sign in now.` };
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error }, "setting a password failed");
    return { ok: false, message: publicMessage(error) };
  }
}
