import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { getEnv } from "@/lib/env";

/** Returns 32 random bytes kept in DATA_DIR/NAME (mode 0600), generated on the first call. */
async function keptRandomValue(name: string, encoding: "base64" | "base64url"): Promise<string> {
  const file = path.resolve(getEnv().DATA_DIR, name);
  if (!existsSync(file)) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, randomBytes(32).toString(encoding), { mode: 0o600 });
  }
  return (await readFile(file, "utf8")).trim();
}

/**
 * For the demo only: without SECRETS_KEY, a key is generated once and kept in
 * DATA_DIR/secrets-key (mode 0600), so webhooks and registry passwords can be
 * stored. A real deployment sets SECRETS_KEY and keeps it apart from the database.
 */
export async function prepareDemoSecretsKey(): Promise<void> {
  const env = getEnv();
  if (env.SECRETS_KEY) return;
  env.SECRETS_KEY = await keptRandomValue("secrets-key", "base64");
  process.env.SECRETS_KEY = env.SECRETS_KEY;
}

/**
 * Makes sure the web server has a session secret and a public URL. Without
 * NEXTAUTH_SECRET, a random secret is generated once and kept in
 * DATA_DIR/auth-secret (mode 0600) so sessions survive restarts.
 */
export async function prepareAuthEnvironment(port: number): Promise<void> {
  const env = getEnv();
  if (!env.NEXTAUTH_SECRET) {
    env.NEXTAUTH_SECRET = await keptRandomValue("auth-secret", "base64url");
    process.env.NEXTAUTH_SECRET = env.NEXTAUTH_SECRET;
  }
  if (!env.NEXTAUTH_URL) {
    env.NEXTAUTH_URL = `http://127.0.0.1:${port}`;
    process.env.NEXTAUTH_URL = env.NEXTAUTH_URL;
  }
}
