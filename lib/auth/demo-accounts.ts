import type { PrismaClient } from "@/lib/db";
import { normalizeEmail, upsertUser } from "@/lib/auth/accounts";
import { verifyPassword } from "@/lib/auth/password";
import { demoAccounts } from "@/lib/auth/demo-credentials";

export { demoAccounts };

export const demoTeam = "web-readers";

/**
 * Creates a demo account, or sets its password again only when it no longer
 * matches, because setting a password signs the account out everywhere.
 */
async function ensureDemoUser(prisma: PrismaClient, account: { email: string; password: string }, name: string, isSiteAdmin?: boolean) {
  const stored = await prisma.user.findUnique({ where: { email: normalizeEmail(account.email) }, select: { passwordHash: true } });
  const passwordMatches = stored?.passwordHash ? await verifyPassword(stored.passwordHash, account.password) : false;
  return upsertUser(prisma, { email: account.email, password: passwordMatches ? undefined : account.password, name, isSiteAdmin });
}

/**
 * Creates the demo's owner and a member who reads only `ORG/web` through a
 * team, so the demo shows what each role can read. With `ownerIsSiteAdmin`,
 * the owner is also a site administrator, with access to the admin pages.
 */
export async function ensureDemoAccounts(prisma: PrismaClient, organizationName: string, options: { ownerIsSiteAdmin?: boolean } = {}): Promise<typeof demoAccounts> {
  const organization = await prisma.organization.upsert({ where: { name: organizationName }, update: {}, create: { name: organizationName } });
  const owner = await ensureDemoUser(prisma, demoAccounts.owner, "Demo owner", options.ownerIsSiteAdmin);
  const member = await ensureDemoUser(prisma, demoAccounts.member, "Demo member");
  await prisma.membership.upsert({
    where: { organizationId_userId: { organizationId: organization.id, userId: owner.id } },
    update: { role: "OWNER" },
    create: { organizationId: organization.id, userId: owner.id, role: "OWNER" },
  });
  await prisma.membership.upsert({
    where: { organizationId_userId: { organizationId: organization.id, userId: member.id } },
    update: {},
    create: { organizationId: organization.id, userId: member.id, role: "MEMBER" },
  });
  const team = await prisma.team.upsert({
    where: { organizationId_name: { organizationId: organization.id, name: demoTeam } },
    update: {},
    create: { organizationId: organization.id, name: demoTeam },
  });
  await prisma.teamMember.upsert({ where: { teamId_userId: { teamId: team.id, userId: member.id } }, update: {}, create: { teamId: team.id, userId: member.id } });
  const web = await prisma.repository.findUnique({ where: { organizationId_name: { organizationId: organization.id, name: `${organizationName}/web` } } });
  if (web) {
    await prisma.repositoryPermission.upsert({
      where: { teamId_repositoryId: { teamId: team.id, repositoryId: web.id } },
      update: {},
      create: { teamId: team.id, repositoryId: web.id, permission: "READ" },
    });
  }
  return demoAccounts;
}
