import type { Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";
import { appUrl } from "@/lib/notifications/app-url";

const DAY_MS = 24 * 60 * 60 * 1000;
/** An exception expiring within this long is announced. */
const EXPIRING_WITHIN_MS = 7 * DAY_MS;
/** An exception that expired longer ago than this is not announced, so the first collection does not send old news. */
const EXPIRED_WITHIN_MS = 7 * DAY_MS;

/**
 * Records an "exception-expiry" event for each exception that expires within 7
 * days, and another once it has expired. The key includes the expiry, so an
 * owner who extends an exception is notified again of the new date. An
 * exception for one repository is an event of that repository; one for the
 * whole organization is an organization event. Returns how many events were new.
 */
export async function collectExceptionExpiry(prisma: PrismaClient, now: Date): Promise<number> {
  const exceptions = await prisma.vulnerabilityException.findMany({
    where: { revokedAt: null, expiresAt: { gt: new Date(now.getTime() - EXPIRED_WITHIN_MS), lte: new Date(now.getTime() + EXPIRING_WITHIN_MS) } },
    include: { organization: { select: { name: true } } },
  });
  const repositoryNames = [...new Set(exceptions.map((exception) => exception.repository).filter((name): name is string => name !== null))];
  const repositories = new Map(
    (await prisma.repository.findMany({ where: { name: { in: repositoryNames }, deletedAt: null }, select: { id: true, name: true, organizationId: true } })).map((repository) => [
      `${repository.organizationId} ${repository.name}`,
      repository,
    ]),
  );

  const events: Prisma.NotificationEventCreateManyInput[] = [];
  for (const exception of exceptions) {
    const expiresAt = exception.expiresAt!;
    const repository = exception.repository === null ? null : repositories.get(`${exception.organizationId} ${exception.repository}`);
    // An exception for a repository that no longer exists covers nothing.
    if (repository === undefined) continue;
    const expired = expiresAt.getTime() <= now.getTime();
    const scope = [exception.repository ?? `every repository of ${exception.organization.name}`, exception.tagPattern && `tags ${exception.tagPattern}`, exception.packagePattern && `packages ${exception.packagePattern}`]
      .filter(Boolean)
      .join(", ");
    const date = expiresAt.toISOString().slice(0, 10);
    events.push({
      organizationId: exception.organizationId,
      repositoryId: repository?.id ?? null,
      kind: "exception-expiry",
      eventKey: `exception-${expired ? "expired" : "expiring"}:${exception.id}:${expiresAt.toISOString()}`,
      cause: expired ? "exception expiry" : "exception expiring",
      causeIds: [exception.vulnerabilityId],
      title: expired ? `The exception for ${exception.vulnerabilityId} (${scope}) expired on ${date}` : `The exception for ${exception.vulnerabilityId} (${scope}) expires on ${date}`,
      link: repository ? appUrl(`/repository/${repository.name}/tags`) : appUrl(`/orgs/${encodeURIComponent(exception.organization.name)}/repositories`),
      details: { exceptionId: exception.id, vulnerability: exception.vulnerabilityId, repository: exception.repository, tagPattern: exception.tagPattern, packagePattern: exception.packagePattern, expiresAt: expiresAt.toISOString(), reason: exception.reason },
    });
  }
  return events.length === 0 ? 0 : (await prisma.notificationEvent.createMany({ data: events, skipDuplicates: true })).count;
}
