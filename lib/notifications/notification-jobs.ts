import type PgBoss from "pg-boss";
import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";
import { jobNames } from "@/lib/jobs/queue";
import { processNotifications, sendDailyDigests } from "@/lib/notifications/process-notifications";

/** Seconds between scheduled notification passes. Retries fall due on a pass, so this is also their finest step. */
const PASS_INTERVAL_SECONDS = 60;
/** Daily digests go out at 07:00 UTC. */
const DIGEST_CRON = "0 7 * * *";

// Kept on globalThis because Next.js may load this module once for the instrumentation hook
// that starts the worker and again for server actions, which grade too.
const processWorker = globalThis as unknown as { shipshapeNotificationBoss?: PgBoss | null };

/**
 * Queues a notification pass soon when this process runs a worker. Grading calls
 * it after recording grade changes, so they need not wait for the next scheduled
 * pass. It never throws and never waits for the pass, so grading does not wait on
 * SMTP or webhooks. Without a worker here, another process's scheduled pass
 * picks the changes up.
 */
export function requestNotificationPass(): void {
  const boss = processWorker.shipshapeNotificationBoss;
  if (!boss) return;
  boss.send(jobNames.processNotifications, {}, { singletonKey: "notifications-soon", singletonSeconds: 5 }).catch((error: unknown) => {
    logger.error({ err: error }, "queueing a notification pass failed");
  });
}

/**
 * Registers the notification workers on a started queue: a pass every
 * PASS_INTERVAL_SECONDS (one per interval however many workers queue it) and
 * the daily digest. Returns a function that stops the timer.
 */
export async function startNotificationJobs(boss: PgBoss, prisma: PrismaClient): Promise<() => void> {
  await boss.work(jobNames.processNotifications, { batchSize: 1 }, async () => {
    await processNotifications(prisma, { now: new Date() });
  });
  await boss.work(jobNames.sendNotificationDigests, { batchSize: 1 }, async () => {
    await sendDailyDigests(prisma, { now: new Date() });
  });
  await boss.schedule(jobNames.sendNotificationDigests, DIGEST_CRON, {}, { tz: "UTC" });
  processWorker.shipshapeNotificationBoss = boss;

  const queuePass = () =>
    boss.send(jobNames.processNotifications, {}, { singletonKey: "notifications", singletonSeconds: PASS_INTERVAL_SECONDS }).catch((error: unknown) => {
      logger.error({ err: error }, "queueing the notification pass failed");
      return null;
    });
  await queuePass();
  const timer = setInterval(() => void queuePass(), PASS_INTERVAL_SECONDS * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    processWorker.shipshapeNotificationBoss = null;
  };
}
