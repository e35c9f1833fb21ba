import type { PrismaClient } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import { isMailConfigured, sendMail } from "@/lib/notify/send-mail";
import { eventKinds, type EventKind } from "@/lib/notifications/event-kinds";
import type { MessageEvent } from "@/lib/notifications/notification-message";
import { pauseWebhook } from "@/lib/notifications/pause-webhook";
import { postWebhook } from "@/lib/notifications/post-webhook";
import { loadOrganizationAccess, mayReceive } from "@/lib/notifications/recipient-access";
import { renderEmail } from "@/lib/notifications/render-email";
import { unsubscribeUrl } from "@/lib/notifications/unsubscribe-token";
import { genericWebhookBody, slackWebhookBody, webhookSignature } from "@/lib/notifications/webhook-body";
import { webhookSigningSecret } from "@/lib/secrets/reseal-secrets";

/** Attempts per delivery before it is given up as FAILED. */
export const MAX_ATTEMPTS = 6;
/** Wait before the second attempt; each later wait doubles, up to MAX_BACKOFF_MS. */
export const FIRST_BACKOFF_MS = 30 * 1000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;
/**
 * A delivery left SENDING this long (its worker died mid-attempt) is attempted again.
 * NOTE: if the worker died after the server accepted the message, the message is sent twice.
 */
const STALE_SENDING_MS = 10 * 60 * 1000;
/** Default time a webhook receiver has to respond. */
export const WEBHOOK_TIMEOUT_MS = 10 * 1000;

export interface SendOptions {
  now: Date;
  webhookTimeoutMs?: number;
}

/** Returns the wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min … up to 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/** The outcome of one attempt: sent, nothing left to send, or failed with the server's response. */
type AttemptResult = { outcome: "sent"; response: string | null; status: number | null } | { outcome: "skipped" } | { outcome: "failed"; error: string; response: string | null; status: number | null };

/**
 * Attempts every delivery that is due: pending with its next attempt time
 * reached, or stuck sending. Each is claimed first, so two workers never send
 * the same one. Deliveries of a paused webhook wait until it is resumed.
 * Returns the number sent and failed in this pass.
 */
export async function sendDueDeliveries(prisma: PrismaClient, options: SendOptions): Promise<{ sent: number; failed: number }> {
  const stale = new Date(options.now.getTime() - STALE_SENDING_MS);
  const due = await prisma.notificationDelivery.findMany({
    where: {
      OR: [{ status: "PENDING", nextAttemptAt: { lte: options.now } }, { status: "SENDING", lastAttemptAt: { lt: stale } }],
      AND: [{ OR: [{ webhookId: null }, { webhook: { pausedAt: null } }] }],
    },
    orderBy: { nextAttemptAt: "asc" },
    select: { id: true, status: true, lastAttemptAt: true },
  });
  const totals = { sent: 0, failed: 0 };
  for (const candidate of due) {
    const claimed = await prisma.notificationDelivery.updateMany({
      where: { id: candidate.id, status: candidate.status, lastAttemptAt: candidate.lastAttemptAt },
      data: { status: "SENDING", lastAttemptAt: options.now },
    });
    if (claimed.count === 0) continue;
    const result = await attempt(prisma, candidate.id, options).catch((error: unknown): AttemptResult => {
      logger.error({ err: error, delivery: candidate.id }, "notification delivery failed unexpectedly");
      return { outcome: "failed", error: error instanceof AppError ? error.message : "An unexpected error occurred; the server log has the details.", response: null, status: null };
    });
    if (result.outcome === "failed") totals.failed += 1;
    if (result.outcome === "sent") totals.sent += 1;
    try {
      await recordResult(prisma, candidate.id, result, options.now);
    } catch (error) {
      // One delivery whose result cannot be stored must not stop the rest of the pass; it is tried again once stale.
      logger.error({ err: error, delivery: candidate.id, outcome: result.outcome }, "recording a notification delivery's result failed");
    }
  }
  return totals;
}

async function recordResult(prisma: PrismaClient, deliveryId: string, result: AttemptResult, now: Date): Promise<void> {
  const delivery = await prisma.notificationDelivery.findUniqueOrThrow({ where: { id: deliveryId }, select: { attempts: true, webhookId: true } });
  const attempts = delivery.attempts + 1;
  if (result.outcome === "skipped") {
    await prisma.notificationDelivery.update({ where: { id: deliveryId }, data: { status: "SKIPPED", attempts } });
    return;
  }
  if (result.outcome === "sent") {
    await prisma.notificationDelivery.update({ where: { id: deliveryId }, data: { status: "SENT", attempts, sentAt: now, lastStatus: result.status, lastResponse: result.response, lastError: null } });
    if (delivery.webhookId) await prisma.notificationWebhook.update({ where: { id: delivery.webhookId }, data: { consecutiveFailures: 0 } });
    return;
  }

  const givenUp = attempts >= MAX_ATTEMPTS;
  await prisma.notificationDelivery.update({
    where: { id: deliveryId },
    data: {
      status: givenUp ? "FAILED" : "PENDING",
      attempts,
      nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)),
      lastStatus: result.status,
      lastResponse: result.response,
      lastError: result.error,
    },
  });
  logger.warn({ delivery: deliveryId, attempts, givenUp, error: result.error }, givenUp ? "notification delivery failed; giving up" : "notification delivery failed; will retry");
  if (delivery.webhookId) {
    const webhook = await prisma.notificationWebhook.update({ where: { id: delivery.webhookId }, data: { consecutiveFailures: { increment: 1 } }, select: { consecutiveFailures: true, pausedAt: true } });
    if (webhook.consecutiveFailures >= MAX_ATTEMPTS && webhook.pausedAt === null) await pauseWebhook(prisma, delivery.webhookId, result.error, now);
  }
}

