import { createHash, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { repositoryOrg } from "@/lib/registry/reference";
import { parsePushEvents } from "@/lib/sync/push-events/parse-push-events";

/** Job queue for the syncs that push events request; createPushSyncQueue implements it on pg-boss. */
export interface PushSyncQueue {
  /** Queues a sync of one repository; returns false when a sync of it was already queued within the debounce window. */
  queueRepositorySync(organization: string, repository: string): Promise<boolean>;
  /** Queues a sync of a whole organization; returns false when one was already queued within the debounce window. */
  queueOrganizationSync(organization: string): Promise<boolean>;
  /** Returns the number of repository syncs waiting to run. */
  countQueuedRepositorySyncs(): Promise<number>;
}

export interface PushDelivery {
  registryId: string;
  /** The token from the `Authorization: Bearer` header or the `token` query parameter; null when neither is present. */
  token: string | null;
  body: string;
}

export interface PushDeliveryResult {
  format: "distribution" | "dockerhub";
  /** Repositories with a sync queued by this delivery. */
  queued: string[];
  /** Repositories whose sync was already queued by an earlier event in the debounce window. */
  alreadyQueued: string[];
  /** Organizations synced whole because the delivery or the queue was too large for one job per repository. */
  organizationsQueued: string[];
  /** Events ignored: pulls, blob uploads, and changes in organizations this registry does not sync. */
  ignored: number;
}

/**
 * Distinct repositories one delivery queues one job each for. A delivery with
 * more queues one sync per organization instead, which covers them all.
 */
export const MAX_REPOSITORIES_PER_DELIVERY = 50;

/**
 * Repository syncs that may wait in the queue. Beyond it, a flood of pushes
 * queues organization syncs, at most one per organization and debounce window.
 */
export const MAX_QUEUED_REPOSITORY_SYNCS = 500;

/** Returns the hex SHA-256 of a push event token: what the Registry table stores in place of the token. */
export function hashEventToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Verifies a push event delivery against its registry's token, parses it and
 * queues a sync of each changed repository of the organizations the registry
 * syncs. Raises UNAUTHORIZED for an unknown registry or a wrong or missing
 * token, having queued nothing, and INVALID_INPUT for a malformed body.
 */
export async function receivePushEvents(prisma: PrismaClient, queue: PushSyncQueue, delivery: PushDelivery): Promise<PushDeliveryResult> {
  const registry = await prisma.registry.findUnique({
    where: { id: delivery.registryId },
    select: { id: true, eventTokenSha256: true, organizations: { select: { name: true } } },
  });
  const reason = rejectionReason(registry, delivery.token);
  if (reason !== null || !registry) {
    logger.warn({ registry: delivery.registryId, reason }, "push event rejected");
    throw new AppError("UNAUTHORIZED", "The push event token is missing or wrong. Send the registry's event token as `Authorization: Bearer TOKEN`, or as `?token=TOKEN` for a Docker Hub webhook.");
  }

  const parsed = parsePushEvents(delivery.body);
  const synced = new Set(registry.organizations.map((organization) => organization.name));
  const result: PushDeliveryResult = { format: parsed.format, queued: [], alreadyQueued: [], organizationsQueued: [], ignored: parsed.ignored };

  const repositories = new Set<string>();
  for (const event of parsed.events) {
    if (synced.has(repositoryOrg(event.repository))) repositories.add(event.repository);
    else result.ignored += 1;
  }
  if (repositories.size === 0) return result;

  const flooded = repositories.size > MAX_REPOSITORIES_PER_DELIVERY || (await queue.countQueuedRepositorySyncs()) >= MAX_QUEUED_REPOSITORY_SYNCS;
  if (flooded) {
    const organizations = [...new Set([...repositories].map(repositoryOrg))].sort();
    for (const organization of organizations) {
      if (await queue.queueOrganizationSync(organization)) result.organizationsQueued.push(organization);
    }
    logger.warn({ registry: registry.id, repositories: repositories.size, organizations }, "push events exceed the queue bounds; queued organization syncs instead");
    return result;
  }

  for (const repository of [...repositories].sort()) {
    const added = await queue.queueRepositorySync(repositoryOrg(repository), repository);
    (added ? result.queued : result.alreadyQueued).push(repository);
  }
  logger.info({ registry: registry.id, format: parsed.format, queued: result.queued, alreadyQueued: result.alreadyQueued, ignored: result.ignored }, "push events received");
  return result;
}

/** Returns why a delivery's token is rejected, or null when it matches the registry's. */
function rejectionReason(registry: { eventTokenSha256: string | null } | null, token: string | null): string | null {
  if (!registry) return "unknown registry";
  if (!registry.eventTokenSha256) return "no event token configured";
  if (token === null) return "token missing";
  if (!sameHash(hashEventToken(token), registry.eventTokenSha256)) return "token mismatch";
  return null;
}

/** Compares two hex digests in constant time, so response timing does not reveal how much of a token matched. */
function sameHash(actual: string, expected: string): boolean {
  const actualBytes = Buffer.from(actual, "hex");
  const expectedBytes = Buffer.from(expected, "hex");
  return actualBytes.length === expectedBytes.length && timingSafeEqual(actualBytes, expectedBytes);
}
