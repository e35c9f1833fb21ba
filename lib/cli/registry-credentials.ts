import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { DOCKER_HUB_REGISTRY } from "@/lib/registry/reference";

export interface RegistryCredentials {
  username: string;
  password: string;
  /** The source of the credentials, for messages: "--username", "SHIPSHAPE_REGISTRY_USERNAME" or the config file's path. */
  origin: string;
}

export interface CredentialSources {
  username?: string;
  password?: string;
  /** The process environment: SHIPSHAPE_REGISTRY_USERNAME, SHIPSHAPE_REGISTRY_PASSWORD, DOCKER_CONFIG and HOME. */
  environment: Readonly<Record<string, string | undefined>>;
}

/** The key Docker writes Docker Hub's credentials under in config.json. */
const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";

/**
 * Finds credentials for a registry host, first from the flags, then from the
 * environment variables, then from the `auths` of Docker's config.json (in
 * DOCKER_CONFIG, else ~/.docker). Returns null for anonymous access.
 * NOTE: credential helpers (`credsStore`, `credHelpers`) are not run, so
 * credentials kept only in a helper are not found.
 */
export async function findRegistryCredentials(registry: string, sources: CredentialSources): Promise<RegistryCredentials | null> {
  const fromFlags = pair(sources.username, sources.password, "--username", "--password");
  if (fromFlags) return fromFlags;
  const fromEnvironment = pair(sources.environment.SHIPSHAPE_REGISTRY_USERNAME, sources.environment.SHIPSHAPE_REGISTRY_PASSWORD, "SHIPSHAPE_REGISTRY_USERNAME", "SHIPSHAPE_REGISTRY_PASSWORD");
  if (fromEnvironment) return fromEnvironment;
  return readDockerConfig(registry, sources.environment);
}

function pair(username: string | undefined, password: string | undefined, userName: string, passwordName: string): RegistryCredentials | null {
  if (username === undefined && password === undefined) return null;
  if (username === undefined || password === undefined) {
    throw new AppError("INVALID_INPUT", `${username === undefined ? passwordName : userName} is set without ${username === undefined ? userName : passwordName}. Set both, or neither for anonymous access.`);
  }
  return { username, password, origin: userName };
}

async function readDockerConfig(registry: string, environment: CredentialSources["environment"]): Promise<RegistryCredentials | null> {
  const folder = environment.DOCKER_CONFIG ?? path.join(environment.HOME ?? homedir(), ".docker");
  const file = path.join(folder, "config.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new AppError("CONFIGURATION", `Reading ${file} failed (${(error as Error).message}). Fix its permissions or set DOCKER_CONFIG to another folder.`, { cause: error });
  }

  let auths: Record<string, { auth?: unknown; username?: unknown; password?: unknown }>;
  try {
    const document = JSON.parse(text) as { auths?: unknown };
    auths = typeof document.auths === "object" && document.auths !== null ? (document.auths as typeof auths) : {};
  } catch (error) {
    throw new AppError("CONFIGURATION", `${file} is not valid JSON (${(error as Error).message}). Fix it, or set DOCKER_CONFIG to another folder.`, { cause: error });
  }

  const entry = Object.entries(auths).find(([key]) => authKeyHost(key) === registry)?.[1];
  if (entry === undefined) return null;
  if (typeof entry.auth === "string" && entry.auth !== "") {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const separator = decoded.indexOf(":");
    if (separator <= 0) throw new AppError("CONFIGURATION", `The "auth" of ${registry} in ${file} is not base64 of "user:password". Run \`docker login ${registry}\` again.`);
    return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1), origin: file };
  }
  if (typeof entry.username === "string" && typeof entry.password === "string") return { username: entry.username, password: entry.password, origin: file };
  return null;
}

/** Extracts the registry host from an `auths` key: "registry.example.com", "https://registry.example.com/v1/" or Docker Hub's index URL. */
function authKeyHost(key: string): string {
  if (key === DOCKER_HUB_AUTH_KEY || key === "index.docker.io" || key === "registry-1.docker.io") return DOCKER_HUB_REGISTRY;
  const withoutScheme = key.replace(/^https?:\/\//, "");
  return withoutScheme.split("/")[0] ?? withoutScheme;
}
