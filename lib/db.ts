import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

const globalForPrisma = globalThis as unknown as { shipshapePrisma?: PrismaClient };

/** Returns the one Prisma client of the process, created on first use. */
export function getPrisma(): PrismaClient {
  if (globalForPrisma.shipshapePrisma) return globalForPrisma.shipshapePrisma;
  const url = getEnv().DATABASE_URL;
  if (!url) {
    throw new AppError("CONFIGURATION", "DATABASE_URL is not set. Start Shipshape with `npm start` (which starts an embedded database) or set DATABASE_URL to a Postgres connection string.");
  }
  globalForPrisma.shipshapePrisma = createPrismaClient(url);
  return globalForPrisma.shipshapePrisma;
}

/** Creates a separate client for another database, e.g. the command line's local store; the caller disconnects it. */
export function createPrismaClient(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

export type { PrismaClient };
