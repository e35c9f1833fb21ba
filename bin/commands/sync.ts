import { openDatabase } from "@/bin/commands/database";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { openConfiguredRegistry } from "@/lib/sync/configured-registry";
import { syncOrganization } from "@/lib/sync/sync-organization";

/** Syncs every configured organization once and prints one line per sync run. */
export async function runSync(): Promise<void> {
  const database = await openDatabase();
  let allSucceeded = false;
  try {
    allSucceeded = await syncConfiguredOrganizations((line) => process.stdout.write(`${line}\n`));
  } finally {
    await getPrisma().$disconnect();
    await database.embedded?.stop();
  }
  // Exit now: idle HTTP keep-alive sockets to the registry would otherwise hold the process open for seconds.
  process.exit(allSucceeded ? 0 : 1);
}

/** Syncs each configured organization and prints its run; returns whether every run succeeded. */
export async function syncConfiguredOrganizations(print: (line: string) => void): Promise<boolean> {
  const prisma = getPrisma();
  const registry = await openConfiguredRegistry(prisma, getEnv());
  let allSucceeded = true;
  for (const organization of registry.organizations) {
    const run = await syncOrganization(prisma, registry.source, organization, { requestCount: registry.requestCount });
    print(
      `${organization}: ${run.status.toLowerCase()} in ${run.durationMs} ms, ${plural(run.repositoriesSeen, "repository", "repositories")}, ${plural(run.tagsSeen, "tag", "tags")} (${run.tagsChanged} changed, ${run.tagsDeleted} deleted), ${plural(run.requestCount, "registry request", "registry requests")}`,
    );
    for (const error of run.errors as { message: string }[]) print(`  error: ${error.message}`);
    if (run.repositoriesSeen === 0 && run.status === "SUCCEEDED") {
      print(`  warning: the registry lists no repository under ${organization}/. Check REGISTRY_ORG and that the credentials may read the catalog.`);
    }
    if (run.status !== "SUCCEEDED") allSucceeded = false;
  }
  return allSucceeded;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
