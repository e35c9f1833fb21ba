import { revalidatePath } from "next/cache";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";

/** The outcome of a settings form, shown beside it. */
export interface ActionState {
  ok: boolean;
  message: string;
}

/**
 * Runs one validated settings change and turns its outcome into a message for
 * the form: the change's own sentence, an AppError's message, or a generic
 * message (with the error logged) for anything else.
 */
export async function performChange(path: string, change: () => Promise<string>): Promise<ActionState> {
  try {
    const message = await change();
    revalidatePath(path);
    return { ok: true, message };
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error, path }, "notification settings change failed");
    return { ok: false, message: publicMessage(error) };
  }
}

/** Returns the messages of a failed zod parse as one sentence list. */
export function issuesMessage(issues: readonly { message: string }[]): ActionState {
  return { ok: false, message: issues.map((issue) => issue.message).join(" ") };
}
