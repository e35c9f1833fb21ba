import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, test } from "vitest";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { resealStoredSecrets, sealPlainTextSecrets } from "@/lib/secrets/reseal-secrets";
import { openSecret, sealSecret } from "@/lib/secrets/secret-box";

const prisma = getPrisma();
const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");

/** Stores a registry password and a webhook secret sealed under `key`, and a webhook secret in plain text as a version before sealing did. */
async function seed(key: string) {
  const registry = await prisma.registry.create({ data: { kind: "DISTRIBUTION", url: "https://registry.example.com", username: "robot", sealedPassword: sealSecret("registry-password", key) } });
  const acme = await prisma.organization.create({ data: { name: "acme", registryId: registry.id } });
  const sealed = await prisma.notificationWebhook.create({ data: { organizationId: acme.id, name: "ci", url: "https://hooks.example.com/ci", sealedSecret: sealSecret("ci-secret", key) } });
  const plain = await prisma.notificationWebhook.create({ data: { organizationId: acme.id, name: "legacy", url: "https://hooks.example.com/legacy", sealedSecret: "legacy-secret" } });
  return { registry, sealed, plain };
}

async function storedValues() {
  const registries = await prisma.registry.findMany({ select: { sealedPassword: true } });
  const webhooks = await prisma.notificationWebhook.findMany({ select: { name: true, sealedSecret: true }, orderBy: { name: "asc" } });
  return { registries: registries.map((row) => row.sealedPassword!), webhooks: webhooks.map((row) => row.sealedSecret) };
}

beforeEach(async () => {
  await resetDatabase();
});

describe("resealStoredSecrets", () => {
  test("rotation seals under the new key", async () => {
    await seed(oldKey);

    const counts = await resealStoredSecrets(prisma, { SECRETS_KEY: newKey, SECRETS_KEY_PREVIOUS: [oldKey] });

    expect(counts).toEqual({ registries: 1, webhooks: 2, plainTextWebhooks: 1 });
    const after = await storedValues();
    expect(after.registries.map((value) => openSecret(value, newKey))).toEqual(["registry-password"]);
    expect(after.webhooks.map((value) => openSecret(value, newKey))).toEqual(["ci-secret", "legacy-secret"]);
    expect(() => openSecret(after.registries[0]!, oldKey)).toThrow(/not the key it was sealed with/);
  });

  test("unopenable secret stops rotation unchanged", async () => {
    await seed(oldKey);
    const before = await storedValues();

    const attempt = resealStoredSecrets(prisma, { SECRETS_KEY: newKey, SECRETS_KEY_PREVIOUS: [randomBytes(32).toString("base64")] });

    await expect(attempt).rejects.toThrow(
      "Rotation stopped at the password of registry https://registry.example.com, and no stored secret was changed. A stored secret could not be decrypted: neither SECRETS_KEY nor any of the 1 keys in SECRETS_KEY_PREVIOUS sealed it.",
    );
    expect(await storedValues()).toEqual(before);
  });

  test("at start, only webhook secrets in plain text are sealed", async () => {
    await seed(oldKey);
    const before = await storedValues();

    await sealPlainTextSecrets(prisma, { SECRETS_KEY: oldKey, SECRETS_KEY_PREVIOUS: [] });

    const after = await storedValues();
    expect(after.registries).toEqual(before.registries);
    expect(after.webhooks[0]).toBe(before.webhooks[0]);
    expect(after.webhooks[1]).toMatch(/^v1:/);
    expect(openSecret(after.webhooks[1]!, oldKey)).toBe("legacy-secret");
  });

  test("without SECRETS_KEY, a plain-text secret stays as it is", async () => {
    await seed(oldKey);
    const before = await storedValues();
    await sealPlainTextSecrets(prisma, { SECRETS_KEY: undefined, SECRETS_KEY_PREVIOUS: [] });
    expect(await storedValues()).toEqual(before);
  });
});
