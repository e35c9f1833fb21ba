import type { Prisma } from "@/generated/prisma/client";

/**
 * Interactive transaction options for import writes. Prisma's default timeout of 5 s is too
 * short for a batch of large records or a full KEV catalog on a busy database.
 */
export const transactionOptions = { maxWait: 30_000, timeout: 300_000 } as const;

/**
 * Takes a transaction-level Postgres advisory lock named after the table, so two imports
 * that run at once write one batch after the other and each batch reads rows the other
 * has committed. Postgres releases the lock when the transaction ends.
 */
export async function lockAdvisoryTable(tx: Prisma.TransactionClient, table: "Advisory" | "KnownExploitedVulnerability"): Promise<void> {
  const lockName = `shipshape:import:${table}`;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${lockName}))`;
}
