import { prepareAuthEnvironment } from "@/bin/commands/auth-secret";
import { openDatabase } from "@/bin/commands/database";
import { onShutdown } from "@/bin/commands/shutdown";
import { assertPortFree, spawnWebServer, stopDatabaseWithWebServer } from "@/bin/commands/web-server";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { sealPlainTextSecrets } from "@/lib/secrets/reseal-secrets";

export async function runStart(options: { dev?: boolean }): Promise<void> {
  const env = getEnv();
  await assertPortFree(env.PORT, env.HOST);
  const database = await openDatabase();
  await prepareAuthEnvironment(env.PORT);
  await sealPlainTextSecrets(getPrisma(), env);
  const server = spawnWebServer({ port: env.PORT, dev: options.dev ?? false, host: env.HOST });
  process.stdout.write(`Shipshape is starting on http://${env.HOST}:${env.PORT}\n`);
  onShutdown(stopDatabaseWithWebServer(server, async () => database.embedded?.stop()));
}
