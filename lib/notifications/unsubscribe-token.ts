import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "@/lib/db";
import { appUrl } from "@/lib/notifications/app-url";

/** Returns a new random key for a rule's unsubscribe links. */
export function newUnsubscribeSecret(): string {
  return randomBytes(32).toString("base64url");
}

function signature(secret: string, ruleId: string, userId: string): string {
  return createHmac("sha256", secret).update(`${ruleId}.${userId}`).digest("base64url");
}

/**
 * Builds the token of an unsubscribe link for one rule and one recipient:
 * the ids and an HMAC-SHA256 of them under the rule's own random key, so it
 * cannot be guessed or altered to reach another rule or user.
 */
export function unsubscribeToken(rule: { id: string; unsubscribeSecret: string }, userId: string): string {
  return `${rule.id}.${userId}.${signature(rule.unsubscribeSecret, rule.id, userId)}`;
}

export function unsubscribeUrl(rule: { id: string; unsubscribeSecret: string }, userId: string): string {
  return appUrl(`/notifications/unsubscribe?token=${encodeURIComponent(unsubscribeToken(rule, userId))}`);
}

/** The rule and user an unsubscribe token names. */
export interface UnsubscribeTarget {
  ruleId: string;
  userId: string;
  organization: string;
  repository: string | null;
  events: string[];
  /** "team" when the rule is a team's, so unsubscribing opts the user out of it. */
  owner: "user" | "team";
  teamName: string | null;
  /** True when the user already unsubscribed from this team rule. */
  alreadyUnsubscribed: boolean;
}

/** Checks an unsubscribe token and returns the rule it names, without changing anything. */
export async function resolveUnsubscribeToken(prisma: PrismaClient, token: string): Promise<UnsubscribeTarget | null> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((part) => !/^[\w-]{1,128}$/.test(part))) return null;
  const [ruleId, userId, given] = parts as [string, string, string];
  const rule = await prisma.notificationRule.findUnique({
    where: { id: ruleId },
    include: { organization: { select: { name: true } }, repository: { select: { name: true } }, team: { select: { name: true } }, optOuts: { where: { userId } } },
  });
  if (!rule || (rule.userId !== userId && rule.teamId === null)) return null;
  const expected = Buffer.from(signature(rule.unsubscribeSecret, rule.id, userId));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  return {
    ruleId,
    userId,
    organization: rule.organization.name,
    repository: rule.repository?.name ?? null,
    events: rule.events,
    owner: rule.teamId === null ? "user" : "team",
    teamName: rule.team?.name ?? null,
    alreadyUnsubscribed: rule.optOuts.length > 0,
  };
}

/**
 * Unsubscribes the token's user from its one rule: their own rule is deleted,
 * and for a team rule they are opted out of it. Returns the target, or null for
 * an invalid token. Doing it twice is harmless.
 */
export async function unsubscribe(prisma: PrismaClient, token: string): Promise<UnsubscribeTarget | null> {
  const target = await resolveUnsubscribeToken(prisma, token);
  if (!target) return null;
  if (target.owner === "user") await prisma.notificationRule.deleteMany({ where: { id: target.ruleId, userId: target.userId } });
  else await prisma.notificationOptOut.upsert({ where: { ruleId_userId: { ruleId: target.ruleId, userId: target.userId } }, create: { ruleId: target.ruleId, userId: target.userId }, update: {} });
  return target;
}
