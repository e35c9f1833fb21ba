import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";
import { collectExceptionExpiry } from "@/lib/notifications/collect-exception-expiry";
import { collectHighProfileFindings } from "@/lib/notifications/collect-findings";
import { collectGradeDrops } from "@/lib/notifications/collect-grade-drops";
import { collectSyncFailures } from "@/lib/notifications/collect-sync-failures";
import { prepareDeliveries } from "@/lib/notifications/prepare-deliveries";
import { routeNotificationEvents } from "@/lib/notifications/route-events";
import { sendDueDeliveries, type SendOptions } from "@/lib/notifications/send-deliveries";

/**
 * Runs one notification pass. It records new events from grade changes, score
 * reports, exceptions and sync runs, and routes them to recipients by the rules.
 * Then it groups finished bursts into messages and sends what is due, retrying
 * earlier failures. Each step is idempotent, so passes may overlap or repeat.
 */
export async function processNotifications(prisma: PrismaClient, options: SendOptions = { now: new Date() }) {
  const now = options.now;
  const events = {
    gradeDrops: await collectGradeDrops(prisma, now),
    findings: await collectHighProfileFindings(prisma, now),
    exceptions: await collectExceptionExpiry(prisma, now),
    syncFailures: await collectSyncFailures(prisma),
  };
  const routed = await routeNotificationEvents(prisma, now);
  const prepared = await prepareDeliveries(prisma, { now, digest: false });
  const result = await sendDueDeliveries(prisma, options);
  const summary = { ...events, routed, prepared, ...result };
  if (Object.values(summary).some((count) => count > 0)) logger.info(summary, "notification pass finished");
  return summary;
}

/** Groups every waiting digest dispatch into one message per recipient and organization, and sends them. */
export async function sendDailyDigests(prisma: PrismaClient, options: SendOptions = { now: new Date() }) {
  const prepared = await prepareDeliveries(prisma, { now: options.now, digest: true });
  const result = await sendDueDeliveries(prisma, options);
  logger.info({ digests: prepared, ...result }, "daily notification digests prepared");
  return { prepared, ...result };
}
