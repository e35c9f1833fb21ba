import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/database/embedded-postgres";
import { applyMigrations } from "@/lib/database/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;
let dataDir: string | undefined;

/**
 * Gives the test run a migrated Postgres: TEST_DATABASE_URL when set, else an
 * embedded server in a temporary folder that is removed afterwards.
 */
export async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    dataDir = await mkdtemp(path.join(tmpdir(), "shipshape-test-db-"));
    embedded = await startEmbeddedPostgres(dataDir);
    url = embedded.url;
  }
  await applyMigrations(url);
  project.provide("databaseUrl", url);
}

export async function teardown() {
  await embedded?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
