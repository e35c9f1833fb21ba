"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireViewer } from "@/lib/auth/get-viewer";
import { addMember, changeMemberRole, removeMember } from "@/lib/data/settings/members";
import { addTeamMember, createTeam, deleteTeam, removeTeamMember, renameTeam, setDefaultPermission, setTeamPermission } from "@/lib/data/settings/teams";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import { sendPasswordLink } from "@/lib/notify/send-password-link";

// Every action validates its form with zod, takes identity from the session
// only, and leaves the access check to the data function it calls.

export interface ActionState {
  ok: boolean;
  message: string;
  /** A one-time set-password link to hand to a new member. */
  link?: string;
}

const organizationName = z.string().trim().min(1).max(255);
const id = z.string().trim().min(1).max(64);
const role = z.enum(["OWNER", "MEMBER"]);
const permission = z.enum(["READ", "WRITE", "ADMIN", "NONE"]).transform((value) => (value === "NONE" ? null : value));
const teamName = z
  .string()
  .trim()
  .min(1, "Enter a team name.")
  .max(64, "Team names are at most 64 characters.")
  .regex(/^[\w .-]+$/, "Team names may contain letters, digits, spaces, dots, dashes and underscores.");

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** Runs one validated change and turns its outcome into a message for the form. */
async function perform<T extends z.ZodType>(form: FormData, schema: T, change: (input: z.infer<T>) => Promise<string | ActionState>): Promise<ActionState> {
  const parsed = schema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join(" ") };
  try {
    const result = await change(parsed.data);
    const organization = (parsed.data as { org?: string }).org;
    if (organization) revalidatePath(`/orgs/${organization}/settings`, "layout");
    return typeof result === "string" ? { ok: true, message: result } : result;
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error }, "settings change failed");
    return { ok: false, message: publicMessage(error) };
  }
}

export async function addMemberAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, email: z.string().trim().toLowerCase().email("Enter a valid e-mail address.").max(320), role }), async (input) => {
    const added = await addMember(viewer, input.org, input);
    if (!added.passwordToken) return `${added.email} was added to ${input.org}.`;
    const link = `/set-password?token=${added.passwordToken.token}`;
    const delivery = await sendPasswordLink({ email: added.email, organization: input.org, path: link, expiresAt: added.passwordToken.expiresAt });
    return {
      ok: true,
      message: `${added.email} was added. ${delivery} The one-time link to set a password expires ${added.passwordToken.expiresAt.toISOString()}:`,
      link,
    };
  });
}

export async function changeRoleAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, userId: id, role }), async (input) => {
    await changeMemberRole(viewer, input.org, input);
    return "Role changed.";
  });
}

export async function removeMemberAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, userId: id }), async (input) => {
    await removeMember(viewer, input.org, input);
    return "Member removed.";
  });
}

export async function createTeamAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, name: teamName }), async (input) => {
    await createTeam(viewer, input.org, input);
    return `Team ${input.name} created.`;
  });
}

export async function renameTeamAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, teamId: id, name: teamName }), async (input) => {
    await renameTeam(viewer, input.org, input);
    return `Team renamed to ${input.name}.`;
  });
}

export async function deleteTeamAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, teamId: id }), async (input) => {
    await deleteTeam(viewer, input.org, input);
    return "Team deleted.";
  });
}

export async function addTeamMemberAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, teamId: id, userId: id }), async (input) => {
    await addTeamMember(viewer, input.org, input);
    return "Added to the team.";
  });
}

export async function removeTeamMemberAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, teamId: id, userId: id }), async (input) => {
    await removeTeamMember(viewer, input.org, input);
    return "Removed from the team.";
  });
}

export async function setTeamPermissionAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, teamId: id, repositoryId: id, permission }), async (input) => {
    await setTeamPermission(viewer, input.org, input);
    return "Permission saved.";
  });
}

export async function setDefaultPermissionAction(_state: ActionState, form: FormData): Promise<ActionState> {
  const viewer = await requireViewer();
  return perform(form, z.object({ org: organizationName, permission }), async (input) => {
    await setDefaultPermission(viewer, input.org, input);
    return "Default permission saved.";
  });
}
