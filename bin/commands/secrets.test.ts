import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { runSecretsRotate } from "@/bin/commands/secrets";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { resetEnvForTests } from "@/lib/env";
import { openSecret, sealSecret } from "@/lib/secrets/secret-box";

const savedEnvironment = { SECRETS_KEY: process.env.SECRETS_KEY, SECRETS_KEY_PREVIOUS: process.env.SECRETS_KEY_PREVIOUS };

function useKeys(keys: { SECRETS_KEY?: string; SECRETS_KEY_PREVIOUS?: string }): void {
  for (const name of ["SECRETS_KEY", "SECRETS_KEY_PREVIOUS"] as const) {
    if (keys[name] === undefined) delete process.env[name];
    else process.env[name] = keys[name];
  }
  resetEnvForTests();
}

beforeEach(async () => {
  await resetDatabase();
});

afterEach(() => {
  useKeys(savedEnvironment);
  vi.restoreAllMocks();
});

test("`secrets rotate` seals stored secrets under the new key and says the old one can go", async () => {
  const oldKey = randomBytes(32).toString("base64");
  const newKey = randomBytes(32).toString("base64");
  await getPrisma().registry.create({ data: { kind: "DISTRIBUTION", url: "https://registry.example.com", sealedPassword: sealSecret("registry-password", oldKey) } });
  useKeys({ SECRETS_KEY: newKey, SECRETS_KEY_PREVIOUS: oldKey });
  const printed: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => printed.push(String(chunk)) > 0);

  await runSecretsRotate();

  expect(printed.join("")).toBe(
    "Sealed 1 registry password and 0 webhook secrets under SECRETS_KEY.\nNo stored secret needs SECRETS_KEY_PREVIOUS any more: remove it from the environment and restart.\n",
  );
  const stored = await getPrisma().registry.findFirstOrThrow();
  expect(openSecret(stored.sealedPassword!, newKey)).toBe("registry-password");
});

test("`secrets rotate` without SECRETS_KEY names both variables", async () => {
  useKeys({});
  await expect(runSecretsRotate()).rejects.toThrow(
    "SECRETS_KEY is not set, so there is no key to seal with. Set SECRETS_KEY to the new key and SECRETS_KEY_PREVIOUS to the old one, then run this again.",
  );
});
