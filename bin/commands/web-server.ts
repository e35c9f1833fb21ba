import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { AppError } from "@/lib/errors";

/**
 * Starts the Next.js server as a child process with DATABASE_URL and the rest
 * of this process's environment. Production mode needs `npm run build` first.
 */
export function spawnWebServer(options: { port: number; dev: boolean }): ChildProcess {
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const root = path.resolve(path.dirname(nextBin), "../../../..");
  if (!options.dev && !existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new AppError("CONFIGURATION", "No production build found in .next/. Run `npm run build` first, or pass --dev for the development server.");
  }
  const args = [nextBin, options.dev ? "dev" : "start", "--port", String(options.port), "--hostname", "127.0.0.1"];
  return spawn(process.execPath, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PORT: String(options.port) },
  });
}
