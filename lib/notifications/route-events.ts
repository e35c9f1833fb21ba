import type { Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";
import { isGradeDrop } from "@/lib/notifications/event-kinds";
import { gradeRank, type Grade } from "@/scoring";

/** Events routed per batch, bounding what is held at once. */
const EVENTS_PER_BATCH = 1000;

interface RuleTarget {
  id: string;
  repositoryId: string | null;
  events: string[];
  belowGrade: string | null;
  mode: "IMMEDIATE" | "DIGEST";
  userId: string | null;
  webhookId: string | null;
  team: { members: { userId: string }[] } | null;
  optOuts: { userId: string }[];
}

/** Checks whether a rule chooses an event: its kind, its repository (or every one), and for grade drops the grade it fell to. */
export function ruleMatches(rule: Pick<RuleTarget, "repositoryId" | "events" | "belowGrade">, event: { kind: string; repositoryId: string | null; toGrade: string | null }): boolean {
  if (!rule.events.includes(event.kind)) return false;
  if (rule.repositoryId !== null && rule.repositoryId !== event.repositoryId) return false;
  if (rule.belowGrade !== null && isGradeDrop(event.kind)) {
    return event.toGrade !== null && gradeRank(event.toGrade as Grade) > gradeRank(rule.belowGrade as Grade);
  }
  return true;
}

/** Returns the recipient keys a rule reaches: its user, its team's members who did not unsubscribe, or its webhook. */
function recipientsOf(rule: RuleTarget): { recipient: string; userId: string | null; webhookId: string | null }[] {
  if (rule.webhookId !== null) return [{ recipient: `webhook:${rule.webhookId}`, userId: null, webhookId: rule.webhookId }];
  const optedOut = new Set(rule.optOuts.map((optOut) => optOut.userId));
  const userIds = rule.userId !== null ? [rule.userId] : (rule.team?.members ?? []).map((member) => member.userId);
  return userIds.filter((userId) => !optedOut.has(userId)).map((userId) => ({ recipient: `user:${userId}`, userId, webhookId: null }));
}

/**
 * Turns new events into dispatches, one per event and recipient, from the
 * organizations' rules. When several rules reach the same recipient, one
 * dispatch is made, immediate when any of them is. Access is not checked here
 * but when a message is sent, so a permission removed in between still counts.
 * Returns how many events were routed.
 */
export async function routeNotificationEvents(prisma: PrismaClient, now: Date): Promise<number> {
  let routed = 0;
  for (;;) {
    const events = await prisma.notificationEvent.findMany({ where: { routedAt: null }, orderBy: { createdAt: "asc" }, take: EVENTS_PER_BATCH });
    if (events.length === 0) return routed;
    const organizationIds = [...new Set(events.map((event) => event.organizationId))];
    const rules: (RuleTarget & { organizationId: string })[] = await prisma.notificationRule.findMany({
      where: { organizationId: { in: organizationIds } },
      select: {
        id: true, organizationId: true, repositoryId: true, events: true, belowGrade: true, mode: true, userId: true, webhookId: true,
        team: { select: { members: { select: { userId: true } } } },
        optOuts: { select: { userId: true } },
      },
    });

    const dispatches = new Map<string, Prisma.NotificationDispatchCreateManyInput>();
    for (const event of events) {
      for (const rule of rules) {
        if (rule.organizationId !== event.organizationId || !ruleMatches(rule, event)) continue;
        for (const target of recipientsOf(rule)) {
          const key = `${event.id} ${target.recipient}`;
          const existing = dispatches.get(key);
          if (existing && (existing.mode === "IMMEDIATE" || rule.mode === "DIGEST")) continue;
          dispatches.set(key, { eventId: event.id, ...target, ruleId: rule.id, mode: rule.mode });
        }
      }
    }
    await prisma.$transaction([
      prisma.notificationDispatch.createMany({ data: [...dispatches.values()], skipDuplicates: true }),
      prisma.notificationEvent.updateMany({ where: { id: { in: events.map((event) => event.id) } }, data: { routedAt: now } }),
    ]);
    routed += events.length;
  }
}
