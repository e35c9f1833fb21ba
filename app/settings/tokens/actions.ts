"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { createApiToken, MAX_TOKEN_NAME_LENGTH, revokeApiToken, tokenLifetimes } from "@/lib/api/api-tokens";
import { TOKEN_SETTINGS_PATH } from "@/lib/api/authenticate-token";
import { requireViewer } from "@/lib/auth/get-viewer";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";

// Each action validates its form with zod and takes identity from the session only.

export interface TokenActionState {
  ok: boolean;
  message: string;
  /** The new token, returned once so the page can show it; it is stored only as a hash. */
  token?: string;
}

const createSchema = z.object({
  name: z.string().trim().min(1, "Enter a token name, such as CI.").max(MAX_TOKEN_NAME_LENGTH, `Token names are at most ${MAX_TOKEN_NAME_LENGTH} characters.`),
  expiry: z.enum(tokenLifetimes, { error: `Choose an expiry: ${tokenLifetimes.join(", ")} days.` }),
});
const revokeSchema = z.object({ tokenId: z.string().trim().min(1).max(64) });

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

function failed(error: unknown): TokenActionState {
  if (!(error instanceof AppError)) logger.error({ err: error }, "token change failed");
  return { ok: false, message: publicMessage(error) };
}

export async function createTokenAction(_state: TokenActionState, form: FormData): Promise<TokenActionState> {
  const viewer = await requireViewer();
  const parsed = createSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join(" ") };

  try {
    const expiresInDays = parsed.data.expiry === "never" ? null : Number(parsed.data.expiry);
    const { token, summary } = await createApiToken(viewer, { name: parsed.data.name, expiresInDays });
    revalidatePath(TOKEN_SETTINGS_PATH);
    return { ok: true, message: `Token ${summary.name} created. Copy it now: it is not shown again.`, token };
  } catch (error) {
    return failed(error);
  }
}

export async function revokeTokenAction(_state: TokenActionState, form: FormData): Promise<TokenActionState> {
  const viewer = await requireViewer();
  const parsed = revokeSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: "The form did not name a token. Reload the page and try again." };

  try {
    const revoked = await revokeApiToken(viewer, parsed.data.tokenId);
    revalidatePath(TOKEN_SETTINGS_PATH);
    return { ok: true, message: `Token ${revoked.name} revoked.` };
  } catch (error) {
    return failed(error);
  }
}
