import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

/** Debian's `docker-registry` package installs CNCF distribution here. */
export const REGISTRY_BINARY = "/usr/bin/docker-registry";
/** From Debian's `apache2-utils`; writes bcrypt htpasswd lines, the only hash distribution accepts. */
export const HTPASSWD_BINARY = "/usr/bin/htpasswd";

/** Time allowed for the registry to respond to `/v2/` after it starts. */
const STARTUP_TIMEOUT_MS = 20_000;

export interface RegistryServerOptions {
  /** Require Basic auth with this user (htpasswd file with a bcrypt hash). */
  htpasswd?: { username: string; password: string };
  /** Send push and delete events to this URL with `Authorization: Bearer <token>`. */
  notifications?: { url: string; token: string };
}

export interface RegistryServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Stops the registry and deletes its storage. */
  stop(): Promise<void>;
}

/** Registry processes not stopped yet, with their storage directories. */
const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

/**
 * Starts the CNCF registry on a free 127.0.0.1 port with a temporary storage
 * directory, waits until `/v2/` responds, and returns its URL. The process is
 * killed and its directory deleted by `stop()`, and by the test process's exit
 * or SIGINT/SIGTERM if a test does not stop it.
 */
export async function startRegistryServer(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  installExitHook();
  const directory = await mkdtemp(path.join(tmpdir(), "shipshape-registry-"));
  try {
    const port = await findFreePort();
    const configPath = path.join(directory, "config.yml");
    await writeFile(configPath, await buildConfig(directory, port, options));

    // A clean environment, because distribution reads REGISTRY_* variables as config overrides.
    // The cast leaves out NODE_ENV, which the Next.js types declare as always present.
    const env = {} as NodeJS.ProcessEnv;
    env.PATH = "/usr/bin:/bin";
    const child = spawn(REGISTRY_BINARY, ["serve", configPath], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    running.set(child, directory);
    const stderr: string[] = [];
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr.push(chunk);
      if (stderr.length > 200) stderr.shift();
    });

    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(url, child, stderr);
    } catch (error) {
      await stopProcess(child);
      throw error;
    }

    return {
      url,
      async stop() {
        await stopProcess(child);
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function buildConfig(directory: string, port: number, options: RegistryServerOptions): Promise<string> {
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${JSON.stringify(path.join(directory, "data"))}`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString("hex")}`,
  ];

  if (options.htpasswd !== undefined) {
    const htpasswdPath = path.join(directory, "htpasswd");
    await writeFile(htpasswdPath, await htpasswdLine(options.htpasswd.username, options.htpasswd.password));
    lines.push("auth:", "  htpasswd:", "    realm: shipshape-test", `    path: ${JSON.stringify(htpasswdPath)}`);
  }

  if (options.notifications !== undefined) {
    lines.push(
      "notifications:",
      "  endpoints:",
      "    - name: shipshape",
      `      url: ${JSON.stringify(options.notifications.url)}`,
      "      headers:",
      `        Authorization: [${JSON.stringify(`Bearer ${options.notifications.token}`)}]`,
      "      timeout: 2s",
      "      threshold: 3",
      "      backoff: 1s",
    );
  }
  return `${lines.join("\n")}\n`;
}

async function htpasswdLine(username: string, password: string): Promise<string> {
  // -n prints instead of writing a file, -b takes the password as an argument, -B selects bcrypt.
  const { stdout } = await promisify(execFile)(HTPASSWD_BINARY, ["-nbB", username, password]);
  return `${stdout.trim()}\n`;
}

/** Returns a port that was free a moment ago; the registry binds it right after. */
async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === "string") {
          reject(new Error("The probe server has no TCP address."));
        } else {
          resolve(address.port);
        }
      });
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, stderr: string[]): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`docker-registry exited with ${child.exitCode ?? child.signalCode} before responding to /v2/. Its log:\n${stderr.join("")}`);
    }
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // Not listening yet; try again shortly.
    }
    await sleep(50);
  }
  throw new Error(`docker-registry did not respond to ${url}/v2/ within ${STARTUP_TIMEOUT_MS} ms. Its log:\n${stderr.join("")}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!killed) {
      child.kill("SIGKILL");
      await exited;
    }
  }
  running.delete(child);
}

function killAllSync(): void {
  for (const [child, directory] of running) {
    child.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  }
  running.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killAllSync);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAllSync();
      // Re-raise so the default action (exit) still happens when no one else handles the signal.
      if (process.listenerCount(signal) === 0) {
        process.kill(process.pid, signal);
      }
    });
  }
}
