import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";

export interface Health {
  status: "ok" | "error";
  database: "ok" | "unreachable";
  /** "not-created" until a worker or `shipshape migrate` has created the job queue's tables. */
  queue: "ok" | "not-created" | "unreachable";
}

/**
 * Checks that the database responds and that the job queue's tables can be read.
 * The status is "error", for a 503, when either cannot be reached. A queue that no
 * worker has created yet is reported but leaves the status "ok", because pages
 * still work.
 */
export async function checkHealth(prisma: PrismaClient): Promise<Health> {
  try {
    await prisma.$queryRaw`SELECT 1`;
  } catch (error) {
    logger.error({ err: error }, "health check: database unreachable");
    return { status: "error", database: "unreachable", queue: "unreachable" };
  }
  try {
    const rows = await prisma.$queryRaw<{ present: boolean }[]>`SELECT to_regclass('pgboss.job') IS NOT NULL AS present`;
    if (!rows[0]?.present) return { status: "ok", database: "ok", queue: "not-created" };
    await prisma.$queryRaw`SELECT 1 FROM pgboss.job LIMIT 1`;
    return { status: "ok", database: "ok", queue: "ok" };
  } catch (error) {
    logger.error({ err: error }, "health check: job queue unreachable");
    return { status: "error", database: "ok", queue: "unreachable" };
  }
}
