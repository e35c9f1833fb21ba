import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { getEnv } from "@/lib/env";

/**
 * Makes sure the web server has a session secret and a public URL. Without
 * NEXTAUTH_SECRET, a random secret is generated once and kept in
 * DATA_DIR/auth-secret (mode 0600) so sessions survive restarts.
 */
export async function prepareAuthEnvironment(port: number): Promise<void> {
  const env = getEnv();
  if (!env.NEXTAUTH_SECRET) {
    const file = path.resolve(env.DATA_DIR, "auth-secret");
    if (!existsSync(file)) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
    }
    const secret = (await readFile(file, "utf8")).trim();
    env.NEXTAUTH_SECRET = secret;
    process.env.NEXTAUTH_SECRET = secret;
  }
  if (!env.NEXTAUTH_URL) {
    env.NEXTAUTH_URL = `http://127.0.0.1:${port}`;
    process.env.NEXTAUTH_URL = env.NEXTAUTH_URL;
  }
}
