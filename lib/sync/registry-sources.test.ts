import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { getPrisma } from "@/lib/db";
import { DockerHubSource } from "@/lib/dockerhub/dockerhub-source";
import { HUB_TOKEN, HUB_USER, setUpRecordedDockerHub } from "@/lib/dockerhub/testing/recorded-docker-hub";
import { parseEnv } from "@/lib/env";
import { createRegistrySource } from "@/lib/registry/registry-source";
import { sealSecret } from "@/lib/secrets/secret-box";
import type { ConfiguredRegistry } from "@/lib/sync/configured-registry";
import { createRegistrySources } from "@/lib/sync/registry-sources";
import { syncOrganization } from "@/lib/sync/sync-organization";

const secretsKey = randomBytes(32).toString("base64");
const currentHub = setUpRecordedDockerHub();

async function storeDockerHubRegistry() {
  const prisma = getPrisma();
  const registry = await prisma.registry.create({
    data: { kind: "DOCKERHUB", url: currentHub().registry.url, hubApiUrl: currentHub().api.url, insecure: true, username: HUB_USER, sealedPassword: sealSecret(HUB_TOKEN, secretsKey) },
  });
  await prisma.organization.create({ data: { name: "acme", registryId: registry.id } });
  return registry;
}

describe("registry sources", () => {
  test("stored Docker Hub registry syncs its org", async () => {
    await storeDockerHubRegistry();
    const sources = createRegistrySources(getPrisma(), parseEnv({ SECRETS_KEY: secretsKey, PRIVATE_TARGETS_ALLOWED: "127.0.0.1" }), null);

    const opened = await sources.forOrganization("acme");
    expect(opened?.source).toBeInstanceOf(DockerHubSource);
    expect(await sources.organizations()).toEqual(["acme"]);
    const run = await syncOrganization(getPrisma(), opened!.source, "acme", { analyzeLater: async () => {}, requestCount: opened!.requestCount });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.repositoriesSeen).toBe(2);
    expect(run.requestCount).toBeGreaterThan(0);
    // The same source serves later jobs, so its rate-limit state carries over.
    expect(await sources.forOrganization("acme")).toBe(opened);
  });

  test("a stored registry on a loopback address is rejected unless allowed", async () => {
    await storeDockerHubRegistry();
    const sources = createRegistrySources(getPrisma(), parseEnv({ SECRETS_KEY: secretsKey }), null);
    const opened = await sources.forOrganization("acme");

    const run = await syncOrganization(getPrisma(), opened!.source, "acme", { analyzeLater: async () => {}, requestCount: opened!.requestCount });

    expect(run.status).toBe("FAILED");
    const message = JSON.stringify(run.errors);
    expect(message).toContain("resolves to 127.0.0.1, a private, loopback or link-local address");
    expect(message).toContain("PRIVATE_TARGETS_ALLOWED");
    expect(await getPrisma().repository.count()).toBe(0);
  });

  test("missing SECRETS_KEY names the variable", async () => {
    await storeDockerHubRegistry();
    const sources = createRegistrySources(getPrisma(), parseEnv({}), null);
    await expect(sources.forOrganization("acme")).rejects.toThrow(/SECRETS_KEY is not set.*openssl rand -base64 32/);
  });

  test("REGISTRY_URL orgs keep the environment registry", async () => {
    const prisma = getPrisma();
    const row = await prisma.registry.create({ data: { kind: "DISTRIBUTION", url: "http://127.0.0.1:9" } });
    await prisma.organization.create({ data: { name: "demo", registryId: row.id } });
    const configured: ConfiguredRegistry = {
      source: createRegistrySource({ kind: "distribution", url: "http://127.0.0.1:9", insecure: true }),
      registryId: row.id,
      host: "127.0.0.1:9",
      organizations: ["demo", "fresh"],
      requestCount: () => 0,
    };
    const sources = createRegistrySources(prisma, parseEnv({}), configured);

    expect(await sources.forOrganization("demo")).toBe(configured);
    // Listed in REGISTRY_ORG but not yet stored: the worker creates it on its first sync.
    expect(await sources.forOrganization("fresh")).toBe(configured);
    expect(await sources.forOrganization("unknown")).toBeNull();
    expect(await sources.organizations()).toEqual(["demo", "fresh"]);
  });

  test("schedules use each registry's interval", async () => {
    const prisma = getPrisma();
    const configuredRow = await prisma.registry.create({ data: { kind: "DISTRIBUTION", url: "http://127.0.0.1:9" } });
    await prisma.organization.create({ data: { name: "demo", registryId: configuredRow.id } });
    const hourly = await prisma.registry.create({ data: { kind: "DISTRIBUTION", url: "http://127.0.0.1:10", syncIntervalMinutes: 60 } });
    await prisma.organization.create({ data: { name: "hourly", registryId: hourly.id } });
    const defaulted = await prisma.registry.create({ data: { kind: "DISTRIBUTION", url: "http://127.0.0.1:11" } });
    await prisma.organization.create({ data: { name: "defaulted", registryId: defaulted.id } });
    await prisma.organization.create({ data: { name: "unsynced" } });
    const configured: ConfiguredRegistry = {
      source: createRegistrySource({ kind: "distribution", url: "http://127.0.0.1:9", insecure: true }),
      registryId: configuredRow.id,
      host: "127.0.0.1:9",
      organizations: ["demo"],
      requestCount: () => 0,
    };
    const sources = createRegistrySources(prisma, parseEnv({ SYNC_INTERVAL_MINUTES: "20" }), configured);

    expect(await sources.schedules()).toEqual([
      { organization: "defaulted", intervalMinutes: 20 },
      { organization: "demo", intervalMinutes: 20 },
      { organization: "hourly", intervalMinutes: 60 },
    ]);
  });
});
