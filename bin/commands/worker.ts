import { openDatabase } from "@/bin/commands/database";
import { getEnv } from "@/lib/env";
import { startWorker } from "@/lib/jobs/worker";
import { onShutdown } from "@/bin/commands/shutdown";

export async function runWorker(): Promise<void> {
  const database = await openDatabase();
  const worker = await startWorker({ ...getEnv(), DATABASE_URL: database.url });
  onShutdown(async () => {
    await worker.stop();
    await database.embedded?.stop();
  });
}
