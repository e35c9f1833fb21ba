import PgBoss from "pg-boss";
import type { GradeCause } from "@/lib/grading/grade-images";
import { logger } from "@/lib/log";

export const jobNames = {
  syncOrganization: "sync-organization",
  syncRepository: "sync-repository",
  analyzeImage: "analyze-image",
  gradeImages: "grade-images",
  importAdvisories: "import-advisories",
  expireExceptions: "expire-exceptions",
  refreshBaseTags: "refresh-base-tags",
  processNotifications: "process-notifications",
  sendNotificationDigests: "send-notification-digests",
} as const;

/**
 * Maximum singleton window pg-boss 10 accepts. It rejects a throttling interval
 * longer than its archive interval, which is 12 hours by default.
 */
export const MAX_SINGLETON_SECONDS = 12 * 60 * 60;

/**
 * Returns the window in which a scheduled job is queued once however many workers
 * queue it. Intervals above MAX_SINGLETON_SECONDS get that window, so with a daily
 * schedule two workers started 12 hours apart can each run the job once a day.
 */
export function scheduleWindowSeconds(intervalSeconds: number): number {
  return Math.min(intervalSeconds, MAX_SINGLETON_SECONDS);
}

export interface SyncOrganizationJob {
  organization: string;
}
export interface SyncRepositoryJob {
  organization: string;
  repository: string;
}
export interface AnalyzeImageJob {
  /** A repository that contains the image, to fetch its layers from. */
  repository: string;
  digest: string;
}
export interface GradeImagesJob {
  digests: string[];
  cause: GradeCause;
}
export interface ImportAdvisoriesJob {
  source: string;
}

/**
 * Starts pg-boss on the application database (its own `pgboss` schema) and creates the queues.
 * A job is tried 3 more times after a failure, with backoff from 30 s, and fails when it runs
 * longer than 30 minutes, for instance because its worker was killed.
 */
export async function startQueue(databaseUrl: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss" });
  boss.on("error", (error) => logger.error({ err: error }, "job queue error"));
  await boss.start();
  for (const name of Object.values(jobNames)) {
    // Analysis jobs carry their image digest as the singleton key. The stately policy keeps at most one
    // queued and one running job per key, so two workers never analyse the same image at once.
    const policy = name === jobNames.analyzeImage ? "stately" : "standard";
    await boss.createQueue(name, { name, policy, retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 30 * 60 });
  }
  return boss;
}

const processQueue = globalThis as { shipshapeQueueClient?: Promise<PgBoss> };

/**
 * Returns this process's queue for sending jobs from request handlers, started
 * on first use and shared across Next.js module graphs through globalThis.
 */
export function getQueueClient(databaseUrl: string): Promise<PgBoss> {
  processQueue.shipshapeQueueClient ??= startQueue(databaseUrl).catch((error: unknown) => {
    processQueue.shipshapeQueueClient = undefined;
    throw error;
  });
  return processQueue.shipshapeQueueClient;
}

/** Stops this process's queue client, if one was started, so a later `getQueueClient` starts a new one. */
export async function stopQueueClient(): Promise<void> {
  const client = processQueue.shipshapeQueueClient;
  processQueue.shipshapeQueueClient = undefined;
  if (client) await (await client).stop({ graceful: false, wait: true });
}
