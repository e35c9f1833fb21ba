import type { PrismaClient } from "@/lib/db";

/**
 * An immediate recipient's events wait until none has arrived for this long,
 * so a burst (an advisory update that lowers 500 tags) becomes one summary.
 * Events are routed only during passes, one a minute, so this is shorter than
 * that interval: a pass that routes nothing new for the recipient sends the rest.
 */
export const QUIET_MS = 45 * 1000;
/** No immediate event waits longer than this, however long a burst lasts. */
export const MAX_WAIT_MS = 10 * 60 * 1000;

/**
 * Groups a recipient's dispatches that no message carries yet into one
 * delivery per recipient and organization. Immediate dispatches are grouped
 * once their burst is over: QUIET_MS without a new one, or MAX_WAIT_MS after
 * the first. Digest dispatches are grouped only when `digest` is set, by the daily job.
 * Returns how many deliveries were made.
 */
export async function prepareDeliveries(prisma: PrismaClient, options: { now: Date; digest: boolean }): Promise<number> {
  const mode = options.digest ? "DIGEST" : "IMMEDIATE";
  const pending = await prisma.notificationDispatch.findMany({
    where: { deliveryId: null, droppedAt: null, mode },
    select: { id: true, recipient: true, userId: true, webhookId: true, createdAt: true, event: { select: { organizationId: true } } },
    orderBy: { createdAt: "asc" },
  });
  const groups = new Map<string, typeof pending>();
  for (const dispatch of pending) {
    const key = `${dispatch.recipient} ${dispatch.event.organizationId}`;
    groups.set(key, [...(groups.get(key) ?? []), dispatch]);
  }

  let made = 0;
  const now = options.now.getTime();
  for (const group of groups.values()) {
    const first = group[0]!;
    const newest = group[group.length - 1]!;
    if (!options.digest && now - newest.createdAt.getTime() < QUIET_MS && now - first.createdAt.getTime() < MAX_WAIT_MS) continue;
    await prisma.$transaction(async (tx) => {
      const delivery = await tx.notificationDelivery.create({
        data: { organizationId: first.event.organizationId, channel: first.webhookId ? "WEBHOOK" : "EMAIL", userId: first.userId, webhookId: first.webhookId, mode, nextAttemptAt: options.now },
      });
      // Only dispatches still unassigned are taken, so two workers preparing at once cannot both send one.
      const taken = await tx.notificationDispatch.updateMany({ where: { id: { in: group.map((dispatch) => dispatch.id) }, deliveryId: null }, data: { deliveryId: delivery.id } });
      if (taken.count === 0) await tx.notificationDelivery.delete({ where: { id: delivery.id } });
      else made += 1;
    });
  }
  return made;
}
