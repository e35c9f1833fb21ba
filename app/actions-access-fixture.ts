import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { issuePasswordToken } from "@/lib/auth/accounts";
import { hashToken } from "@/lib/api/api-tokens";
import { getPrisma } from "@/lib/db";
import { newUnsubscribeSecret, unsubscribeToken } from "@/lib/notifications/unsubscribe-token";

/** The users of the server action matrix. "rival" owns globex and "outsider" is a plain member of globex. */
export const signedInRoles = ["owner", "member", "rival", "outsider", "admin"] as const;
export type SignedInRole = (typeof signedInRoles)[number];
export type Role = SignedInRole | "anonymous";
export const roles: readonly Role[] = [...signedInRoles, "anonymous"];

export const userIds: Record<SignedInRole, string> = {
  owner: "user-acme-owner",
  member: "user-acme-member",
  rival: "user-globex-owner",
  outsider: "user-globex-member",
  admin: "user-site-admin",
};

/** The ids of one organization's objects. The fixture seeds them with these fixed ids, so attack forms can name them. */
export interface OrganizationIds {
  name: string;
  owner: string;
  member: string;
  team: string;
  /** A repository that no team of the organization may read. */
  hiddenRepository: string;
  hiddenRepositoryName: string;
  webhook: string;
  teamRule: string;
  exception: string;
  registry: string;
}

function organizationIds(name: "acme" | "globex", owner: string, member: string): OrganizationIds {
  return {
    name,
    owner,
    member,
    team: `team-${name}`,
    hiddenRepository: `repository-${name}-hidden`,
    hiddenRepositoryName: `${name}/private-repository`,
    webhook: `webhook-${name}`,
    teamRule: `rule-${name}-team`,
    exception: `exception-${name}`,
    registry: `registry-${name}`,
  };
}

export const acme = organizationIds("acme", userIds.owner, userIds.member);
export const globex = organizationIds("globex", userIds.rival, userIds.outsider);

/** The own notification rule and API token of each user; the site administrator belongs to no organization, so has no rule. */
export const ownRuleIds: Record<Exclude<SignedInRole, "admin">, string> = {
  owner: "rule-acme-owner",
  member: "rule-acme-member",
  rival: "rule-globex-owner",
  outsider: "rule-globex-member",
};
export const tokenIds: Record<SignedInRole, string> = {
  owner: "token-acme-owner",
  member: "token-acme-member",
  rival: "token-globex-owner",
  outsider: "token-globex-member",
  admin: "token-site-admin",
};

/** Values that exist only after seeding: one-time tokens and folders. */
export interface SeededSecrets {
  /** A set-password token of an account that has no password yet. */
  passwordToken: string;
  /** A valid unsubscribe token of the member's own rule. */
  unsubscribeToken: string;
  /** An OCI image layout folder that no registry uses yet. */
  spareLayoutFolder: string;
}

/** Writes an empty OCI image layout: the marker file and an index without manifests. */
async function writeEmptyLayout(folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(path.join(folder, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] }));
  return folder;
}

/**
 * Seeds acme and globex with the same kinds of objects: an owner, a member in a
 * team that may read one repository, a hidden repository, a paused webhook, a team
 * rule, an exception, a registry, and for every user an own rule and an API token.
 * Team, webhook and token names and exception reasons start with "hidden-", so a
 * rejection message that leaks one can be caught. Repository names do not, because
 * forms name repositories and a message may echo what was sent.
 */
export async function seedActionFixture(layoutRoot: string): Promise<SeededSecrets> {
  const prisma = getPrisma();
  const emails: Record<SignedInRole, string> = {
    owner: "owner@acme.test",
    member: "member@acme.test",
    rival: "owner@globex.test",
    outsider: "member@globex.test",
    admin: "admin@example.test",
  };
  await prisma.user.createMany({ data: signedInRoles.map((role) => ({ id: userIds[role], email: emails[role], isSiteAdmin: role === "admin" })) });

  for (const organization of [acme, globex]) {
    const folder = await writeEmptyLayout(path.join(layoutRoot, organization.name));
    await prisma.registry.create({ data: { id: organization.registry, kind: "OCI_LAYOUT", url: folder, eventTokenSha256: "0".repeat(64) } });
    await prisma.organization.create({ data: { id: `organization-${organization.name}`, name: organization.name, registryId: organization.registry } });
    const organizationId = `organization-${organization.name}`;
    await prisma.membership.createMany({
      data: [
        { organizationId, userId: organization.owner, role: "OWNER" },
        { organizationId, userId: organization.member, role: "MEMBER" },
      ],
    });
    await prisma.repository.create({ data: { id: `repository-${organization.name}-api`, organizationId, name: `${organization.name}/api` } });
    await prisma.repository.create({ data: { id: organization.hiddenRepository, organizationId, name: organization.hiddenRepositoryName } });
    await prisma.team.create({ data: { id: organization.team, organizationId, name: `hidden-${organization.name}-readers` } });
    await prisma.teamMember.create({ data: { teamId: organization.team, userId: organization.member } });
    await prisma.repositoryPermission.create({ data: { teamId: organization.team, repositoryId: `repository-${organization.name}-api`, permission: "READ" } });
    await prisma.notificationWebhook.create({
      data: { id: organization.webhook, organizationId, name: `hidden-${organization.name}-hook`, url: "http://127.0.0.1:9/hook", sealedSecret: "f".repeat(64), pausedAt: new Date(), pauseReason: "failing", consecutiveFailures: 5 },
    });
    await prisma.notificationRule.create({ data: { id: organization.teamRule, organizationId, teamId: organization.team, events: ["tag-grade-drop"], unsubscribeSecret: newUnsubscribeSecret() } });
    await prisma.vulnerabilityException.create({
      data: { id: organization.exception, organizationId, vulnerabilityId: "CVE-2024-3094", reason: "hidden-reason", author: `owner@${organization.name}.test` },
    });
  }

  for (const [role, ruleId] of Object.entries(ownRuleIds) as [keyof typeof ownRuleIds, string][]) {
    const organizationId = role === "owner" || role === "member" ? "organization-acme" : "organization-globex";
    await prisma.notificationRule.create({ data: { id: ruleId, organizationId, userId: userIds[role], events: ["tag-grade-drop"], unsubscribeSecret: newUnsubscribeSecret() } });
  }
  for (const role of signedInRoles) {
    const secret = `shp_${role}-token-secret`;
    await prisma.apiToken.create({ data: { id: tokenIds[role], userId: userIds[role], name: `hidden-${role}-token`, displayPrefix: secret.slice(0, 12), secretHash: hashToken(secret), scopes: ["read"] } });
  }

  const invited = await prisma.user.create({ data: { email: "invited@acme.test" } });
  const { token: passwordToken } = await issuePasswordToken(prisma, invited.id);
  const memberRule = await prisma.notificationRule.findUniqueOrThrow({ where: { id: ownRuleIds.member } });
  const spareLayoutFolder = await writeEmptyLayout(path.join(layoutRoot, "spare"));
  return { passwordToken, unsubscribeToken: unsubscribeToken(memberRule, userIds.member), spareLayoutFolder };
}
