import path from "node:path";
import type { PrismaClient } from "@/lib/db";
import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { createRegistrySource } from "@/lib/registry/registry-source";
import type { RegistrySource } from "@/lib/registry/registry-source";
import { hashEventToken } from "@/lib/sync/push-events/receive-push-events";

export interface ConfiguredRegistry {
  source: RegistrySource;
  /** The registry's host and port as image references name it; null for an OCI layout. */
  host: string | null;
  organizations: string[];
  /** The Registry row's id, which names its push event endpoint. */
  registryId: string;
  /** Requests sent to the registry since the source was created. */
  requestCount: () => number;
}

const layoutPrefix = "oci:";

/**
 * Builds the registry source configured by REGISTRY_URL (an OCI Distribution
 * registry, or `oci:PATH` for an OCI image layout folder) and records the
 * registry and its organizations in the database.
 */
/** Returns the kind and stored URL of the REGISTRY_URL registry, as its Registry row records them, or null when REGISTRY_URL is unset. */
export function configuredRegistryLocation(env: Pick<Env, "REGISTRY_URL">): { kind: "OCI_LAYOUT" | "DISTRIBUTION"; url: string } | null {
  if (!env.REGISTRY_URL) return null;
  if (env.REGISTRY_URL.startsWith(layoutPrefix)) return { kind: "OCI_LAYOUT", url: path.resolve(env.REGISTRY_URL.slice(layoutPrefix.length)) };
  return { kind: "DISTRIBUTION", url: env.REGISTRY_URL };
}

/** Returns whether a stored registry is the REGISTRY_URL one. */
export function isConfiguredRegistry(env: Pick<Env, "REGISTRY_URL">, registry: { kind: string; url: string }): boolean {
  const configured = configuredRegistryLocation(env);
  return configured !== null && configured.kind === registry.kind && configured.url === registry.url;
}

export async function openConfiguredRegistry(prisma: PrismaClient, env: Env): Promise<ConfiguredRegistry> {
  if (!env.REGISTRY_URL) {
    throw new AppError("CONFIGURATION", "REGISTRY_URL is not set. Set it to your registry's URL (or oci:PATH for an OCI image layout) and REGISTRY_ORG to the organizations to sync.");
  }
  let requests = 0;
  const onRequest = () => {
    requests += 1;
  };

  const { kind, url: location } = configuredRegistryLocation(env)!;
  const isLayout = kind === "OCI_LAYOUT";
  const source = isLayout
    ? createRegistrySource({ kind: "oci-layout", path: location })
    : createRegistrySource({
        kind: "distribution",
        url: location,
        username: env.REGISTRY_USERNAME,
        password: env.REGISTRY_PASSWORD,
        insecure: env.REGISTRY_INSECURE,
        onRequest,
      });

  const settings = {
    insecure: env.REGISTRY_INSECURE,
    username: env.REGISTRY_USERNAME ?? null,
    eventTokenSha256: env.REGISTRY_EVENT_TOKEN ? hashEventToken(env.REGISTRY_EVENT_TOKEN) : null,
  };
  const registry = await prisma.registry.upsert({
    where: { kind_url: { kind, url: location } },
    update: settings,
    create: { kind, url: location, ...settings },
  });
  if (env.REGISTRY_EVENT_TOKEN) {
    logger.info({ registry: registry.id, endpoint: `/api/registries/${registry.id}/events` }, "push events for REGISTRY_URL are accepted at this path");
  }
  for (const name of env.REGISTRY_ORG) {
    await prisma.organization.upsert({ where: { name }, update: { registryId: registry.id }, create: { name, registryId: registry.id } });
  }
  return { source, registryId: registry.id, host: isLayout ? null : new URL(location).host, organizations: env.REGISTRY_ORG, requestCount: () => requests };
}
