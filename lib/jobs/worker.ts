import type PgBoss from "pg-boss";
import { getPrisma } from "@/lib/db";
import type { Env } from "@/lib/env";
import { logger } from "@/lib/log";
import { analyzeAndGrade, type AnalyzeLater } from "@/lib/grading/analyze-and-grade";
import { gradeImages } from "@/lib/grading/grade-images";
import { refreshGradesOfImages } from "@/lib/grading/refresh-grades";
import { regradeAfterImport } from "@/lib/grading/regrade-after-import";
import { regradeExpiredExceptions } from "@/lib/grading/regrade-exceptions";
import { refreshBaseTags, registryHead, type BaseTagOptions } from "@/lib/grading/base-tags";
import { importAdvisories } from "@/lib/advisories/import-advisories";
import { jobNames, scheduleWindowSeconds, startQueue, type AnalyzeImageJob, type GradeImagesJob, type ImportAdvisoriesJob, type SyncOrganizationJob, type SyncRepositoryJob } from "@/lib/jobs/queue";
import { openConfiguredRegistry } from "@/lib/sync/configured-registry";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { startNotificationJobs } from "@/lib/notifications/notification-jobs";
import { createRegistrySources, type OpenedRegistry } from "@/lib/sync/registry-sources";
import { repositoryOrg } from "@/lib/registry/reference";

/**
 * How often scheduled syncs are queued, at most. Each organization's singleton window (its registry's
 * interval) admits one job, so a registry with a shorter interval than SYNC_INTERVAL_MINUTES still gets it.
 */
const SCHEDULE_CHECK_SECONDS = 60;

/** How often expired exceptions are looked for; stored grades show an expiry at most this long after it. */
const EXCEPTION_EXPIRY_CHECK_SECONDS = 15 * 60;

