import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { countWaitingSyncs, testStoredRegistry } from "@/lib/data/admin/manage-registries";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";
import type { ConnectionCheck } from "@/lib/sync/test-registry-connection";

/** Sync runs shown on the organization's registry page. */
const RECENT_SYNC_RUNS = 10;

/**
 * Returns the organization's registry connection and recent syncs, for its
 * owners. Stored secrets are never read: the page only learns whether one is stored.
 */
export async function getOrganizationRegistry(viewer: Viewer, organizationName: string) {
  const organization = await findOwnedOrganization(viewer, organizationName);
  const prisma = getPrisma();
  const registry = organization.registryId
    ? await prisma.registry.findUnique({
        where: { id: organization.registryId },
        select: { id: true, kind: true, url: true, hubApiUrl: true, username: true, insecure: true, syncIntervalMinutes: true, sealedPassword: true, eventTokenSha256: true },
      })
    : null;
  const syncRuns = await prisma.syncRun.findMany({ where: { organizationId: organization.id }, orderBy: { startedAt: "desc" }, take: RECENT_SYNC_RUNS });
  const waitingSyncs = (await countWaitingSyncs([organization.name])).get(organization.name) ?? 0;
  if (!registry) return { organization: organization.name, registry: null, syncRuns, waitingSyncs };

  const { sealedPassword, eventTokenSha256, ...visible } = registry;
  return {
    organization: organization.name,
    registry: { ...visible, hasPassword: sealedPassword !== null, acceptsPushEvents: eventTokenSha256 !== null, eventPath: `/api/registries/${registry.id}/events` },
    syncRuns,
    waitingSyncs,
  };
}

/** Tests the organization's registry connection, listing only its own repositories; for its owners. */
export async function testOrganizationRegistry(viewer: Viewer, organizationName: string, env: Env): Promise<ConnectionCheck[]> {
  const organization = await findOwnedOrganization(viewer, organizationName);
  if (!organization.registryId) throw new AppError("INVALID_INPUT", `${organization.name} has no registry yet. Ask a site administrator to add one.`);
  return testStoredRegistry(organization.registryId, [organization.name], env);
}

/** Returns the organization's name after checking that the viewer owns it and a registry syncs it. */
export async function organizationToSync(viewer: Viewer, organizationName: string): Promise<string> {
  const organization = await findOwnedOrganization(viewer, organizationName);
  if (!organization.registryId) throw new AppError("INVALID_INPUT", `${organization.name} has no registry yet, so there is nothing to sync. Ask a site administrator to add one.`);
  return organization.name;
}
