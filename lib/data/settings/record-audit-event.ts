import type { Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";

type Transaction = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/** Records who changed what, in the same transaction as the change. Changes to a user's own settings have no organization. */
export async function recordAuditEvent(
  tx: Transaction,
  event: { organizationId: string | null; actorId: string; action: string; target: string; details?: Prisma.InputJsonValue },
): Promise<void> {
  await tx.auditEvent.create({ data: { ...event, details: event.details ?? {} } });
  logger.info({ org: event.organizationId, actor: event.actorId, action: event.action, target: event.target }, "audit event");
}
