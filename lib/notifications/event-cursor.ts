import type { PrismaClient } from "@/lib/db";

/**
 * How far back each collection reads again before its cursor. Rows are stamped by
 * the database when written, so one committed a little after a collection
 * started can carry an earlier time. The events' unique keys make a second
 * reading harmless.
 */
const OVERLAP_MS = 2 * 60 * 1000;

/** On the first collection, rows of the last day count, so an upgrade does not send the whole history. */
const FIRST_READ_MS = 24 * 60 * 60 * 1000;

/** Returns the time range of an append-only table that the named collector has not read yet, up to now. */
export async function unreadRange(prisma: PrismaClient, name: string, now: Date): Promise<{ after: Date; until: Date }> {
  const cursor = await prisma.notificationCursor.findUnique({ where: { name } });
  const readUntil = cursor?.readUntil.getTime() ?? now.getTime() - FIRST_READ_MS + OVERLAP_MS;
  return { after: new Date(Math.min(readUntil, now.getTime()) - OVERLAP_MS), until: now };
}

/** Records that the collector has read its table up to `until`. */
export async function advanceCursor(prisma: PrismaClient, name: string, until: Date): Promise<void> {
  await prisma.notificationCursor.upsert({ where: { name }, create: { name, readUntil: until }, update: { readUntil: until } });
}
