import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { NODE_FLAGS } from "@/lib/jobs/node-flags";

/** Rejects a port that another process listens on, before anything is printed about it. */
export async function assertPortFree(port: number, host = "127.0.0.1"): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () => reject(new AppError("CONFLICT", `Port ${port} on ${host} is already in use. Stop what listens there, or choose another port with PORT=NUMBER (or --port for the demo).`)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/**
 * Starts the Next.js server as a child process with DATABASE_URL and the rest
 * of this process's environment. Production mode needs `npm run build` first.
 * The server prints to this process's stdout and stderr unless `output` is
 * "pipe", in which case the caller reads the child's streams.
 */
export function spawnWebServer(options: { port: number; dev: boolean; host?: string; output?: "inherit" | "pipe" }): ChildProcess {
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const root = path.resolve(path.dirname(nextBin), "../../../..");
  if (!options.dev && !existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new AppError("CONFIGURATION", "No production build found in .next/. Run `npm run build` first, or pass --dev for the development server.");
  }
  return spawn(process.execPath, webServerArguments(nextBin, options), {
    cwd: root,
    stdio: ["inherit", options.output ?? "inherit", options.output ?? "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PORT: String(options.port) },
  });
}

/**
 * Stops the web server: SIGTERM, then SIGKILL after `timeoutMs`. Resolves when
 * the process has exited, so that its in-process worker is gone before the
 * caller stops the database it uses.
 */
export async function stopWebServer(server: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = once(server, "exit");
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), timeoutMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ties the database's life to the web server's. When the server exits by
 * itself, the database stops and the process exits with the server's code.
 * The returned cleanup, for SIGINT and SIGTERM, stops the server first,
 * because its in-process worker uses the database, then the database. Either
 * way the database is stopped once.
 */
export function stopDatabaseWithWebServer(server: ChildProcess, stopDatabase: () => Promise<void>, exit: (code: number) => void = process.exit): () => Promise<void> {
  let databaseStopped: Promise<void> | null = null;
  const stopDatabaseOnce = () => (databaseStopped ??= stopDatabase());
  let shuttingDown = false;
  server.on("exit", (code) => {
    // During a shutdown the returned cleanup stops the database, and its caller exits.
    if (shuttingDown) return;
    void stopDatabaseOnce().finally(() => exit(code ?? 0));
  });
  return async () => {
    shuttingDown = true;
    await stopWebServer(server);
    await stopDatabaseOnce();
  };
}

/**
 * Builds the Next.js server's command line. It starts with the Node flags of
 * every Shipshape launch, because the server runs the in-process job worker
 * (WEB_WORKER), and so the image analyses, too.
 */
export function webServerArguments(nextBin: string, options: { port: number; dev: boolean; host?: string }): string[] {
  return [...NODE_FLAGS, nextBin, options.dev ? "dev" : "start", "--port", String(options.port), "--hostname", options.host ?? "127.0.0.1"];
}

/**
 * Runs `next build` when there is no production build or a source file is
 * newer than it, so the demo starts from current code without rebuilding on
 * every start.
 */
export async function buildIfStale(): Promise<void> {
  const root = path.resolve(path.dirname(createRequire(import.meta.url).resolve("next/dist/bin/next")), "../../../..");
  const buildId = path.join(root, ".next", "BUILD_ID");
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const sources = ["app", "components", "lib", "scoring", "prisma", "next.config.js", "package.json", "proxy.ts", "instrumentation.ts"];
  if (builtAt > 0 && !sources.some((source) => newestModification(path.join(root, source)) > builtAt)) return;

  process.stdout.write("Building the web app (only when the sources changed since the last build) …\n");
  const result = spawnSync(process.execPath, [createRequire(import.meta.url).resolve("next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new AppError("INTERNAL", "Building the web app failed. The build output above shows the error; run `npm run build` to reproduce it.");
}

function newestModification(target: string): number {
  if (!existsSync(target)) return 0;
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    newest = Math.max(newest, newestModification(path.join(target, entry.name)));
  }
  return newest;
}
