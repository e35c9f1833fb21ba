import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import { getPrisma } from "@/lib/db";

const globalForPrisma = globalThis as unknown as { shipshapePrisma?: PrismaClient };

/**
 * Swaps the process's Prisma client for one whose connections count every SQL
 * statement they send, runs `work`, and restores the client. Returns the count,
 * which includes the transaction statements Prisma sends around a batch.
 */
export async function countQueries(work: () => Promise<unknown>): Promise<number> {
  const original = getPrisma();
  let statements = 0;
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements += 1;
      return query(...args);
    };
  });
  const counting = new PrismaClient({ adapter: new PrismaPg(pool) });
  globalForPrisma.shipshapePrisma = counting;
  try {
    await work();
  } finally {
    globalForPrisma.shipshapePrisma = original;
    await counting.$disconnect();
    await pool.end().catch(() => undefined);
  }
  return statements;
}
