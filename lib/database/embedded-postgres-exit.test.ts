import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

test("loading the embedded database keeps a failing exit code", async () => {
  const script = 'import("./lib/database/embedded-postgres.ts").then(() => { process.exitCode = 3; });';
  const outcome = await run("npx", ["tsx", "--eval", script], { cwd: root }).then(
    () => 0,
    (error: { code: number }) => error.code,
  );
  expect(outcome).toBe(3);
});
