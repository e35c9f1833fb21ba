import type { Viewer } from "@/lib/auth/get-viewer";
import { memberOrganizationWhere, readableRepositoryWhere } from "@/lib/auth/permissions";
import { getPrisma } from "@/lib/db";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";
import { controlCharacterProblem } from "@/lib/data/settings/form-text";
import { AppError } from "@/lib/errors";
import type { RuleInput } from "@/lib/notifications/rule-input";
import { newUnsubscribeSecret } from "@/lib/notifications/unsubscribe-token";

/**
 * Lists the viewer's own rules, with the organizations they belong to and the
 * repositories they may read, for the rule form.
 */
export async function listOwnRules(viewer: Viewer) {
  const prisma = getPrisma();
  const organizations = await prisma.organization.findMany({ where: memberOrganizationWhere(viewer), select: { id: true, name: true }, orderBy: { name: "asc" } });
  const repositories = await prisma.repository.findMany({ where: { deletedAt: null, AND: [readableRepositoryWhere(viewer)] }, select: { name: true }, orderBy: { name: "asc" } });
  const rules = await prisma.notificationRule.findMany({
    where: { userId: viewer.id },
    include: { organization: { select: { name: true } }, repository: { select: { name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return { organizations, repositories: repositories.map((repository) => repository.name), rules };
}

/** Creates a rule for the viewer in an organization they belong to, for one repository they may read or for all of them. */
export async function createOwnRule(viewer: Viewer, input: RuleInput) {
  rejectControlCharacters(input);
  const prisma = getPrisma();
  const organization = await prisma.organization.findFirst({ where: { name: input.org, ...memberOrganizationWhere(viewer) }, select: { id: true } });
  if (!organization) throw new AppError("NOT_FOUND", `Organization ${input.org} was not found. Choose one you are a member of.`);
  let repositoryId: string | null = null;
  if (input.repository !== null) {
    const repository = await prisma.repository.findFirst({ where: { name: input.repository, organizationId: organization.id, deletedAt: null, AND: [readableRepositoryWhere(viewer)] }, select: { id: true } });
    if (!repository) throw new AppError("NOT_FOUND", `Repository ${input.repository} was not found in ${input.org}. Choose one from the list, or none for every repository.`);
    repositoryId = repository.id;
  }
  return prisma.notificationRule.create({
    data: { organizationId: organization.id, repositoryId, userId: viewer.id, events: input.events, belowGrade: input.belowGrade, mode: input.mode, unsubscribeSecret: newUnsubscribeSecret() },
  });
}

/** Rejects an organization or repository name with a control character, which no name has and Postgres cannot compare. */
function rejectControlCharacters(input: RuleInput): void {
  for (const [label, value] of [["Organization", input.org], ["Repository", input.repository]] as const) {
    const problem = value === null ? null : controlCharacterProblem(label, value);
    if (problem !== null) throw new AppError("INVALID_INPUT", problem);
  }
}

/** Deletes one of the viewer's own rules; another user's rule is not found. */
export async function deleteOwnRule(viewer: Viewer, ruleId: string): Promise<void> {
  const deleted = await getPrisma().notificationRule.deleteMany({ where: { id: ruleId, userId: viewer.id } });
  if (deleted.count === 0) throw new AppError("NOT_FOUND", "That notification rule was not found. Reload the page to see your rules.");
}

/** Resolves an organization's repository by full name for an owner's rule; null for the whole organization. */
async function repositoryOf(organizationId: string, organizationName: string, name: string | null): Promise<string | null> {
  if (name === null) return null;
  const repository = await getPrisma().repository.findFirst({ where: { organizationId, name, deletedAt: null }, select: { id: true } });
  if (!repository) throw new AppError("NOT_FOUND", `Repository ${name} was not found in ${organizationName}. Choose one from the list, or none for every repository.`);
  return repository.id;
}

/**
 * Creates a rule for a team or a webhook of an organization the viewer owns,
 * and records it in the audit log.
 */
export async function createOrganizationRule(viewer: Viewer, input: RuleInput & { target: { teamId: string } | { webhookId: string } }) {
  rejectControlCharacters(input);
  const organization = await findOwnedOrganization(viewer, input.org);
  const prisma = getPrisma();
  const repositoryId = await repositoryOf(organization.id, organization.name, input.repository);
  let targetName: string;
  if ("teamId" in input.target) {
    const team = await prisma.team.findFirst({ where: { id: input.target.teamId, organizationId: organization.id }, select: { name: true } });
    if (!team) throw new AppError("NOT_FOUND", `That team was not found in ${organization.name}. Reload the page and choose a team.`);
    targetName = `team ${team.name}`;
  } else {
    const webhook = await prisma.notificationWebhook.findFirst({ where: { id: input.target.webhookId, organizationId: organization.id }, select: { name: true } });
    if (!webhook) throw new AppError("NOT_FOUND", `That webhook was not found in ${organization.name}. Reload the page and choose a webhook.`);
    targetName = `webhook ${webhook.name}`;
  }
  return prisma.$transaction(async (tx) => {
    const rule = await tx.notificationRule.create({
      data: { organizationId: organization.id, repositoryId, ...input.target, events: input.events, belowGrade: input.belowGrade, mode: input.mode, unsubscribeSecret: newUnsubscribeSecret() },
    });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "notification-rule.created", target: targetName, details: { repository: input.repository, events: input.events, belowGrade: input.belowGrade, mode: input.mode } });
    return rule;
  });
}

/** Deletes a team or webhook rule of an organization the viewer owns. */
export async function deleteOrganizationRule(viewer: Viewer, organizationName: string, ruleId: string): Promise<void> {
  const organization = await findOwnedOrganization(viewer, organizationName);
  await getPrisma().$transaction(async (tx) => {
    const deleted = await tx.notificationRule.deleteMany({ where: { id: ruleId, organizationId: organization.id, userId: null } });
    if (deleted.count === 0) throw new AppError("NOT_FOUND", "That notification rule was not found. Reload the page to see the rules.");
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "notification-rule.deleted", target: ruleId });
  });
}
