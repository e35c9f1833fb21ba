import { upsertUser } from "@/lib/auth/accounts";
import { ensureDemoAccounts } from "@/lib/auth/demo-accounts";
import { getPrisma } from "@/lib/db";
import { leaver, users } from "@/e2e/matrix-users";

/** Seeds the matrix users: demo owner and member, a member of another organization, and a site administrator. */
export async function seedAccessFixtures(): Promise<void> {
  const prisma = getPrisma();
  await ensureDemoAccounts(prisma, "demo");
  const outsider = await upsertUser(prisma, users.outsider);
  const other = await prisma.organization.upsert({ where: { name: "other" }, update: {}, create: { name: "other" } });
  await prisma.membership.upsert({
    where: { organizationId_userId: { organizationId: other.id, userId: outsider.id } },
    update: { role: "OWNER" },
    create: { organizationId: other.id, userId: outsider.id, role: "OWNER" },
  });
  await upsertUser(prisma, { ...users.admin, isSiteAdmin: true });
  await upsertUser(prisma, leaver);
}
