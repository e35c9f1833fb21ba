// The e2e web server: a real CNCF registry with the sample images pushed, an
// embedded Postgres in a temporary folder, one sync, an import of the sample
// OSV advisories, the access fixtures and the 10,000 repositories of "bulk",
// then the built app with its in-process worker. Everything stops on SIGTERM
// or SIGINT.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { spawnWebServer } from "@/bin/commands/web-server";
import { startEmbeddedPostgres } from "@/lib/database/embedded-postgres";
import { applyMigrations } from "@/lib/database/migrate";
import { startSampleRegistry } from "@/lib/sync/testing/push-sample-set";
import { E2E_METRICS_TOKEN } from "@/e2e/operations-token";
import { e2eServerFiles, type E2eServerSecrets } from "@/e2e/server-files";

const { values } = parseArgs({ options: { port: { type: "string", default: "3107" } } });
const port = Number(values.port);

const { registry } = await startSampleRegistry();

const dataDir = await mkdtemp(path.join(tmpdir(), "shipshape-e2e-"));
const database = await startEmbeddedPostgres(dataDir);
await applyMigrations(database.url);

const { findFreePort } = await import("@/lib/database/embedded-postgres");
const { startOidcProvider, oidcClient } = await import("@/e2e/oidc-provider");
const oidc = await startOidcProvider(await findFreePort(), `http://127.0.0.1:${port}`);

Object.assign(process.env, {
  OIDC_ISSUER: oidc.issuer,
  OIDC_CLIENT_ID: oidcClient.id,
  OIDC_CLIENT_SECRET: oidcClient.secret,
  OIDC_NAME: "Test SSO",
  NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
  NEXTAUTH_URL: `http://127.0.0.1:${port}`,
  DATABASE_URL: database.url,
  REGISTRY_URL: registry.url,
  REGISTRY_ORG: "demo",
  REGISTRY_INSECURE: "true",
  DATA_DIR: dataDir,
  METRICS_TOKEN: E2E_METRICS_TOKEN,
  // Seals the webhook secrets and registry passwords the browser tests store.
  SECRETS_KEY: randomBytes(32).toString("base64"),
  // Push events for REGISTRY_URL need it; the secret exposure spec sends some.
  REGISTRY_EVENT_TOKEN: randomBytes(24).toString("hex"),
  // The browser tests reach no host but their own: base image tags are not looked up on public registries.
  BASE_IMAGE_REGISTRIES: "",
  // The browser tests' registries and webhook receivers run on loopback.
  PRIVATE_TARGETS_ALLOWED: "127.0.0.1,localhost",
});
const print = (line: string) => process.stdout.write(`${line}\n`);
const { syncConfiguredOrganizations } = await import("@/bin/commands/sync");
await syncConfiguredOrganizations(print);
// Real OSV records that affect npm packages of demo/worker:2.0 and the openssl of demo/alpine-tools:3.4,
// imported after the sync so the import re-grades those images and their vulnerability tables have rows.
const { importAdvisorySources } = await import("@/bin/commands/advisories");
const { SAMPLE_ADVISORIES_DIR } = await import("@/lib/samples/sample-advisories-dir");
const { getPrisma } = await import("@/lib/db");
if (!(await importAdvisorySources(getPrisma(), [SAMPLE_ADVISORIES_DIR], print))) {
  // The server still starts, like after a failed sync; the vulnerability tests then fail on the empty tables.
  print(`warning: the sample advisories in ${SAMPLE_ADVISORIES_DIR} were not imported, so no sample image has findings`);
}
const { seedAccessFixtures } = await import("@/e2e/access-fixtures");
await seedAccessFixtures();
// A large organization with no registry behind it, owned by the demo owner, for the paging and chart tests.
// The time printed includes planning the rows, which happens when the module loads.
const bulkStarted = performance.now();
const { seedBulkOrganization, BULK_ORGANIZATION } = await import("@/e2e/bulk-fixture");
const { users } = await import("@/e2e/matrix-users");
const bulk = await seedBulkOrganization(getPrisma(), users.owner.email);
print(`seeded ${BULK_ORGANIZATION}: ${bulk.repositories} repositories and ${bulk.gradeChanges} grade changes in ${Math.round(performance.now() - bulkStarted)} ms`);

// The secret exposure spec reads the environment's secrets and the server's output from these files.
const serverFiles = e2eServerFiles(port);
await rm(serverFiles.folder, { recursive: true, force: true });
await mkdir(serverFiles.folder, { mode: 0o700 });
const environmentSecrets: E2eServerSecrets = {
  NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET!,
  SECRETS_KEY: process.env.SECRETS_KEY!,
  METRICS_TOKEN: process.env.METRICS_TOKEN!,
  OIDC_CLIENT_SECRET: process.env.OIDC_CLIENT_SECRET!,
  REGISTRY_EVENT_TOKEN: process.env.REGISTRY_EVENT_TOKEN!,
  DATABASE_PASSWORD: decodeURIComponent(new URL(database.url).password),
};
await writeFile(serverFiles.secrets, JSON.stringify(environmentSecrets), { mode: 0o600 });
const serverLog = createWriteStream(serverFiles.log, { mode: 0o600 });

const server = spawnWebServer({ port, dev: false, output: "pipe" });
// The server's output is printed as before and also appended to the log file, until stop() closes it.
function copyOutput(chunk: Buffer, printed: NodeJS.WriteStream): void {
  printed.write(chunk);
  if (!serverLog.writableEnded) serverLog.write(chunk);
}
server.stdout?.on("data", (chunk: Buffer) => copyOutput(chunk, process.stdout));
server.stderr?.on("data", (chunk: Buffer) => copyOutput(chunk, process.stderr));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.kill("SIGTERM");
  // The secrets file goes first, because the runner may kill this process before the rest has stopped.
  serverLog.end();
  await rm(serverFiles.folder, { recursive: true, force: true });
  await database.stop();
  await registry.stop();
  await oidc.stop();
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
server.on("exit", () => void stop());
