import { createHmac } from "node:crypto";
import { messageSubject, MAX_LISTED_EVENTS, summaryLines, type MessageEvent } from "@/lib/notifications/notification-message";

/** Version tag of the generic JSON body; docs/notification-webhooks.md documents it. */
export const WEBHOOK_SCHEMA = "shipshape.notifications/v1";

/** Builds the generic JSON body of one webhook delivery. */
export function genericWebhookBody(input: { deliveryId: string; organization: string; sentAt: Date; events: readonly MessageEvent[] }): string {
  return JSON.stringify({
    schema: WEBHOOK_SCHEMA,
    deliveryId: input.deliveryId,
    organization: input.organization,
    sentAt: input.sentAt.toISOString(),
    events: input.events.map((event) => ({
      id: event.id,
      kind: event.kind,
      title: event.title,
      cause: event.cause,
      causeIds: event.causeIds,
      fromGrade: event.fromGrade,
      toGrade: event.toGrade,
      link: event.link,
      occurredAt: event.createdAt.toISOString(),
      details: event.details,
    })),
  });
}

function slackEscape(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Builds a Slack incoming-webhook body: one `text` field in Slack's mrkdwn, with a linked line per listed event. */
export function slackWebhookBody(input: { organization: string; events: readonly MessageEvent[] }): string {
  const { events } = input;
  const listed = events.slice(0, MAX_LISTED_EVENTS);
  const lines = [`*${slackEscape(messageSubject(events, input.organization, false))}*`];
  if (events.length > 1) lines.push(...summaryLines(events).map(slackEscape));
  lines.push(...listed.map((event) => `• <${event.link}|${slackEscape(event.title)}>`));
  if (events.length > listed.length) lines.push(`… and ${events.length - listed.length} more.`);
  return JSON.stringify({ text: lines.join("\n") });
}

/**
 * Returns the signature header value: `sha256=` and the hex HMAC-SHA256, under the
 * webhook's secret, of the timestamp (Unix seconds), a dot and the exact body.
 * Signing the timestamp lets receivers reject replayed deliveries.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}
