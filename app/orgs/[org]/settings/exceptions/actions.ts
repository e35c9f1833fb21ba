"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireViewer } from "@/lib/auth/get-viewer";
import { addException, exceptionFields, revokeException, type ExceptionFieldErrors, type ExceptionFormValues } from "@/lib/data/settings/exceptions";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";

// The page binds the organization name from its URL as the first argument. The
// data functions resolve it to an organization the signed-in viewer owns, so the
// organization id never comes from the request, and an exception id is only
// looked up together with that organization's id.

export interface ExceptionFormState {
  ok: boolean;
  message: string;
  /** Values the form shows after the action: those submitted after a failure, empty ones after a success. */
  values: ExceptionFormValues;
  fieldErrors: ExceptionFieldErrors;
}

export interface RevokeState {
  ok: boolean;
  message: string;
}

const organizationName = z.string().min(1).max(255);

/** Checks the bound organization name, which a client can change, before any query uses it. */
function organizationOf(org: unknown): string {
  const parsed = organizationName.safeParse(org);
  if (!parsed.success) throw new AppError("NOT_FOUND", "That organization was not found. Reload the page and try again.");
  return parsed.data;
}
const revokeInput = z.object({ exceptionId: z.string().trim().min(1).max(64) });

const emptyValues = Object.fromEntries(exceptionFields.map((name) => [name, ""])) as ExceptionFormValues;

function formValues(form: FormData): ExceptionFormValues {
  const entries = exceptionFields.map((name) => {
    const value = form.get(name);
    return [name, typeof value === "string" ? value : ""];
  });
  return Object.fromEntries(entries) as ExceptionFormValues;
}

function regradeNote(regradedImages: number | null): string {
  if (regradedImages === null) return "Re-grading the affected images failed, so their grades do not show the change yet. The server log has the details.";
  if (regradedImages === 1) return "1 image was re-graded.";
  return `${regradedImages} images were re-graded.`;
}

export async function addExceptionAction(org: string, _state: ExceptionFormState, form: FormData): Promise<ExceptionFormState> {
  const viewer = await requireViewer();
  const values = formValues(form);
  try {
    const { exception, regradedImages } = await addException(viewer, organizationOf(org), values);
    revalidatePath(`/orgs/${org}/settings/exceptions`);
    return { ok: true, message: `Exception for ${exception.vulnerabilityId} added. ${regradeNote(regradedImages)}`, values: emptyValues, fieldErrors: {} };
  } catch (error) {
    if (error instanceof AppError && error.code === "INVALID_INPUT") {
      const fieldErrors = (error.details.fieldErrors ?? {}) as ExceptionFieldErrors;
      const count = Object.keys(fieldErrors).length;
      const message = `The exception was not added. Fix the ${count === 1 ? "field" : `${count} fields`} marked below.`;
      return { ok: false, message, values, fieldErrors };
    }
    if (!(error instanceof AppError)) logger.error({ err: error, org }, "adding an exception failed");
    return { ok: false, message: publicMessage(error), values, fieldErrors: {} };
  }
}

export async function revokeExceptionAction(org: string, _state: RevokeState, form: FormData): Promise<RevokeState> {
  const viewer = await requireViewer();
  const parsed = revokeInput.safeParse({ exceptionId: form.get("exceptionId") });
  if (!parsed.success) return { ok: false, message: "The request names no exception. Reload the page and try again." };
  try {
    const { exception, regradedImages } = await revokeException(viewer, organizationOf(org), parsed.data);
    revalidatePath(`/orgs/${org}/settings/exceptions`);
    return { ok: true, message: `Exception for ${exception.vulnerabilityId} revoked. ${regradeNote(regradedImages)}` };
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error, org, exceptionId: parsed.data.exceptionId }, "revoking an exception failed");
    return { ok: false, message: publicMessage(error) };
  }
}
