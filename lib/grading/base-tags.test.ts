import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { refreshBaseTags, registryHead, resolveBaseTag } from "@/lib/grading/base-tags";
import { loadImageFacts } from "@/lib/grading/grade-images";
import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { buildImage, buildLayer, type BuiltImage, type Layer } from "@/lib/samples/image-builder";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";
import type { PolicyResult } from "@/scoring";

describe("base image tags", () => {
  let registry: RegistryServer;
  let host: string;
  const prisma = getPrisma();
  const source = () => testRegistrySource(registry.url);

  beforeAll(async () => {
    registry = await startRegistryServer();
    host = new URL(registry.url).host;
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    // As openConfiguredRegistry records it, so synced repositories are known to live on this host.
    const row = await prisma.registry.create({ data: { kind: "DISTRIBUTION", url: registry.url } });
    await prisma.organization.create({ data: { name: "acme", registryId: row.id } });
  });

  async function push(repository: string, tag: string, layers: Layer[], labels?: Record<string, string>): Promise<BuiltImage> {
    const built = buildImage({ layers, config: { os: "linux", architecture: "amd64", created: "2024-05-01T00:00:00Z", labels }, mediaTypes: "oci" });
    for (const bytes of built.blobs.values()) await pushBlob(registry, repository, bytes);
    await pushManifest(registry, repository, tag, built.manifest.bytes, built.manifest.mediaType);
    return built;
  }

  async function currentOf(digest: string) {
    const facts = (await loadImageFacts(prisma, [digest], new Date())).get(digest);
    return facts?.baseImage?.source === "unknown" ? undefined : facts?.baseImage?.current;
  }

  test("synced base: resolved from the database; a move re-grades", async () => {
    const baseLayer = await buildLayer([{ path: "etc/os-release", content: "ID=debian\nVERSION_ID=12\n" }]);
    const baseV1 = await push("acme/base", "1", [baseLayer]);
    const app = await push("acme/app", "1", [baseLayer, await buildLayer([{ path: "srv/app.txt", content: "app\n" }])], {
      "org.opencontainers.image.base.name": `${host}/acme/base:1`,
      "org.opencontainers.image.base.digest": baseV1.manifest.digest,
    });
    await syncOrganization(prisma, source(), "acme");
    await refreshBaseTags(prisma, { ttlMinutes: 0 });
    expect(await currentOf(app.manifest.digest)).toMatchObject({ status: "resolved", digest: baseV1.manifest.digest });

    const baseV2 = await push("acme/base", "1", [baseLayer, await buildLayer([{ path: "etc/security-fix", content: "patched\n" }])]);
    await syncOrganization(prisma, source(), "acme", { repository: "acme/base" });
    expect(await refreshBaseTags(prisma, { ttlMinutes: 0 })).toBe(1);

    expect(await currentOf(app.manifest.digest)).toMatchObject({ status: "resolved", digest: baseV2.manifest.digest });
    const latest = await prisma.scoreReport.findFirstOrThrow({ where: { imageDigest: app.manifest.digest }, orderBy: { createdAt: "desc" } });
    expect(latest).toMatchObject({ cause: "base image updated", causeIds: [`${host}/acme/base:1`] });
    const outdated = (latest.results as unknown as PolicyResult[]).find((result) => result.id === "no-outdated-base-images");
    expect(outdated).toMatchObject({ status: "fail", remediation: expect.stringContaining(baseV2.manifest.digest) });
    const before = await prisma.scoreReport.findFirstOrThrow({ where: { imageDigest: app.manifest.digest, cause: { not: "base image updated" } }, orderBy: { createdAt: "desc" } });
    expect((before.results as unknown as PolicyResult[]).find((result) => result.id === "no-outdated-base-images")?.status).toBe("pass");
    // Nothing moved since: no image is graded again.
    expect(await refreshBaseTags(prisma, { ttlMinutes: 0 })).toBe(0);
  });

  test("fresh resolution kept for the TTL", async () => {
    const baseLayer = await buildLayer([{ path: "etc/hostname", content: "base\n" }]);
    const baseV1 = await push("acme/base", "2", [baseLayer]);
    await push("acme/app", "2", [baseLayer], { "org.opencontainers.image.base.name": `${host}/acme/base:2`, "org.opencontainers.image.base.digest": baseV1.manifest.digest });
    await syncOrganization(prisma, source(), "acme");
    await refreshBaseTags(prisma, { ttlMinutes: 60 });

    await push("acme/base", "2", [baseLayer, await buildLayer([{ path: "etc/motd", content: "new\n" }])]);
    await syncOrganization(prisma, source(), "acme", { repository: "acme/base" });
    expect(await refreshBaseTags(prisma, { ttlMinutes: 60 })).toBe(0);
    expect(await refreshBaseTags(prisma, { ttlMinutes: 60, now: new Date(Date.now() + 61 * 60_000) })).toBe(1);
  });

  test("registry outside BASE_IMAGE_REGISTRIES", async () => {
    let asked = 0;
    const head = registryHead([], undefined);
    const counted: typeof head = async (reference) => {
      asked += 1;
      return head(reference);
    };
    const resolution = await resolveBaseTag(prisma, "docker.io/library/debian:12-slim", counted);
    expect(resolution).toEqual({ status: "unknown", reason: expect.stringContaining("BASE_IMAGE_REGISTRIES") });
    expect(asked).toBe(1);
  });

  test("configured registry, repository not synced", async () => {
    const pushed = await push("acme/unsynced", "7", [await buildLayer([{ path: "etc/hostname", content: "x\n" }])]);
    const resolution = await resolveBaseTag(prisma, `${host}/acme/unsynced:7`, registryHead([], { host, source: source() }));
    expect(resolution).toEqual({ status: "resolved", digest: pushed.manifest.digest, equivalentDigests: [] });

    const missing = await resolveBaseTag(prisma, `${host}/acme/unsynced:8`, registryHead([], { host, source: source() }));
    expect(missing).toEqual({ status: "unknown", reason: expect.stringContaining("does not exist") });
  });
});
