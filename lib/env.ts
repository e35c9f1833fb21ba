import { z } from "zod";
import { AppError } from "@/lib/errors";
import { LOG_LEVELS } from "@/lib/log-levels";
import { hideUrlCredentials } from "@/lib/security/hide-credentials";

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((value) => value === "true" || value === "1" || value === "yes");

const booleanFlagDefaultTrue = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((value) => value === undefined || value === "" || value === "true" || value === "1" || value === "yes");

/** Maximum minutes between scheduled syncs, because the schedule is a pg-boss singleton window. */
export const MAX_SYNC_INTERVAL_MINUTES = 12 * 60;

const schema = z.object({
  /** Postgres connection string. Unset: `shipshape start` and `npm run demo` start an embedded server. */
  DATABASE_URL: z
    .string()
    .url()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), "must be a postgresql:// connection string")
    .optional(),
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
    .transform((value) => (value ?? "").split(",").map((org) => org.trim()).filter(Boolean))
    .refine((orgs) => orgs.every((org) => /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/.test(org)), {
      message: "each organization must be one lowercase path component, as in `acme` for acme/api",
    }),
  REGISTRY_USERNAME: z.string().optional(),
  REGISTRY_PASSWORD: z.string().optional(),
  /**
   * Token that the REGISTRY_URL registry's push events must carry, at least 24 characters.
   * Unset: push events for that registry are rejected.
   */
  REGISTRY_EVENT_TOKEN: z.string().min(24, "must be at least 24 characters; generate one with `openssl rand -hex 24`").optional(),
  /** Allow plain http to the registry. */
  REGISTRY_INSECURE: booleanFlag,
  /** Minutes between scheduled syncs of each organization. */
  // pg-boss 10 rejects a singleton window longer than its archive interval (12 hours by default).
  SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(MAX_SYNC_INTERVAL_MINUTES).default(15),
  /** Analysis and grading jobs each worker process runs at the same time. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  /** Run a job worker inside the web server process. */
  WEB_WORKER: booleanFlagDefaultTrue,
  /** Advisory sources imported on a schedule, comma-separated: OSV all.zip archives, folders or KEV catalogs, as paths or URLs. */
  ADVISORY_SOURCES: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((source) => source.trim()).filter(Boolean)),
  /** Minutes a base image tag's resolution is kept before the scheduler resolves it again. */
  BASE_TAG_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  /**
   * Registries that base image tags may be resolved on, comma-separated hosts. Base references come
   * from image contents, so only these hosts (and synced repositories) are ever asked.
   */
  BASE_IMAGE_REGISTRIES: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "docker.io,ghcr.io,quay.io,gcr.io,registry.k8s.io,mcr.microsoft.com,public.ecr.aws")
        .split(",")
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Minutes between scheduled advisory imports. */
  ADVISORY_IMPORT_INTERVAL_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(360),
  /** Secret that signs and encrypts session cookies, at least 32 characters. Unset: generated once and kept in DATA_DIR. */
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** The public URL of the dashboard, e.g. https://shipshape.example.com; https makes session cookies secure-only. */
  NEXTAUTH_URL: z.string().url().optional(),
  /** OpenID Connect issuer URL (Keycloak realm, Dex, Okta, …); set with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET to enable. */
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The provider's name on the sign-in button. */
  OIDC_NAME: z.string().min(1).default("Single sign-on"),
  /** SMTP server for e-mail, e.g. smtps://user:password@mail.example.com:465 or smtp://mail.example.com:587 (STARTTLS when offered). */
  SMTP_URL: z
    .string()
    .url()
    .refine((value) => /^smtps?:\/\//.test(value), "must start with smtp:// or smtps://")
    .optional(),
  /** Sender address of Shipshape's e-mail. */
  SMTP_FROM: z.string().min(3).default("Shipshape <shipshape@localhost>"),
  /**
   * Hosts and IP addresses that user-set URLs (webhooks, registries added on the settings page)
   * may reach although they are private, loopback or link-local, comma-separated. Default: none.
   */
  PRIVATE_TARGETS_ALLOWED: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((host) => host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1")).filter(Boolean)),
  /** Bearer token that Prometheus sends to read /api/metrics, at least 16 characters. Unset: the endpoint is off. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Address the web server listens on; 0.0.0.0 in a container. */
  HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * Key that seals registry passwords and webhook secrets stored in the database (AES-256-GCM): 32 random
   * bytes in base64, e.g. from `openssl rand -base64 32`. Unset: neither can be stored.
   */
  SECRETS_KEY: z
    .string()
    .refine((value) => Buffer.from(value, "base64").length === 32, "must be 32 bytes in base64; generate one with `openssl rand -base64 32`")
    .optional(),
  /**
   * Earlier values of SECRETS_KEY, comma-separated, that stored secrets may still be sealed with. Needed
   * only while rotating: set the new key as SECRETS_KEY, the old one here, and run `shipshape secrets rotate`.
   */
  SECRETS_KEY_PREVIOUS: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((key) => key.trim()).filter(Boolean))
    .refine((keys) => keys.every((key) => Buffer.from(key, "base64").length === 32), "each key must be 32 bytes in base64, separated by commas"),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
});

export type Env = z.infer<typeof schema>;

/** The names of every environment variable Shipshape reads. */
export const envVariableNames: readonly string[] = Object.keys(schema.shape);

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
  const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
  if (oidc.some(Boolean) && !oidc.every(Boolean)) {
    throw new AppError("CONFIGURATION", "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together to enable OpenID Connect sign-in. Set all three, or none.");
  }
  return env;
}

/** Hides secrets in a value shown in an error: whole secret variables, and the password part of a URL-like value. */
function redactValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/PASSWORD|SECRET|TOKEN/.test(name)) return "[redacted]";
  return hideUrlCredentials(value);
}

/** Clears the cached environment; for tests that change `process.env`. */
export function resetEnvForTests(): void {
  cached = undefined;
}
