import path from "node:path";
import { openDatabase } from "@/bin/commands/database";
import { onShutdown } from "@/bin/commands/shutdown";
import { syncConfiguredOrganizations } from "@/bin/commands/sync";
import { spawnWebServer } from "@/bin/commands/web-server";
import { getEnv } from "@/lib/env";
import { buildSampleImages } from "@/lib/samples/sample-images";
import { writeOciLayout } from "@/lib/samples/oci-layout";

export const demoOrganization = "demo";

/**
 * Runs the quick start: writes the sample images to an OCI image layout under
 * DATA_DIR (unless REGISTRY_URL is set), starts the embedded database, syncs
 * once so the pages have data, and starts the web server with its worker.
 */
export async function runDemo(options: { port?: number; dev?: boolean }): Promise<void> {
  const env = getEnv();
  if (!env.REGISTRY_URL) {
    const layout = path.resolve(env.DATA_DIR, "samples", "layout");
    await writeOciLayout(layout, await buildSampleImages());
    env.REGISTRY_URL = `oci:${layout}`;
    env.REGISTRY_ORG = [demoOrganization];
    process.env.REGISTRY_URL = env.REGISTRY_URL;
    process.env.REGISTRY_ORG = demoOrganization;
    process.stdout.write(`Sample images written to ${layout}\n`);
  }

  const database = await openDatabase();
  await syncConfiguredOrganizations((line) => process.stdout.write(`${line}\n`));

  const port = options.port ?? env.PORT;
  const server = spawnWebServer({ port, dev: options.dev ?? false });
  const organization = env.REGISTRY_ORG[0] ?? demoOrganization;
  process.stdout.write(`\nShipshape demo: http://127.0.0.1:${port}/orgs/${organization}/repositories\n\n`);
  server.on("exit", (code) => {
    void database.embedded?.stop().finally(() => process.exit(code ?? 0));
  });
  onShutdown(async () => {
    server.kill("SIGTERM");
    await database.embedded?.stop();
  });
}
