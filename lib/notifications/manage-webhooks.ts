import { randomBytes } from "node:crypto";
import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { sealSecret } from "@/lib/secrets/secret-box";
import { hideUrlCredentials } from "@/lib/security/hide-credentials";
import { assertPublicTarget } from "@/lib/security/outbound-target";

/** Deliveries shown in the settings page's log. */
export const DELIVERY_LOG_SIZE = 50;

/**
 * Checks a webhook URL: an absolute http or https URL without credentials.
 * Throws INVALID_INPUT naming the value and the fix.
 */
export function parseWebhookUrl(value: string): string {
  const trimmed = value.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new AppError("INVALID_INPUT", `The webhook URL "${hideUrlCredentials(trimmed)}" is not a valid URL. Enter an absolute URL such as https://hooks.example.com/shipshape.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AppError("INVALID_INPUT", `The webhook URL "${hideUrlCredentials(trimmed)}" uses ${url.protocol.replace(/:$/, "")}, but webhooks must use http or https. Enter an http:// or https:// URL.`);
  }
  if (url.username || url.password) {
    throw new AppError("INVALID_INPUT", `The webhook URL for ${url.host} contains a user name or password, which would be stored in plain text. Remove it and use the signing secret to authenticate requests.`);
  }
  return url.toString();
}

/**
 * Creates a webhook for an organization the viewer owns, with a new random
 * signing secret, and returns it with the secret. The secret is stored sealed by
 * SECRETS_KEY, and the page shows it only this once.
 */
export async function createWebhook(viewer: Viewer, input: { org: string; name: string; url: string; format: "GENERIC" | "SLACK" }) {
  const organization = await findOwnedOrganization(viewer, input.org);
  const url = parseWebhookUrl(input.url);
  await assertPublicTarget(new URL(url), getEnv().PRIVATE_TARGETS_ALLOWED, "webhook URL", { resolve: false });
  const secret = randomBytes(32).toString("hex");
  // Sealed before anything is stored, so a missing SECRETS_KEY stops the creation with its fix.
  const sealedSecret = sealSecret(secret, getEnv().SECRETS_KEY);
  const prisma = getPrisma();
  if (await prisma.notificationWebhook.findFirst({ where: { organizationId: organization.id, name: input.name }, select: { id: true } })) {
    throw new AppError("CONFLICT", `A webhook named ${input.name} already exists in ${organization.name}. Choose another name.`);
  }
  const webhook = await prisma.$transaction(async (tx) => {
    const created = await tx.notificationWebhook.create({ data: { organizationId: organization.id, name: input.name, url, format: input.format, sealedSecret } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "webhook.created", target: input.name, details: { host: new URL(url).host, format: input.format } });
    return created;
  });
  return { webhook, secret };
}

/** Deletes a webhook of an organization the viewer owns, with its rules and delivery log. */
export async function deleteWebhook(viewer: Viewer, organizationName: string, webhookId: string): Promise<void> {
  const organization = await findOwnedOrganization(viewer, organizationName);
  await getPrisma().$transaction(async (tx) => {
    const webhook = await tx.notificationWebhook.findFirst({ where: { id: webhookId, organizationId: organization.id }, select: { name: true } });
    if (!webhook) throw new AppError("NOT_FOUND", "That webhook was not found. Reload the page to see the webhooks.");
    await tx.notificationWebhook.delete({ where: { id: webhookId } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "webhook.deleted", target: webhook.name });
  });
}

/**
 * Resumes a paused webhook. Deliveries that failed while it was failing are
 * attempted again from the start, so no event is lost to the outage.
 */
export async function resumeWebhook(viewer: Viewer, organizationName: string, webhookId: string, now: Date = new Date()): Promise<number> {
  const organization = await findOwnedOrganization(viewer, organizationName);
  return getPrisma().$transaction(async (tx) => {
    const webhook = await tx.notificationWebhook.findFirst({ where: { id: webhookId, organizationId: organization.id }, select: { name: true, pausedAt: true } });
    if (!webhook) throw new AppError("NOT_FOUND", "That webhook was not found. Reload the page to see the webhooks.");
    await tx.notificationWebhook.update({ where: { id: webhookId }, data: { pausedAt: null, pauseReason: null, consecutiveFailures: 0 } });
    const requeued = await tx.notificationDelivery.updateMany({ where: { webhookId, status: "FAILED" }, data: { status: "PENDING", attempts: 0, nextAttemptAt: now } });
    await recordAuditEvent(tx, { organizationId: organization.id, actorId: viewer.id, action: "webhook.resumed", target: webhook.name, details: { requeued: requeued.count } });
    return requeued.count;
  });
}

/**
 * Loads an organization's notification settings for its owner: teams,
 * repositories, webhooks (without their secrets), team and webhook rules, and
 * the latest webhook deliveries with their last response.
 */
export async function getOrganizationNotifications(viewer: Viewer, organizationName: string) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const prisma = getPrisma();
  const [teams, repositories, webhooks, rules, deliveries] = await Promise.all([
    prisma.team.findMany({ where: { organizationId: organization.id }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
    prisma.repository.findMany({ where: { organizationId: organization.id, deletedAt: null }, select: { name: true }, orderBy: { name: "asc" } }),
    prisma.notificationWebhook.findMany({
      where: { organizationId: organization.id },
      select: { id: true, name: true, url: true, format: true, pausedAt: true, pauseReason: true, consecutiveFailures: true, createdAt: true },
      orderBy: { name: "asc" },
    }),
    prisma.notificationRule.findMany({
      where: { organizationId: organization.id, userId: null },
      include: { team: { select: { name: true } }, webhook: { select: { name: true } }, repository: { select: { name: true } } },
      orderBy: { createdAt: "asc" },
    }),
    prisma.notificationDelivery.findMany({
      where: { webhook: { organizationId: organization.id } },
      include: { webhook: { select: { name: true } }, _count: { select: { dispatches: true } } },
      orderBy: { createdAt: "desc" },
      take: DELIVERY_LOG_SIZE,
    }),
  ]);
  return { organization, teams, repositories: repositories.map((repository) => repository.name), webhooks, rules, deliveries };
}
