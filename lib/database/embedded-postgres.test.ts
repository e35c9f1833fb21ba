import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { expect, test } from "vitest";
import { startEmbeddedPostgres } from "@/lib/database/embedded-postgres";
import { applyMigrations } from "@/lib/database/migrate";

test("embedded database keeps data across restarts", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "shipshape-persist-"));
  try {
    const first = await startEmbeddedPostgres(dataDir);
    expect(await applyMigrations(first.url)).not.toEqual([]);
    const writer = new pg.Client({ connectionString: first.url });
    await writer.connect();
    await writer.query(`INSERT INTO "Organization" (id, name) VALUES ('persisted', 'acme')`);
    await writer.end();
    await first.stop();

    const second = await startEmbeddedPostgres(dataDir);
    expect(await applyMigrations(second.url)).toEqual([]);
    const reader = new pg.Client({ connectionString: second.url });
    await reader.connect();
    const result = await reader.query(`SELECT name FROM "Organization" WHERE id = 'persisted'`);
    await reader.end();
    await second.stop();
    expect(result.rows).toEqual([{ name: "acme" }]);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("second process shares a running embedded database", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "shipshape-shared-"));
  try {
    const first = await startEmbeddedPostgres(dataDir);
    const second = await startEmbeddedPostgres(dataDir);
    expect(second.url).toBe(first.url);

    // Stopping the second leaves the first one's server running.
    await second.stop();
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    const result = await client.query("SELECT 1 AS one");
    await client.end();
    expect(result.rows).toEqual([{ one: 1 }]);
    await first.stop();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
