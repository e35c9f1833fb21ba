import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { envVariableNames } from "@/lib/env";

const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  container_name?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { disable?: boolean };
}

const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
/** Variables the compose file passes to its own Postgres service, not to Shipshape. */
const postgresVariables = new Set(["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"]);

describe("docker-compose.yml", () => {
  test("has every service of a deployment", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "migrate", "postgres", "registry", "worker"]);
    expect(Object.keys(compose.volumes)).toContain("postgres-data");
  });

  test("worker service can be scaled", () => {
    const worker = compose.services.worker!;
    expect(worker.command).toEqual(["worker"]);
    // A fixed container name or host port would stop `--scale worker=4`.
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.healthcheck?.disable).toBe(true);
  });

  test("app leaves jobs to the workers", () => {
    expect(compose.services.app!.environment?.WEB_WORKER).toBe("false");
  });

  test("app and workers start after migrations", () => {
    for (const name of ["app", "worker"]) {
      expect(compose.services[name]!.depends_on?.migrate?.condition, name).toBe("service_completed_successfully");
    }
    expect(compose.services.migrate!.command).toEqual(["migrate"]);
  });

  test("every Shipshape variable is one Shipshape reads", () => {
    for (const name of ["app", "worker", "migrate"]) {
      const variables = Object.keys(compose.services[name]!.environment ?? {});
      expect(variables.length, name).toBeGreaterThan(0);
      for (const variable of variables) expect(envVariableNames, `${name}: ${variable}`).toContain(variable);
    }
    for (const variable of Object.keys(compose.services.postgres!.environment ?? {})) expect(postgresVariables).toContain(variable);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

  test("final stage runs as a non-root user", () => {
    const users = [...finalStage.matchAll(/^USER\s+(\S+)/gm)].map((match) => match[1]);
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.split(":")[0]!;
    expect(["root", "0", ""]).not.toContain(user);
  });

  test("final stage labels its base image", () => {
    expect(finalStage).toMatch(/org\.opencontainers\.image\.base\.name="\$\{NODE_IMAGE\}"/);
    expect(finalStage).toMatch(/org\.opencontainers\.image\.base\.digest="\$\{NODE_DIGEST\}"/);
  });

  test("build command asks for attestations", () => {
    expect(dockerfile).toContain("--sbom=true --provenance=mode=max");
    expect(read("docs/deploy.md")).toContain("--sbom=true --provenance=mode=max");
  });

  test("every ENV variable is one Shipshape reads", () => {
    const block = /^ENV ((?:.*\\\n)*.*)$/m.exec(finalStage)?.[1] ?? "";
    const variables = [...block.matchAll(/([A-Z_]+)=/g)].map((match) => match[1]!);
    expect(variables.length).toBeGreaterThan(0);
    const nodeVariables = new Set(["NODE_ENV", "NEXT_TELEMETRY_DISABLED"]);
    for (const variable of variables.filter((name) => !nodeVariables.has(name))) expect(envVariableNames).toContain(variable);
  });
});

test("README documents every environment variable", () => {
  const readme = read("README.md");
  for (const name of envVariableNames) expect(readme, name).toMatch(new RegExp(`^\\| [^|]*\`${name}\``, "m"));
});
