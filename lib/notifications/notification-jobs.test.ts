import type PgBoss from "pg-boss";
import { afterAll, beforeAll, expect, test } from "vitest";
import { upsertUser } from "@/lib/auth/accounts";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { startQueue } from "@/lib/jobs/queue";
import { requestNotificationPass, startNotificationJobs } from "@/lib/notifications/notification-jobs";
import { createImage } from "@/lib/notifications/testing/notification-fixtures";
import { newUnsubscribeSecret } from "@/lib/notifications/unsubscribe-token";

const prisma = getPrisma();
let boss: PgBoss;
let stop: () => void;

/** Polls until `check` returns true; the test's own timeout bounds the wait. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 250));
}

async function completedPasses(): Promise<number> {
  const rows = await prisma.$queryRaw<{ count: bigint }[]>`SELECT count(*) FROM pgboss.job WHERE name = 'process-notifications' AND state = 'completed'`;
  return Number(rows[0]?.count ?? 0);
}

beforeAll(async () => {
  await resetDatabase();
  boss = await startQueue(getEnv().DATABASE_URL!);
  stop = await startNotificationJobs(boss, prisma);
});
afterAll(async () => {
  stop();
  await boss.stop({ graceful: true, wait: true });
});

test("digest is scheduled daily", async () => {
  const rows = await prisma.$queryRaw<{ cron: string; timezone: string }[]>`SELECT cron, timezone FROM pgboss.schedule WHERE name = 'send-notification-digests'`;
  expect(rows).toEqual([{ cron: "0 7 * * *", timezone: "UTC" }]);
});

test("requested pass routes new grade drop", async () => {
  // The pass queued at start-up runs first; the scheduled one is then a minute away.
  await waitFor(async () => (await completedPasses()) >= 1);

  const acme = await prisma.organization.create({ data: { name: "acme" } });
  const web = await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/web" } });
  const owner = await upsertUser(prisma, { email: "owner@acme.test", password: "owner-password-1" });
  await prisma.membership.create({ data: { organizationId: acme.id, userId: owner.id, role: "OWNER" } });
  await prisma.notificationRule.create({ data: { organizationId: acme.id, userId: owner.id, events: ["tag-grade-drop"], unsubscribeSecret: newUnsubscribeSecret() } });
  const tag = await prisma.tag.create({ data: { repositoryId: web.id, name: "latest", digest: await createImage(prisma, "job image") } });
  await prisma.gradeChange.create({ data: { repositoryId: web.id, tagId: tag.id, digest: tag.digest, fromGrade: "A", toGrade: "C", cause: "policy change" } });

  requestNotificationPass();
  await waitFor(async () => (await prisma.notificationDispatch.count()) === 1);
  const dispatch = await prisma.notificationDispatch.findFirstOrThrow({ include: { event: true } });
  expect(dispatch.recipient).toBe(`user:${owner.id}`);
  expect(dispatch.event.title).toBe("acme/web:latest dropped from A to C (policy change)");
  expect(await completedPasses()).toBeGreaterThanOrEqual(2);
});
