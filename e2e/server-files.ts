import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Files the e2e server writes for specs to read: the secrets it starts with
 * and everything the web server process prints. They sit in a folder named
 * after the port, so servers of parallel runs on other ports do not collide.
 */
export function e2eServerFiles(port: number): { folder: string; secrets: string; log: string } {
  const folder = path.join(tmpdir(), `shipshape-e2e-files-${port}`);
  return { folder, secrets: path.join(folder, "secrets.json"), log: path.join(folder, "server.log") };
}

/** The secrets of the e2e server's environment, as e2e/serve.ts writes them. */
export interface E2eServerSecrets {
  NEXTAUTH_SECRET: string;
  SECRETS_KEY: string;
  METRICS_TOKEN: string;
  OIDC_CLIENT_SECRET: string;
  REGISTRY_EVENT_TOKEN: string;
  /** The password in DATABASE_URL. */
  DATABASE_PASSWORD: string;
  /** Unset because the e2e registry accepts anonymous pulls and pushes. */
  REGISTRY_PASSWORD?: string;
}
