import type PgBoss from "pg-boss";
import { jobNames, type SyncOrganizationJob, type SyncRepositoryJob } from "@/lib/jobs/queue";
import type { PushSyncQueue } from "@/lib/sync/push-events/receive-push-events";

/**
 * Seconds in which events for one repository share a queued sync. pg-boss's
 * debounced send adds at most one job per key to the current window and one
 * to the next, so the last push of a burst is always followed by a sync.
 */
export const PUSH_DEBOUNCE_SECONDS = 10;

/** Builds the push event queue on pg-boss, with singleton keys per repository and per organization. */
export function createPushSyncQueue(boss: PgBoss, options: { debounceSeconds?: number } = {}): PushSyncQueue {
  const debounceSeconds = options.debounceSeconds ?? PUSH_DEBOUNCE_SECONDS;
  return {
    async queueRepositorySync(organization, repository) {
      const data: SyncRepositoryJob = { organization, repository };
      const id = await boss.sendDebounced(jobNames.syncRepository, data, {}, debounceSeconds, `push:${repository}`);
      return id !== null;
    },
    async queueOrganizationSync(organization) {
      const data: SyncOrganizationJob = { organization };
      const id = await boss.sendDebounced(jobNames.syncOrganization, data, {}, debounceSeconds, `push:${organization}`);
      return id !== null;
    },
    countQueuedRepositorySyncs() {
      return boss.getQueueSize(jobNames.syncRepository);
    },
  };
}
