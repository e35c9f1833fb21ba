import { beforeEach, expect, test } from "vitest";
import { upsertUser } from "@/lib/auth/accounts";
import { demoAccounts, ensureDemoAccounts } from "@/lib/auth/demo-accounts";
import { verifyPassword } from "@/lib/auth/password";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";

const prisma = getPrisma();

async function ownerRow() {
  return prisma.user.findUniqueOrThrow({ where: { email: demoAccounts.owner.email }, select: { sessionVersion: true, passwordHash: true } });
}

beforeEach(async () => {
  await resetDatabase();
});

test("a demo restart keeps demo users signed in", async () => {
  await ensureDemoAccounts(prisma, "demo");
  const first = await ownerRow();

  await ensureDemoAccounts(prisma, "demo");

  expect((await ownerRow()).sessionVersion).toBe(first.sessionVersion);
  expect(await prisma.membership.count()).toBe(2);
});

test("a changed demo password is set back, which signs the account out", async () => {
  await ensureDemoAccounts(prisma, "demo");
  await upsertUser(prisma, { email: demoAccounts.owner.email, password: "a-different-password-1" });
  const changed = await ownerRow();

  await ensureDemoAccounts(prisma, "demo");

  const restored = await ownerRow();
  expect(await verifyPassword(restored.passwordHash!, demoAccounts.owner.password)).toBe(true);
  expect(restored.sessionVersion).toBe(changed.sessionVersion + 1);
});

test("owner is site admin only on request", async () => {
  const isSiteAdmin = async () => (await prisma.user.findUniqueOrThrow({ where: { email: demoAccounts.owner.email }, select: { isSiteAdmin: true } })).isSiteAdmin;
  await ensureDemoAccounts(prisma, "demo");
  expect(await isSiteAdmin()).toBe(false);

  await ensureDemoAccounts(prisma, "demo", { ownerIsSiteAdmin: true });
  expect(await isSiteAdmin()).toBe(true);
  expect((await prisma.user.findUniqueOrThrow({ where: { email: demoAccounts.member.email }, select: { isSiteAdmin: true } })).isSiteAdmin).toBe(false);
});
