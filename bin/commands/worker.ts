import { openDatabase } from "@/bin/commands/database";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { sealPlainTextSecrets } from "@/lib/secrets/reseal-secrets";
import { startWorker } from "@/lib/jobs/worker";
import { onShutdown } from "@/bin/commands/shutdown";

export async function runWorker(): Promise<void> {
  const database = await openDatabase();
  await sealPlainTextSecrets(getPrisma(), getEnv());
  const worker = await startWorker({ ...getEnv(), DATABASE_URL: database.url });
  onShutdown(async () => {
    await worker.stop();
    await database.embedded?.stop();
  });
}
