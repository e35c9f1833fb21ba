import PgBoss from "pg-boss";
import { logger } from "@/lib/log";

export const jobNames = {
  syncOrganization: "sync-organization",
  syncRepository: "sync-repository",
  gradeImages: "grade-images",
  importAdvisories: "import-advisories",
} as const;

export interface SyncOrganizationJob {
  organization: string;
}
export interface SyncRepositoryJob {
  organization: string;
  repository: string;
}
export interface GradeImagesJob {
  digests: string[];
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
