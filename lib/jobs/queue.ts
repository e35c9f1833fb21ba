import PgBoss from "pg-boss";
import type { GradeCause } from "@/lib/grading/grade-images";
import { logger } from "@/lib/log";

export const jobNames = {
  syncOrganization: "sync-organization",
  syncRepository: "sync-repository",
  analyzeImages: "analyze-images",
  gradeImages: "grade-images",
  importAdvisories: "import-advisories",
  expireExceptions: "expire-exceptions",
  refreshBaseTags: "refresh-base-tags",
} as const;

export interface SyncOrganizationJob {
  organization: string;
}
export interface SyncRepositoryJob {
  organization: string;
  repository: string;
}
export interface AnalyzeImagesJob {
  /** A repository that contains the images, to fetch their layers from. */
  repository: string;
  digests: string[];
}
export interface GradeImagesJob {
  digests: string[];
  cause: GradeCause;
}
export interface ImportAdvisoriesJob {
  source: string;
}

/** Starts pg-boss on the application database (its own `pgboss` schema) and creates the queues. */
export async function startQueue(databaseUrl: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss" });
  boss.on("error", (error) => logger.error({ err: error }, "job queue error"));
  await boss.start();
  for (const name of Object.values(jobNames)) {
    await boss.createQueue(name, { name, retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 30 * 60 });
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
