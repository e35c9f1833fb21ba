// The embedded Postgres every benchmark measures against, in a temporary folder.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export interface BenchDatabase {
  /** The temporary folder; the database lives in it, and a benchmark may add its own files. */
  workDir: string;
  url: string;
  /** Stops the server and removes the folder. */
  stop(): Promise<void>;
}

/**
 * Starts a migrated embedded Postgres in a new temporary folder named after
 * `name` and points DATABASE_URL at it, so the Prisma client of the process uses it.
 */
export async function startBenchDatabase(name: string): Promise<BenchDatabase> {
  const workDir = await mkdtemp(path.join(tmpdir(), `shipshape-bench-${name}-`));
  const { startEmbeddedPostgres } = await import("@/lib/database/embedded-postgres");
  const database = await startEmbeddedPostgres(workDir);
  process.env.DATABASE_URL = database.url;
  const { applyMigrations } = await import("@/lib/database/migrate");
  await applyMigrations(database.url);
  return {
    workDir,
    url: database.url,
    stop: async () => {
      await database.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` twice to warm up, then `count` times, and returns the median and 95th percentile in milliseconds. */
export async function timings(work: () => Promise<unknown>, count: number): Promise<{ median: number; p95: number }> {
  await work();
  await work();
  const durations: number[] = [];
  for (let run = 0; run < count; run++) {
    const started = performance.now();
    await work();
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const middle = Math.floor(durations.length / 2);
  const median = durations.length % 2 === 1 ? durations[middle]! : (durations[middle - 1]! + durations[middle]!) / 2;
  return { median, p95: durations[Math.min(durations.length - 1, Math.ceil(0.95 * durations.length) - 1)]! };
}
