import type { PrismaClient } from "@/lib/db";
import { publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import type { RegistrySource } from "@/lib/registry/registry-source";
import { runWithConcurrency } from "@/lib/sync/run-with-concurrency";
import type { AnalyzeLater } from "@/lib/grading/analyze-and-grade";
import { syncRepository, type SyncFailure } from "@/lib/sync/sync-repository";

export interface SyncOptions {
  /** Repositories synced at the same time. */
  concurrency?: number;
  /** Sync only this repository (a push event or a user's request) instead of the whole organization. */
  repository?: string;
  /** Reads the registry's request count, so the run can record it. */
  requestCount?: () => number;
  /** Queues analysis and grading of new images (a job); without it the sync analyses and grades them itself. */
  analyzeLater?: AnalyzeLater;
}

/**
 * Syncs an organization's repositories and tags into the database and records
 * a sync run with its counts, duration and errors. One failing repository does
 * not stop the others.
 */
export async function syncOrganization(prisma: PrismaClient, source: RegistrySource, organizationName: string, options: SyncOptions = {}) {
  const organization = await prisma.organization.upsert({ where: { name: organizationName }, update: {}, create: { name: organizationName } });
  const run = await prisma.syncRun.create({ data: { organizationId: organization.id, repository: options.repository ?? null } });
  const started = Date.now();
  const requestsBefore = options.requestCount?.() ?? 0;
  const failures: SyncFailure[] = [];
  const totals = { repositoriesSeen: 0, tagsSeen: 0, tagsChanged: 0, tagsUnchanged: 0, tagsDeleted: 0, imagesFetched: 0 };
  let listed = true;
  logger.info({ org: organizationName, repository: options.repository, syncRun: run.id }, "sync started");

  let names: string[] = [];
  try {
    names = options.repository ? [options.repository] : await listOrganizationRepositories(source, organizationName);
  } catch (error) {
    listed = false;
    failures.push({ repository: `${organizationName}/*`, reference: null, digest: null, message: `Listing the repositories of ${organizationName} failed: ${publicMessage(error)}` });
    logger.error({ org: organizationName, err: error }, "listing repositories failed");
  }

  let skippedForRateLimit = 0;
  await runWithConcurrency(names, options.concurrency ?? 4, async (name) => {
    // A registry whose rate-limit window is exhausted would fail every request until it resets.
    if (source.pausedUntil?.()) {
      skippedForRateLimit += 1;
      return;
    }
    try {
      const result = await syncRepository(prisma, source, organization.id, name, { analyzeLater: options.analyzeLater });
      totals.repositoriesSeen += 1;
      totals.tagsSeen += result.tagsSeen;
      totals.tagsChanged += result.tagsChanged;
      totals.tagsUnchanged += result.tagsUnchanged;
      totals.tagsDeleted += result.tagsDeleted;
      totals.imagesFetched += result.imagesFetched;
      failures.push(...result.failures);
    } catch (error) {
      failures.push({ repository: name, reference: null, digest: null, message: `Syncing ${name} failed: ${publicMessage(error)}` });
      logger.error({ org: organizationName, repository: name, err: error }, "repository sync failed");
    }
  });

  const pausedUntil = source.pausedUntil?.() ?? null;
  if (skippedForRateLimit > 0 && pausedUntil) {
    const message = `The registry's rate limit is exhausted until ${pausedUntil.toISOString()}, so ${skippedForRateLimit} repositories were left for the next sync.`;
    failures.push({ repository: `${organizationName}/*`, reference: null, digest: null, message });
    logger.warn({ org: organizationName, syncRun: run.id, pausedUntil, skipped: skippedForRateLimit }, "sync paused by the registry's rate limit");
  }

  // Repositories the registry stopped listing disappear from the dashboard; their history stays.
  if (listed && !options.repository) {
    await prisma.repository.updateMany({
      where: { organizationId: organization.id, deletedAt: null, name: { notIn: names } },
      data: { deletedAt: new Date() },
    });
  }

  let status: "SUCCEEDED" | "PARTIAL" | "FAILED" = "SUCCEEDED";
  if (failures.length > 0) status = "PARTIAL";
  if (!listed || (failures.length > 0 && totals.repositoriesSeen === 0)) status = "FAILED";
  const durationMs = Date.now() - started;
  const finished = await prisma.syncRun.update({
    where: { id: run.id },
    data: {
      status,
      finishedAt: new Date(),
      durationMs,
      ...totals,
      requestCount: (options.requestCount?.() ?? 0) - requestsBefore,
      errors: failures.map((failure) => ({ ...failure })),
    },
  });
  logger.info({ org: organizationName, syncRun: run.id, status, durationMs, ...totals, failures: failures.length }, "sync finished");
  // After a large first sync Postgres has no statistics on these tables until autovacuum runs, and the org
  // overview's trend query then plans badly (seconds instead of milliseconds at 10,000 repositories).
  if (totals.tagsChanged > ANALYZE_AFTER_TAG_CHANGES) await prisma.$executeRaw`ANALYZE "Repository", "Tag", "GradeChange"`;
  return finished;
}

/** Tag changes in one sync above which table statistics are refreshed. */
const ANALYZE_AFTER_TAG_CHANGES = 500;

/** Repository names of the organization: those whose first path component is its name. */
async function listOrganizationRepositories(source: RegistrySource, organizationName: string): Promise<string[]> {
  const names: string[] = [];
  for await (const name of source.listRepositories()) {
    if (name.startsWith(`${organizationName}/`)) names.push(name);
  }
  return names.sort();
}
