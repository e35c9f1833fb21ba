import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

/** Runs a script with tsx from the project root and returns its exit code and standard error. */
async function runScript(script: string): Promise<{ code: number; stderr: string }> {
  return run("npx", ["tsx", "--eval", script], { cwd: root }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
}

test("loading the embedded database keeps a failing exit code", async () => {
  const outcome = await runScript('import("./lib/database/embedded-postgres.ts").then(() => { process.exitCode = 3; });');
  expect(outcome.code).toBe(3);
});

test("a started and stopped embedded database exits cleanly", async () => {
  const script = [
    'const { mkdtemp, rm } = require("node:fs/promises");',
    'const folder = require("node:path").join(require("node:os").tmpdir(), "shipshape-exit-");',
    'import("./lib/database/embedded-postgres.ts").then(async ({ startEmbeddedPostgres }) => {',
    "  const dataDir = await mkdtemp(folder);",
    "  const database = await startEmbeddedPostgres(dataDir);",
    "  await database.stop();",
    "  await rm(dataDir, { recursive: true, force: true });",
    "});",
  ].join("\n");
  const outcome = await runScript(script);
  expect(outcome.stderr).not.toContain("Error");
  expect(outcome.code).toBe(0);
}, 120_000);
