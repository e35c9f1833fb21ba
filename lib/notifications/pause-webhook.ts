import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";
import { appUrl } from "@/lib/notifications/app-url";
import { webhookPausedKind } from "@/lib/notifications/event-kinds";

/**
 * Pauses a webhook after repeated failed attempts, records it in the audit log,
 * and e-mails a notice to every owner of its organization through the normal
 * delivery path, so the notice itself is retried.
 */
export async function pauseWebhook(prisma: PrismaClient, webhookId: string, lastError: string, now: Date): Promise<void> {
  const webhook = await prisma.notificationWebhook.update({
    where: { id: webhookId },
    data: { pausedAt: now, pauseReason: `Paused after repeated failed deliveries. Last error: ${lastError}` },
    include: { organization: { select: { name: true, memberships: { where: { role: "OWNER" }, select: { userId: true } } } } },
  });
  logger.warn({ org: webhook.organizationId, webhook: webhook.id, error: lastError }, "webhook paused after repeated failures");
  await prisma.auditEvent.create({ data: { organizationId: webhook.organizationId, actorId: null, action: "webhook.paused", target: webhook.name, details: { reason: lastError } } });
  const event = await prisma.notificationEvent.create({
    data: {
      organizationId: webhook.organizationId,
      kind: webhookPausedKind,
      eventKey: `webhook-paused:${webhook.id}:${now.toISOString()}`,
      cause: "webhook failures",
      title: `The webhook ${webhook.name} of ${webhook.organization.name} was paused after repeated failed deliveries`,
      link: appUrl(`/orgs/${encodeURIComponent(webhook.organization.name)}/settings/notifications`),
      details: { webhook: webhook.name, lastError },
      routedAt: now,
    },
  });
  await prisma.notificationDispatch.createMany({
    data: webhook.organization.memberships.map((owner) => ({ eventId: event.id, recipient: `user:${owner.userId}`, userId: owner.userId, mode: "IMMEDIATE" as const })),
    skipDuplicates: true,
  });
}
