import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@/lib/database/embedded-postgres";
import { applyMigrations } from "@/lib/database/migrate";
import { createPrismaClient, type PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * The command line's database: an embedded Postgres whose data folder is the
 * advisory store, so `advisories import --store DIR` writes with the server's
 * importer and `score --advisories DIR` matches with the server's matcher and
 * keeps the per-layer analysis cache there for the next run.
 */
export interface LocalStore {
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** The file the embedded Postgres writes in every data folder it initialises. */
const STORE_MARKER = path.join("postgres", "PG_VERSION");

/**
 * Opens the advisory store in `directory`, creating it when `create` is set,
 * and applies pending migrations. Raises AppError NOT_FOUND naming the folder
 * when it is missing or is not a store and `create` is not set.
 */
export async function openLocalStore(directory: string, options: { create: boolean }): Promise<LocalStore> {
  const resolved = path.resolve(directory);
  const kind = await stat(resolved).then(
    (info) => (info.isDirectory() ? "folder" : "other"),
    () => "missing",
  );
  if (kind === "other") {
    throw new AppError("INVALID_INPUT", `The advisory store ${resolved} is a file, not a folder. Give the path of a folder, which \`shipshape advisories import --store DIR SOURCE...\` creates when missing.`);
  }
  if (!options.create) {
    if (kind === "missing") {
      throw new AppError("NOT_FOUND", `The advisory store ${resolved} was not found. Create it with \`shipshape advisories import --store ${directory} SOURCE...\`.`);
    }
    if (!existsSync(path.join(resolved, STORE_MARKER))) {
      throw new AppError("INVALID_INPUT", `${resolved} is not an advisory store (it has no ${STORE_MARKER}). Create one with \`shipshape advisories import --store DIR SOURCE...\`.`);
    }
  }
  return startStore(resolved, async () => {});
}

/** Opens an empty store in a temporary folder that is deleted on close, for runs without --advisories. */
export async function openTemporaryStore(): Promise<LocalStore> {
  const directory = await mkdtemp(path.join(tmpdir(), "shipshape-store-"));
  try {
    return await startStore(directory, () => rm(directory, { recursive: true, force: true }));
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function startStore(directory: string, removeFolder: () => Promise<void>): Promise<LocalStore> {
  let database;
  try {
    database = await startEmbeddedPostgres(directory);
  } catch (error) {
    if (error instanceof AppError) throw error;
    // Postgres refuses to run as root, so embedded-postgres runs it as an unprivileged user that must be able to enter the folder.
    const asRoot = process.getuid?.() === 0 ? " As root, Postgres runs as an unprivileged user, which must be able to enter every parent folder of the store." : "";
    throw new AppError("CONFIGURATION", `Starting the store's Postgres in ${directory} failed: ${(error as Error).message.split("\n")[0]}.${asRoot} Choose another folder or fix its permissions.`, { cause: error });
  }
  let prisma: PrismaClient | null = null;
  try {
    await applyMigrations(database.url);
    prisma = createPrismaClient(database.url);
  } catch (error) {
    await database.stop();
    throw error;
  }
  return {
    prisma,
    async close() {
      await prisma.$disconnect();
      await database.stop();
      await removeFolder();
    },
  };
}
