import { openDatabase } from "@/bin/commands/database";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { openConfiguredRegistry } from "@/lib/sync/configured-registry";
import { syncOrganization } from "@/lib/sync/sync-organization";

/** Syncs every configured organization once and prints one line per sync run. */
export async function runSync(): Promise<void> {
  const database = await openDatabase();
  try {
    await syncConfiguredOrganizations((line) => process.stdout.write(`${line}\n`));
  } finally {
    await getPrisma().$disconnect();
    await database.embedded?.stop();
  }
}

export async function syncConfiguredOrganizations(print: (line: string) => void): Promise<void> {
  const prisma = getPrisma();
  const registry = await openConfiguredRegistry(prisma, getEnv());
  for (const organization of registry.organizations) {
    const run = await syncOrganization(prisma, registry.source, organization, { requestCount: registry.requestCount });
    print(
      `${organization}: ${run.status.toLowerCase()} in ${run.durationMs} ms, ${run.repositoriesSeen} repositories, ${run.tagsSeen} tags (${run.tagsChanged} changed, ${run.tagsDeleted} deleted), ${run.requestCount} registry requests`,
    );
    for (const error of run.errors as { message: string }[]) print(`  error: ${error.message}`);
  }
}
