import type { PrismaClient } from "@/lib/db";
import type { Env } from "@/lib/env";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import { isSealedSecret, openSecret, SEALED_PREFIX, sealSecret } from "@/lib/secrets/secret-box";

export interface ResealCounts {
  /** Registry passwords sealed again under SECRETS_KEY. */
  registries: number;
  /** Webhook signing secrets sealed again, including those stored in plain text. */
  webhooks: number;
  /** Of those webhook secrets, how many were stored in plain text before sealing existed. */
  plainTextWebhooks: number;
}

type SecretKeys = Pick<Env, "SECRETS_KEY" | "SECRETS_KEY_PREVIOUS">;

/** Opens one stored value, naming what it belongs to when no key opens it. */
function openStored(value: string, keys: SecretKeys, owner: string): string {
  try {
    return openSecret(value, keys.SECRETS_KEY, keys.SECRETS_KEY_PREVIOUS);
  } catch (error) {
    throw new AppError("CONFIGURATION", `Rotation stopped at ${owner}, and no stored secret was changed. ${publicMessage(error)}`, { cause: error });
  }
}

/**
 * Seals every stored secret again under SECRETS_KEY: registry passwords and
 * webhook signing secrets, opened with SECRETS_KEY or a key of
 * SECRETS_KEY_PREVIOUS. Webhook secrets stored in plain text are sealed too.
 * Runs in one transaction, so a value that no key opens stops the rotation
 * with its owner named and changes nothing. With `plainTextOnly`, it seals only
 * the plain-text webhook secrets, which is what the server does at start.
 */
export async function resealStoredSecrets(prisma: PrismaClient, keys: SecretKeys, options: { plainTextOnly?: boolean } = {}): Promise<ResealCounts> {
  const counts: ResealCounts = { registries: 0, webhooks: 0, plainTextWebhooks: 0 };
  await prisma.$transaction(
    async (tx) => {
      const registries = options.plainTextOnly ? [] : await tx.registry.findMany({ where: { sealedPassword: { not: null } }, select: { id: true, url: true, sealedPassword: true }, orderBy: { url: "asc" } });
      for (const registry of registries) {
        const password = openStored(registry.sealedPassword!, keys, `the password of registry ${registry.url}`);
        await tx.registry.update({ where: { id: registry.id }, data: { sealedPassword: sealSecret(password, keys.SECRETS_KEY) } });
        counts.registries += 1;
      }

      const webhooks = await tx.notificationWebhook.findMany({
        where: options.plainTextOnly ? { NOT: { sealedSecret: { startsWith: SEALED_PREFIX } } } : {},
        select: { id: true, name: true, sealedSecret: true, organization: { select: { name: true } } },
        orderBy: { name: "asc" },
      });
      for (const webhook of webhooks) {
        const plainText = !isSealedSecret(webhook.sealedSecret);
        const secret = plainText ? webhook.sealedSecret : openStored(webhook.sealedSecret, keys, `the secret of webhook ${webhook.name} of ${webhook.organization.name}`);
        await tx.notificationWebhook.update({ where: { id: webhook.id }, data: { sealedSecret: sealSecret(secret, keys.SECRETS_KEY) } });
        counts.webhooks += 1;
        if (plainText) counts.plainTextWebhooks += 1;
      }
    },
    { timeout: 120_000 },
  );
  return counts;
}

/**
 * Seals webhook secrets stored in plain text by a version before sealing
 * existed, when SECRETS_KEY is set; without it, logs that they stay readable.
 */
export async function sealPlainTextSecrets(prisma: PrismaClient, keys: SecretKeys): Promise<void> {
  if (!keys.SECRETS_KEY) {
    const plain = await prisma.notificationWebhook.count({ where: { NOT: { sealedSecret: { startsWith: SEALED_PREFIX } } } });
    if (plain > 0) logger.warn({ webhooks: plain }, "webhook secrets are stored in plain text; set SECRETS_KEY to seal them");
    return;
  }
  const counts = await resealStoredSecrets(prisma, keys, { plainTextOnly: true });
  if (counts.webhooks > 0) logger.info({ webhooks: counts.webhooks }, "sealed webhook secrets stored in plain text");
}

/** Returns a webhook's signing secret from its stored value, sealed or (from before sealing) plain text. */
export function webhookSigningSecret(stored: string, keys: SecretKeys): string {
  return isSealedSecret(stored) ? openSecret(stored, keys.SECRETS_KEY, keys.SECRETS_KEY_PREVIOUS) : stored;
}
