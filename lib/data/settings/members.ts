import type { Viewer } from "@/lib/auth/get-viewer";
import { issuePasswordToken, normalizeEmail } from "@/lib/auth/accounts";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";

export type MemberRole = "OWNER" | "MEMBER";

/**
 * Adds a member by e-mail. An existing account is added as it is; a new one
 * is created without a password and gets a one-time set-password token.
 */
export async function addMember(viewer: Viewer, organizationName: string, input: { email: string; role: MemberRole }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const prisma = getPrisma();
  const email = normalizeEmail(input.email);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email } });
    const user = existing ?? (await tx.user.create({ data: { email } }));
    const already = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId: organization.id, userId: user.id } } });
    if (already) throw new AppError("CONFLICT", `${email} is already a member of ${organization.name}.`);
    await tx.membership.create({ data: { organizationId: organization.id, userId: user.id, role: input.role } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "member.added", target: email, details: { role: input.role, newAccount: !existing } });
    // Only an account created here gets a link: an existing one, even without a password yet, may belong to
    // someone another organization invited, and a link for it would let this owner take it over.
    const passwordToken = existing ? null : await issuePasswordToken(tx, user.id);
    return { email, newAccount: !existing, passwordToken };
  });
}

export async function changeMemberRole(viewer: Viewer, organizationName: string, input: { userId: string; role: MemberRole }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  await getPrisma().$transaction(async (tx) => {
    const membership = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId: organization.id, userId: input.userId } }, include: { user: true } });
    if (!membership) throw new AppError("NOT_FOUND", `That user is not a member of ${organization.name}.`);
    if (membership.role === "OWNER" && input.role !== "OWNER") await ensureAnotherOwner(tx, organization.id, input.userId, organization.name);
    await tx.membership.update({ where: { id: membership.id }, data: { role: input.role } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "member.role_changed", target: membership.user.email, details: { from: membership.role, to: input.role } });
  });
}

/** Removes a member from the organization and from all of its teams, so every grant ends on the next request. */
export async function removeMember(viewer: Viewer, organizationName: string, input: { userId: string }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  await getPrisma().$transaction(async (tx) => {
    const membership = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId: organization.id, userId: input.userId } }, include: { user: true } });
    if (!membership) throw new AppError("NOT_FOUND", `That user is not a member of ${organization.name}.`);
    if (membership.role === "OWNER") await ensureAnotherOwner(tx, organization.id, input.userId, organization.name);
    await tx.teamMember.deleteMany({ where: { userId: input.userId, team: { organizationId: organization.id } } });
    await tx.membership.delete({ where: { id: membership.id } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "member.removed", target: membership.user.email });
  });
}

type Transaction = Parameters<Parameters<ReturnType<typeof getPrisma>["$transaction"]>[0]>[0];

async function ensureAnotherOwner(tx: Transaction, organizationId: string, userId: string, organizationName: string) {
  const others = await tx.membership.count({ where: { organizationId, role: "OWNER", userId: { not: userId } } });
  if (others === 0) throw new AppError("CONFLICT", `${organizationName} needs at least one owner. Make another member an owner first.`);
}
