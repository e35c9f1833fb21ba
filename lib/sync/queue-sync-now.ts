import { AppError } from "@/lib/errors";
import { getQueueClient, jobNames, type SyncOrganizationJob } from "@/lib/jobs/queue";

/**
 * Queues a sync of each organization now. The singleton key matches the
 * worker's own "sync now", so repeated clicks queue one job per organization.
 */
export async function queueSyncNow(databaseUrl: string | undefined, organizations: string[]): Promise<void> {
  if (!databaseUrl) throw new AppError("CONFIGURATION", "DATABASE_URL is not set in the web server, so syncs cannot be queued.");
  const boss = await getQueueClient(databaseUrl);
  for (const organization of organizations) {
    await boss.send(jobNames.syncOrganization, { organization } satisfies SyncOrganizationJob, { singletonKey: `${organization}:now` });
  }
}
