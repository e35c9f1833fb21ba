import path from "node:path";
import type { PrismaClient } from "@/lib/db";
import type { Env } from "@/lib/env";
import { DockerHubSource } from "@/lib/dockerhub/dockerhub-source";
import { createRegistrySource, type RegistrySource } from "@/lib/registry/registry-source";
import { openSecret } from "@/lib/secrets/secret-box";
import { guardedFetch } from "@/lib/security/guarded-fetch";
import type { ConfiguredRegistry } from "@/lib/sync/configured-registry";

export interface OpenedRegistry {
  source: RegistrySource;
  /** Requests sent to the registry since the source was created. */
  requestCount: () => number;
}

export interface RegistrySources {
  /** Returns the source that syncs an organization, or null when no registry is configured for it. */
  forOrganization(organization: string): Promise<OpenedRegistry | null>;
  /** Returns the names of every organization a registry syncs, from REGISTRY_ORG and from the Registry table. */
  organizations(): Promise<string[]>;
  /** Returns each synced organization with its minutes between scheduled syncs. */
  schedules(): Promise<{ organization: string; intervalMinutes: number }[]>;
}

/** A Registry row with the names of the organizations it syncs. */
export type StoredRegistry = NonNullable<Awaited<ReturnType<typeof findOrganizationRegistry>>>;

function findOrganizationRegistry(prisma: PrismaClient, organization: string) {
  return prisma.organization
    .findUnique({ where: { name: organization }, select: { registry: { include: { organizations: { select: { name: true }, orderBy: { name: "asc" } } } } } })
    .then((row) => row?.registry ?? null);
}

/**
 * Resolves the registry source of each organization: the REGISTRY_URL
 * registry for its organizations, otherwise the registry stored in the
 * database, with its password opened by SECRETS_KEY. Sources are kept per
 * registry and settings, so a Docker Hub rate limit carries over between jobs.
 */
export function createRegistrySources(prisma: PrismaClient, env: Env, configured: ConfiguredRegistry | null): RegistrySources {
  const opened = new Map<string, OpenedRegistry>();

  return {
    async forOrganization(organization) {
      const registry = await findOrganizationRegistry(prisma, organization);
      if (configured && registry?.id === configured.registryId) return configured;
      if (registry === null) return configured?.organizations.includes(organization) ? configured : null;

      const key = JSON.stringify([registry.id, registry.kind, registry.url, registry.username, registry.sealedPassword, registry.insecure, registry.hubApiUrl, registry.organizations]);
      let entry = opened.get(key);
      if (!entry) {
        entry = openStoredRegistry(registry, env);
        opened.set(key, entry);
      }
      return entry;
    },

    async organizations() {
      return (await this.schedules()).map((schedule) => schedule.organization);
    },

    async schedules() {
      const rows = await prisma.organization.findMany({
        where: { registryId: { not: null } },
        select: { name: true, registry: { select: { syncIntervalMinutes: true } } },
      });
      const intervals = new Map((configured?.organizations ?? []).map((name) => [name, env.SYNC_INTERVAL_MINUTES]));
      for (const row of rows) {
        if (!intervals.has(row.name)) intervals.set(row.name, row.registry?.syncIntervalMinutes ?? env.SYNC_INTERVAL_MINUTES);
      }
      return [...intervals].map(([organization, intervalMinutes]) => ({ organization, intervalMinutes })).sort((a, b) => a.organization.localeCompare(b.organization));
    },
  };
}

/**
 * Opens the source of a registry stored in the database; raises CONFIGURATION when its password cannot be opened.
 * Its URL was set on a page, so every request, token realm and redirect is checked against private addresses.
 */
export function openStoredRegistry(registry: StoredRegistry, env: Env): OpenedRegistry {
  let requests = 0;
  const onRequest = () => {
    requests += 1;
  };
  const password = registry.sealedPassword ? openSecret(registry.sealedPassword, env.SECRETS_KEY, env.SECRETS_KEY_PREVIOUS) : undefined;
  const credentials = { username: registry.username ?? undefined, password };
  const fetch = guardedFetch(env.PRIVATE_TARGETS_ALLOWED, "registry URL");

  let source: RegistrySource;
  if (registry.kind === "DOCKERHUB") {
    source = new DockerHubSource({
      namespaces: registry.organizations.map((organization) => organization.name),
      apiUrl: registry.hubApiUrl ?? undefined,
      registryUrl: registry.url,
      insecure: registry.insecure,
      onRequest,
      fetch,
      ...credentials,
    });
  } else if (registry.kind === "OCI_LAYOUT") {
    source = createRegistrySource({ kind: "oci-layout", path: path.resolve(registry.url) });
  } else {
    source = createRegistrySource({ kind: "distribution", url: registry.url, insecure: registry.insecure, onRequest, fetch, ...credentials });
  }
  return { source, requestCount: () => requests };
}
