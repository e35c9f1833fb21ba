import pg from "pg";
import { expect, test } from "vitest";
import { applyMigrations } from "@/lib/database/migrate";

// The advisory lock Prisma's schema engine takes while it applies migrations.
const MIGRATION_LOCK = 72707369;

test("migrated database needs no migration lock", async () => {
  const url = process.env.DATABASE_URL!;
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  try {
    // Another process is migrating. A start-up with nothing to apply must not wait for it.
    await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    expect(await applyMigrations(url)).toEqual([]);
  } finally {
    await holder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    await holder.end();
  }
});
