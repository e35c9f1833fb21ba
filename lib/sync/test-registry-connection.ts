import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import type { RegistrySource } from "@/lib/registry/registry-source";

export interface ConnectionCheck {
  name: "reachable" | "credentials accepted" | "repositories readable";
  ok: boolean;
  message: string;
}

const unreachableCodes = new Set(["REGISTRY_UNREACHABLE", "TIMEOUT"]);

/**
 * Checks a registry in three steps, each reported on its own: it responds,
 * it accepts the credentials, and it lists repositories of each organization
 * (the catalog, or the Docker Hub namespace). A failed step skips the ones after it.
 */
export async function testRegistryConnection(source: RegistrySource, organizations: string[], options: { hasCredentials: boolean }): Promise<ConnectionCheck[]> {
  try {
    const ping = await source.ping();
    const credentials = options.hasCredentials ? `credentials accepted (${ping.authScheme} auth)` : `no credentials configured; the registry allows ${ping.authScheme === "none" ? "anonymous access" : `${ping.authScheme} auth`}`;
    const checks: ConnectionCheck[] = [
      { name: "reachable", ok: true, message: "The registry responded." },
      { name: "credentials accepted", ok: true, message: `The registry responded with ${credentials}.` },
    ];
    checks.push(await checkRepositories(source, organizations));
    return checks;
  } catch (error) {
    logger.info({ err: error }, "registry connection test failed");
    const code = error instanceof AppError ? error.code : "INTERNAL";
    if (unreachableCodes.has(code)) return [{ name: "reachable", ok: false, message: publicMessage(error) }];
    const reachable: ConnectionCheck = { name: "reachable", ok: true, message: "The registry responded." };
    if (code === "REGISTRY_AUTH_FAILED") return [reachable, { name: "credentials accepted", ok: false, message: publicMessage(error) }];
    return [{ name: "reachable", ok: false, message: publicMessage(error) }];
  }
}

/** Lists the registry's repositories once and counts those of each organization. */
async function checkRepositories(source: RegistrySource, organizations: string[]): Promise<ConnectionCheck> {
  if (organizations.length === 0) return { name: "repositories readable", ok: true, message: "No organizations are chosen yet, so no repositories were listed." };
  const counts = new Map(organizations.map((organization) => [organization, 0]));
  try {
    for await (const name of source.listRepositories({ pageSize: 100 })) {
      const organization = name.slice(0, name.indexOf("/"));
      const count = counts.get(organization);
      if (count !== undefined) counts.set(organization, count + 1);
    }
  } catch (error) {
    logger.info({ err: error }, "registry connection test: listing repositories failed");
    return { name: "repositories readable", ok: false, message: publicMessage(error) };
  }
  const summary = [...counts].map(([organization, count]) => `${organization}: ${count}`).join(", ");
  return { name: "repositories readable", ok: true, message: `Repositories listed per organization: ${summary}.` };
}
