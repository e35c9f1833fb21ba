"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireViewer } from "@/lib/auth/get-viewer";
import { previewPolicySettings, savePolicySettings, type PolicyPreviewView } from "@/lib/data/settings/policies";
import { policyFormValuesFrom, type PolicyFormValues } from "@/lib/data/settings/policy-form";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";

// The page binds the organization name from its URL as the first argument. The
// data functions resolve it to an organization the signed-in viewer owns, so
// the organization never comes from a form field, and every call checks
// ownership again.

export interface PolicyFormState {
  /** "previewed" carries a preview that Save confirms; "invalid" carries a message per input. */
  status: "idle" | "invalid" | "previewed" | "saved" | "failed";
  message: string;
  /** The values the form shows after the action: always the submitted ones, so nothing typed is lost. */
  values: PolicyFormValues;
  fieldErrors: Record<string, string[]>;
  formErrors: string[];
  preview: PolicyPreviewView | null;
}

const organizationName = z.string().min(1).max(255);
const saveInput = z.object({
  baseVersion: z.coerce.number().int().min(1),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
});

/** Checks the bound organization name, which a client can change, before any query uses it. */
function organizationOf(org: unknown): string {
  const parsed = organizationName.safeParse(org);
  if (!parsed.success) throw new AppError("NOT_FOUND", "That organization was not found. Reload the page and try again.");
  return parsed.data;
}

function regradeNote(regradedImages: number | null): string {
  if (regradedImages === null) return "Re-grading the images failed, so their grades do not show the change yet. The server log has the details.";
  if (regradedImages === 1) return "1 image was re-graded.";
  return `${regradedImages} images were re-graded.`;
}

function previewMessage(preview: PolicyPreviewView): string {
  const changed = preview.changedTagCount;
  const tags = changed === 1 ? "1 tag changes grade" : `${changed === 0 ? "No" : changed} tags change grade`;
  return `Preview against version ${preview.baseVersion}: ${tags} of ${preview.tagCount}. Check the changes below, then save.`;
}

/** Runs Preview or Save, chosen by the button that submitted the form. */
export async function policySettingsAction(org: string, state: PolicyFormState, form: FormData): Promise<PolicyFormState> {
  const viewer = await requireViewer();
  const values = policyFormValuesFrom(form);
  const intent = form.get("intent");
  const failed = (message: string): PolicyFormState => ({ status: "failed", message, values, fieldErrors: {}, formErrors: [], preview: null });

  try {
    if (intent === "preview") {
      const preview = await previewPolicySettings(viewer, organizationOf(org), values);
      return { status: "previewed", message: previewMessage(preview), values, fieldErrors: {}, formErrors: [], preview };
    }
    if (intent === "save") {
      const expected = saveInput.safeParse({ baseVersion: form.get("baseVersion"), fingerprint: form.get("fingerprint") });
      if (!expected.success) return failed("Preview the settings before saving them.");
      const saved = await savePolicySettings(viewer, organizationOf(org), values, { expected: expected.data });
      revalidatePath(`/orgs/${org}/settings`, "layout");
      revalidatePath(`/orgs/${org}/repositories`);
      return { status: "saved", message: `Saved version ${saved.version}. ${regradeNote(saved.regradedImages)}`, values, fieldErrors: {}, formErrors: [], preview: null };
    }
    return failed("The form was sent without choosing Preview or Save. Reload the page and try again.");
  } catch (error) {
    if (error instanceof AppError && error.code === "INVALID_INPUT") {
      const fieldErrors = (error.details.fieldErrors ?? {}) as Record<string, string[]>;
      const formErrors = (error.details.formErrors ?? []) as string[];
      const count = Object.keys(fieldErrors).length;
      const action = intent === "save" ? "saved" : "previewed";
      const message = count === 0 ? error.message : `The settings were not ${action}. Fix the ${count === 1 ? "field" : `${count} fields`} marked below.`;
      return { status: "invalid", message, values, fieldErrors, formErrors, preview: null };
    }
    if (!(error instanceof AppError)) logger.error({ err: error, org, intent }, "the policy settings action failed");
    // A failed save keeps the preview it was based on, unless the preview is what went stale.
    const keepPreview = intent === "save" && !(error instanceof AppError && error.code === "CONFLICT") ? state.preview : null;
    return { ...failed(publicMessage(error)), preview: keepPreview };
  }
}
