import type { Viewer } from "@/lib/auth/get-viewer";
import type { PermissionLevel } from "@/lib/auth/permissions";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";

/** Team ids from a form are only ever looked up together with the organization's id, so another org's team is not found. */
async function findTeam(organizationId: string, teamId: string, organizationName: string) {
  const team = await getPrisma().team.findFirst({ where: { id: teamId, organizationId } });
  if (!team) throw new AppError("NOT_FOUND", `That team was not found in ${organizationName}.`);
  return team;
}

export async function createTeam(viewer: Viewer, organizationName: string, input: { name: string }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  await getPrisma().$transaction(async (tx) => {
    if (await tx.team.findUnique({ where: { organizationId_name: { organizationId: organization.id, name: input.name } } })) {
      throw new AppError("CONFLICT", `A team named ${input.name} already exists in ${organization.name}.`);
    }
    await tx.team.create({ data: { organizationId: organization.id, name: input.name } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "team.created", target: input.name });
  });
}

export async function renameTeam(viewer: Viewer, organizationName: string, input: { teamId: string; name: string }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const team = await findTeam(organization.id, input.teamId, organization.name);
  await getPrisma().$transaction(async (tx) => {
    if (await tx.team.findFirst({ where: { organizationId: organization.id, name: input.name, id: { not: team.id } } })) {
      throw new AppError("CONFLICT", `A team named ${input.name} already exists in ${organization.name}.`);
    }
    await tx.team.update({ where: { id: team.id }, data: { name: input.name } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "team.renamed", target: input.name, details: { from: team.name } });
  });
}

export async function deleteTeam(viewer: Viewer, organizationName: string, input: { teamId: string }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const team = await findTeam(organization.id, input.teamId, organization.name);
  await getPrisma().$transaction(async (tx) => {
    await tx.team.delete({ where: { id: team.id } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "team.deleted", target: team.name });
  });
}

/** Adds an organization member to a team; only members can join, so a team never grants access to outsiders. */
export async function addTeamMember(viewer: Viewer, organizationName: string, input: { teamId: string; userId: string }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const team = await findTeam(organization.id, input.teamId, organization.name);
  await getPrisma().$transaction(async (tx) => {
    const membership = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId: organization.id, userId: input.userId } }, include: { user: true } });
    if (!membership) throw new AppError("NOT_FOUND", `That user is not a member of ${organization.name}. Add them as a member first.`);
    await tx.teamMember.upsert({ where: { teamId_userId: { teamId: team.id, userId: input.userId } }, update: {}, create: { teamId: team.id, userId: input.userId } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "team.member_added", target: team.name, details: { email: membership.user.email } });
  });
}

export async function removeTeamMember(viewer: Viewer, organizationName: string, input: { teamId: string; userId: string }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const team = await findTeam(organization.id, input.teamId, organization.name);
  await getPrisma().$transaction(async (tx) => {
    const removed = await tx.teamMember.deleteMany({ where: { teamId: team.id, userId: input.userId } });
    if (removed.count === 0) throw new AppError("NOT_FOUND", `That user is not in team ${team.name}.`);
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { email: true } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "team.member_removed", target: team.name, details: { email: user?.email ?? input.userId } });
  });
}

/** Sets a team's permission on a repository of the same organization; null removes it. */
export async function setTeamPermission(viewer: Viewer, organizationName: string, input: { teamId: string; repositoryId: string; permission: PermissionLevel | null }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const team = await findTeam(organization.id, input.teamId, organization.name);
  const prisma = getPrisma();
  const repository = await prisma.repository.findFirst({ where: { id: input.repositoryId, organizationId: organization.id } });
  if (!repository) throw new AppError("NOT_FOUND", `That repository was not found in ${organization.name}.`);
  const current = await prisma.repositoryPermission.findUnique({ where: { teamId_repositoryId: { teamId: team.id, repositoryId: repository.id } } });
  if ((current?.permission ?? null) === input.permission) return;
  await prisma.$transaction(async (tx) => {
    const key = { teamId_repositoryId: { teamId: team.id, repositoryId: repository.id } };
    if (input.permission === null) {
      await tx.repositoryPermission.deleteMany({ where: { teamId: team.id, repositoryId: repository.id } });
    } else {
      await tx.repositoryPermission.upsert({ where: key, update: { permission: input.permission }, create: { teamId: team.id, repositoryId: repository.id, permission: input.permission } });
    }
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "permission.changed", target: `${team.name} on ${repository.name}`, details: { from: current?.permission ?? "NONE", to: input.permission ?? "NONE" } });
  });
}

/** Sets the permission every member has on every repository of the organization; null removes it. */
export async function setDefaultPermission(viewer: Viewer, organizationName: string, input: { permission: PermissionLevel | null }) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  if (organization.defaultPermission === input.permission) return;
  await getPrisma().$transaction(async (tx) => {
    await tx.organization.update({ where: { id: organization.id }, data: { defaultPermission: input.permission } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "permission.default_changed", target: organization.name, details: { from: organization.defaultPermission ?? "NONE", to: input.permission ?? "NONE" } });
  });
}
