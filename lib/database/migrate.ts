import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { fileURLToPath } from "node:url";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { openSchemaEngine } from "@/lib/database/schema-engine";

const prismaDir = fileURLToPath(new URL("../../prisma/", import.meta.url));
const schemaPath = path.join(prismaDir, "schema.prisma");
const migrationsDir = path.join(prismaDir, "migrations");
const lockfileName = "migration_lock.toml";
const snapshotName = "schema.snapshot.prisma";

async function readSchema() {
  return { path: schemaPath, content: await readFile(schemaPath, "utf8") };
}

async function listMigrations() {
  const entries = existsSync(migrationsDir) ? await readdir(migrationsDir, { withFileTypes: true }) : [];
  const directories = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const migrationDirectories = await Promise.all(
    directories.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const content = existsSync(file)
        ? { tag: "ok" as const, value: await readFile(file, "utf8") }
        : { tag: "error" as const, value: `${file} is missing` };
      return { path: name, migrationFile: { path: "migration.sql", content } };
    }),
  );
  const lockfilePath = path.join(migrationsDir, lockfileName);
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockfileName, content: existsSync(lockfilePath) ? await readFile(lockfilePath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * Applies the migrations in `prisma/migrations` that the database has not seen.
 * Writes the same `_prisma_migrations` table as `prisma migrate deploy`.
 */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  // Workers that start together would each wait for the schema engine's advisory lock,
  // which times out after 10 s, so a database with nothing to apply is checked with one query.
  const migrations = await listMigrations();
  if (await allApplied(databaseUrl, migrations.migrationDirectories.map((directory) => directory.path))) return [];
  const { engine, close } = await openSchemaEngine(databaseUrl, await readSchema());
  try {
    const result = await engine.applyMigrations({ migrationsList: migrations, filters: noFilters });
    if (result.appliedMigrationNames.length > 0) {
      logger.info({ migrations: result.appliedMigrationNames }, "applied database migrations");
    }
    return result.appliedMigrationNames;
  } catch (error) {
    throw new AppError("CONFIGURATION", `Applying database migrations failed: ${describeEngineError(error)}. Check that DATABASE_URL points to a reachable Postgres database.`, { cause: error });
  } finally {
    await close();
  }
}

/**
 * Returns whether `_prisma_migrations` records every migration folder as finished
 * and not rolled back. A database without that table, or one the query cannot
 * reach, returns false, so the schema engine decides and reports the problem.
 */
async function allApplied(databaseUrl: string, names: readonly string[]): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const table = await client.query<{ present: boolean }>("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
    if (!table.rows[0]?.present) return false;
    const applied = await client.query<{ migration_name: string }>("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL");
    const done = new Set(applied.rows.map((row) => row.migration_name));
    return names.every((name) => done.has(name));
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Writes a new migration with the SQL that takes the schema of the previous
 * migration (kept in `prisma/migrations/schema.snapshot.prisma`) to
 * `prisma/schema.prisma`. Returns null when nothing changed. The two schemas are
 * diffed as datamodels because the WebAssembly engine cannot introspect a live
 * Postgres through the driver adapter (it fails on the catalog's "char" columns).
 */
export async function createMigration(databaseUrl: string, name: string): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) {
    throw new AppError("INVALID_INPUT", `Invalid migration name "${name}": use lowercase letters, digits and underscores.`);
  }
  const schema = await readSchema();
  const snapshotPath = path.join(migrationsDir, snapshotName);
  const from = existsSync(snapshotPath)
    ? { tag: "schemaDatamodel" as const, files: [{ path: snapshotPath, content: await readFile(snapshotPath, "utf8") }] }
    : { tag: "empty" as const };
  const { engine, close } = await openSchemaEngine(databaseUrl, schema);
  try {
    const diff = await engine.diff({ from, to: { tag: "schemaDatamodel", files: [schema] }, script: true, exitCode: null, filters: noFilters });
    const sql = diff.stdout ?? "";
    if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) return null;
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const directory = path.join(migrationsDir, `${stamp}_${name}`);
    await mkdir(directory, { recursive: true });
    await writeFile(path.join(directory, "migration.sql"), sql);
    await writeFile(snapshotPath, schema.content);
    const lockfilePath = path.join(migrationsDir, lockfileName);
    if (!existsSync(lockfilePath)) {
      await writeFile(lockfilePath, '# Written by shipshape migrate create; keep it in version control.\nprovider = "postgresql"\n');
    }
    return directory;
  } finally {
    await close();
  }
}

function describeEngineError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}
