import { Gauge, Registry } from "prom-client";
import type { PrismaClient } from "@/lib/db";

/** Sync runs counted in the sync figures: those started in the last day. */
const SYNC_WINDOW_HOURS = 24;

interface QueueRow {
  name: string;
  state: string;
  count: bigint;
}

/**
 * Reads the figures that Prometheus scrapes from the database: repositories,
 * tags per grade, image analyses per status, cached layer analyses, sync runs,
 * advisories and the job queue. They come from the database rather than from
 * one process's counters, so every web server reports the figures of all
 * workers, on any host. Returns the Prometheus text format.
 */
export async function collectMetrics(prisma: PrismaClient, now: Date = new Date()): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers: [registry] });

  const repositories = gauge("shipshape_repositories", "Repositories that are not deleted, per organization.", ["organization"]);
  const tags = gauge("shipshape_tags", "Current tags per grade; grade is none before a tag is graded.", ["grade"]);
  const analyses = gauge("shipshape_image_analyses", "Image analyses per status.", ["status"]);
  const layerResults = gauge("shipshape_layer_analyses", "Cached per-layer cataloger results.");
  const syncRuns = gauge("shipshape_sync_runs", `Sync runs started in the last ${SYNC_WINDOW_HOURS} hours, per organization and status.`, ["organization", "status"]);
  const syncSeconds = gauge("shipshape_sync_last_duration_seconds", "Duration of the last finished sync run of each organization.", ["organization"]);
  const syncFinished = gauge("shipshape_sync_last_finished_timestamp_seconds", "When the last sync run of each organization finished, in Unix seconds.", ["organization", "status"]);
  const advisories = gauge("shipshape_advisories", "Stored advisory records.");
  const advisoryImport = gauge("shipshape_advisory_last_import_timestamp_seconds", "When the last import of each advisory source finished, in Unix seconds.", ["source"]);
  const reports = gauge("shipshape_score_reports_last_hour", "Score reports written in the last hour, which counts images matched and graded.");
  const queue = gauge("shipshape_queue_jobs", "Jobs in the queue per job name and state.", ["queue", "state"]);

  const since = new Date(now.getTime() - SYNC_WINDOW_HOURS * 3_600_000);
  const [organizations, repositoryCounts, tagCounts, analysisCounts, layerCount, runCounts, lastRuns, advisoryCount, lastImports, reportCount, queueRows] = await Promise.all([
    prisma.organization.findMany({ select: { id: true, name: true } }),
    prisma.repository.groupBy({ by: ["organizationId"], where: { deletedAt: null }, _count: { _all: true } }),
    prisma.tag.groupBy({ by: ["grade"], where: { deletedAt: null, repository: { deletedAt: null } }, _count: { _all: true } }),
    prisma.imageAnalysis.groupBy({ by: ["status"], _count: { _all: true } }),
    prisma.layerAnalysis.count(),
    prisma.syncRun.groupBy({ by: ["organizationId", "status"], where: { startedAt: { gte: since } }, _count: { _all: true } }),
    prisma.syncRun.findMany({
      where: { finishedAt: { not: null } },
      orderBy: [{ organizationId: "asc" }, { finishedAt: "desc" }],
      distinct: ["organizationId"],
      select: { organizationId: true, status: true, finishedAt: true, durationMs: true },
    }),
    prisma.advisory.count(),
    prisma.advisorySnapshot.findMany({
      where: { finishedAt: { not: null } },
      orderBy: [{ source: "asc" }, { finishedAt: "desc" }],
      distinct: ["source"],
      select: { source: true, finishedAt: true },
    }),
    prisma.scoreReport.count({ where: { createdAt: { gte: new Date(now.getTime() - 3_600_000) } } }),
    queueCounts(prisma),
  ]);

  const organizationName = new Map(organizations.map((organization) => [organization.id, organization.name]));
  const nameOf = (id: string) => organizationName.get(id) ?? id;
  for (const organization of organizations) repositories.set({ organization: organization.name }, 0);
  for (const row of repositoryCounts) repositories.set({ organization: nameOf(row.organizationId) }, row._count._all);
  for (const row of tagCounts) tags.set({ grade: row.grade ?? "none" }, row._count._all);
  for (const row of analysisCounts) analyses.set({ status: row.status.toLowerCase() }, row._count._all);
  layerResults.set(layerCount);
  for (const row of runCounts) syncRuns.set({ organization: nameOf(row.organizationId), status: row.status.toLowerCase() }, row._count._all);
  for (const run of lastRuns) {
    const organization = nameOf(run.organizationId);
    if (run.durationMs !== null) syncSeconds.set({ organization }, run.durationMs / 1000);
    syncFinished.set({ organization, status: run.status.toLowerCase() }, run.finishedAt!.getTime() / 1000);
  }
  advisories.set(advisoryCount);
  for (const snapshot of lastImports) advisoryImport.set({ source: snapshot.source }, snapshot.finishedAt!.getTime() / 1000);
  reports.set(reportCount);
  for (const row of queueRows) queue.set({ queue: row.name, state: row.state }, Number(row.count));

  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** Counts pg-boss jobs per queue and state; none before a worker has created the queue schema. */
async function queueCounts(prisma: PrismaClient): Promise<QueueRow[]> {
  const schema = await prisma.$queryRaw<{ present: boolean }[]>`SELECT to_regclass('pgboss.job') IS NOT NULL AS present`;
  if (!schema[0]?.present) return [];
  return prisma.$queryRaw<QueueRow[]>`SELECT name, state::text AS state, count(*) AS count FROM pgboss.job GROUP BY name, state`;
}
