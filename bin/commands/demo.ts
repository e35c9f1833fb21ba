import path from "node:path";
import { prepareAuthEnvironment, prepareDemoSecretsKey } from "@/bin/commands/auth-secret";
import { openDatabase } from "@/bin/commands/database";
import { onShutdown } from "@/bin/commands/shutdown";
import { importAdvisorySources } from "@/bin/commands/advisories";
import { syncConfiguredOrganizations } from "@/bin/commands/sync";
import { assertPortFree, buildIfStale, spawnWebServer, stopDatabaseWithWebServer } from "@/bin/commands/web-server";
import { ensureDemoAccounts } from "@/lib/auth/demo-accounts";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { sealPlainTextSecrets } from "@/lib/secrets/reseal-secrets";
import { SAMPLE_ADVISORIES_DIR } from "@/lib/samples/sample-advisories-dir";
import { buildSampleImages } from "@/lib/samples/sample-images";
import { writeOciLayout } from "@/lib/samples/oci-layout";

export const demoOrganization = "demo";

/**
 * Runs the quick start: writes the sample images to an OCI image layout under
 * DATA_DIR (unless REGISTRY_URL is set), starts the embedded database, syncs
 * once and imports the sample advisories so the pages have data, and starts
 * the web server with its worker.
 */
export async function runDemo(options: { port?: number; dev?: boolean }): Promise<void> {
  const env = getEnv();
  const port = options.port ?? env.PORT;
  await assertPortFree(port);
  await buildIfStale();
  const usingSamples = !env.REGISTRY_URL;
  if (usingSamples) {
    const layout = path.resolve(env.DATA_DIR, "samples", "layout");
    await writeOciLayout(layout, await buildSampleImages());
    env.REGISTRY_URL = `oci:${layout}`;
    env.REGISTRY_ORG = [demoOrganization];
    process.env.REGISTRY_URL = env.REGISTRY_URL;
    process.env.REGISTRY_ORG = demoOrganization;
    process.stdout.write(`Sample images written to ${layout}\n`);
  }

  const database = await openDatabase();
  await prepareAuthEnvironment(port);
  await prepareDemoSecretsKey();
  await sealPlainTextSecrets(getPrisma(), env);
  await syncConfiguredOrganizations((line) => process.stdout.write(`${line}\n`));
  if (usingSamples) {
    // Real OSV records that name packages of the sample images, so the vulnerability views have rows.
    await importAdvisorySources(getPrisma(), [SAMPLE_ADVISORIES_DIR], (line) => process.stdout.write(`${line}\n`));
  }
  const organization = env.REGISTRY_ORG[0] ?? demoOrganization;
  // The demo runs on this machine only, so its owner may see the site administration pages too.
  const accounts = await ensureDemoAccounts(getPrisma(), organization, { ownerIsSiteAdmin: true });

  const server = spawnWebServer({ port, dev: options.dev ?? false });
  process.stdout.write(`\nShipshape demo: http://127.0.0.1:${port}/orgs/${organization}/repositories\n`);
  const logins = [
    ["owner and site administrator, sees everything:", accounts.owner],
    [`member, reads ${organization}/web:`, accounts.member],
  ] as const;
  const width = Math.max(...logins.map(([label]) => label.length)) + 2;
  for (const [label, account] of logins) process.stdout.write(`  ${label.padEnd(width)}${account.email} / ${account.password}\n`);
  process.stdout.write("\n");
  onShutdown(stopDatabaseWithWebServer(server, async () => database.embedded?.stop()));
}
