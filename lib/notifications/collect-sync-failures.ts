import type { Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";
import { appUrl } from "@/lib/notifications/app-url";

/** Failed syncs in a row that make an event. */
export const SYNC_FAILURE_STREAK = 3;
/** Finished runs read per organization; a streak longer than this was announced when it reached SYNC_FAILURE_STREAK. */
const RUNS_READ = 50;

interface FinishedRun {
  id: string;
  repository: string | null;
  status: string;
  errors: Prisma.JsonValue;
}

/**
 * Records a "sync-failing" event when the latest SYNC_FAILURE_STREAK finished
 * syncs of an organization, or of one repository, all failed. The key names
 * the run that completed the streak, so a streak is one event however long it
 * lasts, and a new streak after a success is a new one. Returns how many events were new.
 */
export async function collectSyncFailures(prisma: PrismaClient): Promise<number> {
  const organizations = await prisma.organization.findMany({ select: { id: true, name: true } });
  const events: Prisma.NotificationEventCreateManyInput[] = [];
  for (const organization of organizations) {
    const runs: FinishedRun[] = await prisma.syncRun.findMany({
      where: { organizationId: organization.id, status: { not: "RUNNING" } },
      orderBy: { startedAt: "desc" },
      take: RUNS_READ,
      select: { id: true, repository: true, status: true, errors: true },
    });
    const byScope = new Map<string | null, FinishedRun[]>();
    for (const run of runs) byScope.set(run.repository, [...(byScope.get(run.repository) ?? []), run]);

    for (const [scope, scopeRuns] of byScope) {
      const failed = scopeRuns.findIndex((run) => run.status !== "FAILED");
      const streak = failed === -1 ? scopeRuns.length : failed;
      if (streak < SYNC_FAILURE_STREAK || streak === RUNS_READ) continue;
      const repository = scope === null ? null : await prisma.repository.findFirst({ where: { organizationId: organization.id, name: { in: [scope, `${organization.name}/${scope}`] } }, select: { id: true, name: true } });
      if (scope !== null && repository === null) continue;
      const completing = scopeRuns[streak - SYNC_FAILURE_STREAK]!;
      const lastErrors = Array.isArray(scopeRuns[0]!.errors) ? (scopeRuns[0]!.errors as { message?: string }[]) : [];
      const subject = repository ? repository.name : organization.name;
      events.push({
        organizationId: organization.id,
        repositoryId: repository?.id ?? null,
        kind: "sync-failing",
        eventKey: `sync-failing:${completing.id}`,
        cause: "sync failure",
        causeIds: [scopeRuns[0]!.id],
        title: `The last ${streak} syncs of ${subject} failed`,
        link: repository ? appUrl(`/repository/${repository.name}/general`) : appUrl(`/orgs/${encodeURIComponent(organization.name)}/repositories`),
        details: { organization: organization.name, repository: repository?.name ?? null, failedRuns: streak, lastError: lastErrors[0]?.message ?? null },
      });
    }
  }
  return events.length === 0 ? 0 : (await prisma.notificationEvent.createMany({ data: events, skipDuplicates: true })).count;
}
