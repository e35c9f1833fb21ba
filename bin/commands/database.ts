import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/database/embedded-postgres";
import { applyMigrations } from "@/lib/database/migrate";
import { getEnv } from "@/lib/env";

export interface OpenDatabase {
  url: string;
  embedded: EmbeddedDatabase | null;
}

/**
 * Returns DATABASE_URL, or starts the embedded Postgres under DATA_DIR when it
 * is unset, then applies pending migrations. Sets `process.env.DATABASE_URL`
 * so the Prisma client and child processes use the same database.
 */
export async function openDatabase(): Promise<OpenDatabase> {
  const env = getEnv();
  let embedded: EmbeddedDatabase | null = null;
  let url = env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(path.resolve(env.DATA_DIR));
    url = embedded.url;
    process.env.DATABASE_URL = url;
    env.DATABASE_URL = url;
  }
  await applyMigrations(url);
  return { url, embedded };
}
