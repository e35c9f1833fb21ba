import { z } from "zod";
import { AppError } from "@/lib/errors";

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((value) => value === "true" || value === "1" || value === "yes");

const booleanFlagDefaultTrue = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((value) => value === undefined || value === "" || value === "true" || value === "1" || value === "yes");

const schema = z.object({
  /** Postgres connection string. Unset: `shipshape start` and `npm run demo` start an embedded server. */
  DATABASE_URL: z.string().url().optional(),
  /** HTTP port of the web server. */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Folder for the embedded database and generated samples. */
  DATA_DIR: z.string().min(1).default(".data"),
  /** Base URL of an OCI Distribution registry, or `oci:PATH` for an OCI image layout folder. */
  REGISTRY_URL: z.string().min(1).optional(),
  /** Organizations (first path component of repository names) to sync, comma-separated. */
  REGISTRY_ORG: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((org) => org.trim()).filter(Boolean)),
  REGISTRY_USERNAME: z.string().optional(),
  REGISTRY_PASSWORD: z.string().optional(),
  /** Allow plain http to the registry. */
  REGISTRY_INSECURE: booleanFlag,
  /** Minutes between scheduled syncs of each organization. */
  SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Run a job worker inside the web server process. */
  WEB_WORKER: booleanFlagDefaultTrue,
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

/** Returns the validated environment; the first call validates `process.env`. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message} (value: ${JSON.stringify(redactValue(String(issue.path[0]), source[String(issue.path[0])]))})`);
    throw new AppError("CONFIGURATION", `Invalid environment: ${problems.join("; ")}. Fix these variables and start again.`);
  }
  const env = result.data;
  if (env.REGISTRY_URL && env.REGISTRY_ORG.length === 0) {
    throw new AppError("CONFIGURATION", `REGISTRY_URL is set to ${env.REGISTRY_URL} but REGISTRY_ORG is empty. Set REGISTRY_ORG to the organizations to sync, e.g. REGISTRY_ORG=acme,platform.`);
  }
  if (Boolean(env.REGISTRY_USERNAME) !== Boolean(env.REGISTRY_PASSWORD)) {
    throw new AppError("CONFIGURATION", "REGISTRY_USERNAME and REGISTRY_PASSWORD must be set together. Set both, or neither for anonymous access.");
  }
  return env;
}

function redactValue(name: string, value: string | undefined): string | undefined {
  return /PASSWORD|SECRET|TOKEN/.test(name) ? "[redacted]" : value;
}

/** Clears the cached environment; for tests that change `process.env`. */
export function resetEnvForTests(): void {
  cached = undefined;
}
