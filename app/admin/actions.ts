"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionState } from "@/app/orgs/[org]/settings/actions";
import { requireViewer } from "@/lib/auth/get-viewer";
import { addOrganizationOwner } from "@/lib/data/admin/manage-organizations";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";

const schema = z.object({
  organization: z
    .string()
    .trim()
    .regex(/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/, "Organization names are one lowercase path component, as `acme` in acme/api."),
  email: z.string().trim().toLowerCase().email("Enter a valid e-mail address.").max(320),
});

/** Adds an owner to an organization (creating it when new); for site administrators only. */
export async function addOrganizationOwnerAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  const parsed = schema.safeParse({ organization: form.get("organization"), email: form.get("email") });
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join(" ") };
  try {
    const added = await addOrganizationOwner(viewer, parsed.data);
    revalidatePath("/admin");
    if (!added.passwordToken) return { ok: true, message: `${added.email} now owns ${added.organization}.` };
    return {
      ok: true,
      message: `${added.email} now owns ${added.organization}. Send them this one-time link to set a password; it expires ${added.passwordToken.expiresAt.toISOString()}.`,
      link: `/set-password?token=${added.passwordToken.token}`,
    };
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error }, "adding an organization owner failed");
    return { ok: false, message: publicMessage(error) };
  }
}