/** Loads a delivery's events, leaving out (and marking) those its user may no longer read. */
async function loadEvents(prisma: PrismaClient, deliveryId: string, now: Date) {
  const delivery = await prisma.notificationDelivery.findUniqueOrThrow({
    where: { id: deliveryId },
    include: {
      webhook: true,
      dispatches: { where: { droppedAt: null }, include: { event: { include: { organization: { select: { name: true } } } } }, orderBy: { createdAt: "asc" } },
    },
  });
  if (delivery.userId === null || delivery.organizationId === null) return { delivery, dispatches: delivery.dispatches };
  const access = await loadOrganizationAccess(prisma, delivery.userId, delivery.organizationId);
  const allowed = delivery.dispatches.filter((dispatch) => mayReceive(access, dispatch.event));
  const dropped = delivery.dispatches.filter((dispatch) => !allowed.includes(dispatch)).map((dispatch) => dispatch.id);
  if (dropped.length > 0) {
    await prisma.notificationDispatch.updateMany({ where: { id: { in: dropped } }, data: { droppedAt: now } });
    logger.info({ delivery: deliveryId, user: delivery.userId, dropped: dropped.length }, "left out notifications the recipient may no longer read");
  }
  return { delivery, dispatches: allowed };
}

function messageEvent(event: { id: string; kind: string; title: string; cause: string; causeIds: string[]; link: string; fromGrade: string | null; toGrade: string | null; createdAt: Date; details: unknown }): MessageEvent {
  return { id: event.id, kind: event.kind, title: event.title, cause: event.cause, causeIds: event.causeIds, link: event.link, fromGrade: event.fromGrade, toGrade: event.toGrade, createdAt: event.createdAt, details: event.details };
}

/** Makes one attempt at a delivery: the access check, then the e-mail or the webhook call. */
async function attempt(prisma: PrismaClient, deliveryId: string, options: SendOptions): Promise<AttemptResult> {
  const { delivery, dispatches } = await loadEvents(prisma, deliveryId, options.now);
  if (dispatches.length === 0) return { outcome: "skipped" };
  const organization = dispatches[0]!.event.organization.name;
  const events = dispatches.map((dispatch) => messageEvent(dispatch.event));

  if (delivery.webhook) {
    const webhook = delivery.webhook;
    const body = webhook.format === "SLACK" ? slackWebhookBody({ organization, events }) : genericWebhookBody({ deliveryId, organization, sentAt: options.now, events });
    const timestamp = Math.floor(options.now.getTime() / 1000);
    let secret: string;
    try {
      secret = webhookSigningSecret(webhook.sealedSecret, getEnv());
    } catch (error) {
      return { outcome: "failed", error: publicMessage(error), status: null, response: null };
    }
    const headers = { "x-shipshape-delivery": deliveryId, "x-shipshape-timestamp": String(timestamp), "x-shipshape-signature": webhookSignature(secret, timestamp, body) };
    try {
      const response = await postWebhook(webhook.url, body, headers, options.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS);
      if (response.status >= 200 && response.status < 300) return { outcome: "sent", status: response.status, response: response.body };
      return { outcome: "failed", error: `The receiver answered HTTP ${response.status}.`, status: response.status, response: response.body };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const reason = timedOut ? `timed out after ${options.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS} ms` : `failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
      return { outcome: "failed", error: `The request to the webhook ${reason}.`, status: null, response: null };
    }
  }

  if (!isMailConfigured()) return { outcome: "failed", error: "E-mail is not configured. Set SMTP_URL to send notification e-mail.", status: null, response: null };
  const user = await prisma.user.findUniqueOrThrow({ where: { id: delivery.userId! }, select: { id: true, email: true } });
  const ruleIds = [...new Set(dispatches.map((dispatch) => dispatch.ruleId).filter((id): id is string => id !== null))];
  const rules = await prisma.notificationRule.findMany({ where: { id: { in: ruleIds } }, include: { repository: { select: { name: true } }, team: { select: { name: true } } } });
  const unsubscribe = rules.map((rule) => ({
    label: `${rule.team ? `team ${rule.team.name}, ` : ""}${rule.repository?.name ?? `all of ${organization}`}: ${rule.events.map((kind) => eventKinds[kind as EventKind] ?? kind).join("; ")}`,
    url: unsubscribeUrl(rule, user.id),
  }));
  const content = renderEmail({ organization, events, digest: delivery.mode === "DIGEST", unsubscribe });
  const headers: Record<string, string> = unsubscribe.length === 1 ? { "List-Unsubscribe": `<${unsubscribe[0]!.url}>` } : {};
  try {
    await sendMail({ to: user.email, subject: content.subject, text: content.text, html: content.html, headers });
  } catch (error) {
    return { outcome: "failed", error: error instanceof AppError ? error.message : String(error), status: null, response: null };
  }
  await prisma.notificationDelivery.update({ where: { id: deliveryId }, data: { subject: content.subject } });
  return { outcome: "sent", status: null, response: null };
}
