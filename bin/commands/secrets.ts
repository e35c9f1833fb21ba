import { openDatabase } from "@/bin/commands/database";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { resealStoredSecrets } from "@/lib/secrets/reseal-secrets";

/**
 * Seals every stored registry password and webhook secret again under
 * SECRETS_KEY, opening them with SECRETS_KEY or SECRETS_KEY_PREVIOUS, and
 * prints the counts. Nothing changes when any value cannot be opened.
 */
export async function runSecretsRotate(): Promise<void> {
  const env = getEnv();
  if (!env.SECRETS_KEY) {
    throw new AppError("CONFIGURATION", "SECRETS_KEY is not set, so there is no key to seal with. Set SECRETS_KEY to the new key and SECRETS_KEY_PREVIOUS to the old one, then run this again.");
  }
  const database = await openDatabase();
  try {
    const counts = await resealStoredSecrets(getPrisma(), env);
    const plainText = counts.plainTextWebhooks > 0 ? ` (${counts.plainTextWebhooks} of them stored in plain text until now)` : "";
    const registries = `${counts.registries} registry ${counts.registries === 1 ? "password" : "passwords"}`;
    const webhooks = `${counts.webhooks} webhook ${counts.webhooks === 1 ? "secret" : "secrets"}`;
    process.stdout.write(`Sealed ${registries} and ${webhooks} under SECRETS_KEY${plainText}.\n`);
    if (env.SECRETS_KEY_PREVIOUS.length > 0) process.stdout.write("No stored secret needs SECRETS_KEY_PREVIOUS any more: remove it from the environment and restart.\n");
  } finally {
    await getPrisma().$disconnect();
    await database.embedded?.stop();
  }
}