export interface Worker {
  boss: PgBoss;
  /** Queues a sync of every configured organization now. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a job worker: it runs organization and repository syncs and image
 * grading from the pg-boss queue, and queues a sync of each configured
 * organization at its registry's interval (SYNC_INTERVAL_MINUTES unless the
 * registry sets one) and an import of each advisory
 * source every ADVISORY_IMPORT_INTERVAL_MINUTES. Any number of workers can share
 * the queue; the singleton key keeps one scheduled sync per organization and
 * interval however many workers queue it.
 */
export async function startWorker(env: Env & { DATABASE_URL: string }): Promise<Worker> {
  const prisma = getPrisma();
  const registry = env.REGISTRY_URL ? await openConfiguredRegistry(prisma, env) : null;
  const boss = await startQueue(env.DATABASE_URL);
  const intervalSeconds = env.SYNC_INTERVAL_MINUTES * 60;
  const baseTags: BaseTagOptions = { ttlMinutes: env.BASE_TAG_TTL_MINUTES, head: registryHead(env.BASE_IMAGE_REGISTRIES, registry?.host ? { host: registry.host, source: registry.source } : undefined) };
  const analyzeLater: AnalyzeLater = async (repository, digests) => {
    // A digest already queued is not queued again (send returns null), whichever repository asked.
    for (const digest of digests) await boss.send(jobNames.analyzeImage, { repository, digest } satisfies AnalyzeImageJob, { singletonKey: digest });
  };
  const sources = createRegistrySources(prisma, env, registry);
  /** Queues the organization's sync for when its registry's rate limit resets; returns whether it is paused. */
  const deferWhileRateLimited = async (organization: string, opened: OpenedRegistry): Promise<boolean> => {
    const pausedUntil = opened.source.pausedUntil?.();
    if (!pausedUntil) return false;
    await boss.send(jobNames.syncOrganization, { organization } satisfies SyncOrganizationJob, { startAfter: pausedUntil, singletonKey: `${organization}:rate-limit` });
    logger.warn({ org: organization, pausedUntil }, "registry rate limit exhausted; sync queued for when it resets");
    return true;
  };

  await boss.work<SyncOrganizationJob>(jobNames.syncOrganization, { batchSize: 1 }, async ([job]) => {
    const opened = job ? await sources.forOrganization(job.data.organization) : null;
    if (!job || !opened || (await deferWhileRateLimited(job.data.organization, opened))) return;
    await syncOrganization(prisma, opened.source, job.data.organization, { requestCount: opened.requestCount, analyzeLater });
    await deferWhileRateLimited(job.data.organization, opened);
  });

  await boss.work<SyncRepositoryJob>(jobNames.syncRepository, { batchSize: 1 }, async ([job]) => {
    const opened = job ? await sources.forOrganization(job.data.organization) : null;
    if (!job || !opened || (await deferWhileRateLimited(job.data.organization, opened))) return;
    await syncOrganization(prisma, opened.source, job.data.organization, { repository: job.data.repository, requestCount: opened.requestCount, analyzeLater });
  });

  // pg-boss 10 runs one job at a time per work() call, so each call adds one concurrent job. It waits
  // out the rest of the polling interval after every job (2 s by default), which capped a worker at 30
  // analyses a minute, so these queues poll at pg-boss's shortest interval.
  const busyQueue = { batchSize: 1, pollingIntervalSeconds: 0.5 };
  for (let slot = 0; slot < env.WORKER_CONCURRENCY; slot += 1) {
    await boss.work<AnalyzeImageJob>(jobNames.analyzeImage, busyQueue, async ([job]) => {
      const opened = job ? await sources.forOrganization(repositoryOrg(job.data.repository)) : null;
      if (!job || !opened) return;
      // A sync can queue the image again while it is analysed; the job queued then finds it done.
      const analysed = await prisma.imageAnalysis.count({ where: { imageDigest: job.data.digest, status: "ANALYSED" } });
      if (analysed > 0) return;
      await analyzeAndGrade(prisma, opened.source, job.data.repository, [job.data.digest], { baseTags });
    });

    await boss.work<GradeImagesJob>(jobNames.gradeImages, busyQueue, async ([job]) => {
      if (!job) return;
      await gradeImages(prisma, job.data.digests, { cause: job.data.cause });
      await refreshGradesOfImages(prisma, job.data.digests, { cause: job.data.cause });
    });
  }

  await boss.work<ImportAdvisoriesJob>(jobNames.importAdvisories, { batchSize: 1 }, async ([job]) => {
    if (!job) return;
    const result = await importAdvisories(prisma, job.data.source);
    logger.info({ source: result.snapshot.source, kind: result.kind, snapshot: result.snapshot.id }, "advisories imported");
    await regradeAfterImport(prisma, result);
  });

  const advisoryIntervalSeconds = env.ADVISORY_IMPORT_INTERVAL_MINUTES * 60;
  const queueScheduledImports = async () => {
    for (const source of env.ADVISORY_SOURCES) {
      await boss.send(jobNames.importAdvisories, { source } satisfies ImportAdvisoriesJob, { singletonKey: source, singletonSeconds: scheduleWindowSeconds(advisoryIntervalSeconds) });
    }
  };
  await queueScheduledImports();
  const importTimer = setInterval(() => {
    queueScheduledImports().catch((error) => logger.error({ err: error }, "queueing scheduled advisory imports failed"));
  }, advisoryIntervalSeconds * 1000);
  importTimer.unref();

  const queueScheduledSyncs = async () => {
    for (const { organization, intervalMinutes } of await sources.schedules()) {
      await boss.send(jobNames.syncOrganization, { organization } satisfies SyncOrganizationJob, { singletonKey: organization, singletonSeconds: scheduleWindowSeconds(intervalMinutes * 60) });
    }
  };
  await queueScheduledSyncs();
  const timer = setInterval(() => {
    queueScheduledSyncs().catch((error) => logger.error({ err: error }, "queueing scheduled syncs failed"));
  }, Math.min(intervalSeconds, SCHEDULE_CHECK_SECONDS) * 1000);
  timer.unref();

  // Base tags: resolved again once their resolution is older than the TTL; moved tags re-grade their images.
  await boss.work(jobNames.refreshBaseTags, { batchSize: 1 }, async () => {
    await refreshBaseTags(prisma, baseTags);
  });
  const baseTagSeconds = env.BASE_TAG_TTL_MINUTES * 60;
  const queueBaseTagRefresh = () =>
    boss.send(jobNames.refreshBaseTags, {}, { singletonKey: "refresh-base-tags", singletonSeconds: scheduleWindowSeconds(baseTagSeconds) }).catch((error: unknown) => {
      logger.error({ err: error }, "queueing the base tag refresh failed");
      return null;
    });
  const baseTagTimer = setInterval(() => void queueBaseTagRefresh(), baseTagSeconds * 1000);
  baseTagTimer.unref();

  // Expired exceptions: one job per interval however many workers queue it.
  await boss.work(jobNames.expireExceptions, { batchSize: 1 }, async () => {
    await regradeExpiredExceptions(prisma);
  });
  const queueExpiryCheck = () =>
    boss.send(jobNames.expireExceptions, {}, { singletonKey: "expire-exceptions", singletonSeconds: EXCEPTION_EXPIRY_CHECK_SECONDS }).catch((error: unknown) => {
      logger.error({ err: error }, "queueing the exception expiry check failed");
      return null;
    });
  await queueExpiryCheck();
  const expiryTimer = setInterval(() => void queueExpiryCheck(), EXCEPTION_EXPIRY_CHECK_SECONDS * 1000);
  expiryTimer.unref();

  const stopNotifications = await startNotificationJobs(boss, prisma);

  logger.info({ organizations: registry?.organizations ?? [], intervalMinutes: env.SYNC_INTERVAL_MINUTES }, "worker started");
  return {
    boss,
    syncNow: async () => {
      for (const organization of await sources.organizations()) {
        await boss.send(jobNames.syncOrganization, { organization } satisfies SyncOrganizationJob, { singletonKey: `${organization}:now` });
      }
    },
    stop: async () => {
      clearInterval(timer);
      clearInterval(importTimer);
      clearInterval(expiryTimer);
      clearInterval(baseTagTimer);
      stopNotifications();
      await boss.stop({ graceful: true, wait: true });
      logger.info("worker stopped");
    },
  };
}
