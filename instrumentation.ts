/**
 * Next.js calls `register` once when the server starts. Unless WEB_WORKER is
 * false, the web server runs a job worker in its own process, so one process
 * is enough on one machine.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv } = await import("@/lib/env");
  const env = getEnv();
  if (!env.WEB_WORKER || !env.DATABASE_URL) return;
  const { startWorker } = await import("@/lib/jobs/worker");
  const { logger } = await import("@/lib/log");
  try {
    await startWorker({ ...env, DATABASE_URL: env.DATABASE_URL });
  } catch (error) {
    logger.error({ err: error }, "the in-process worker failed to start; pages still work, syncs do not run");
  }
}
