import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";
import { buildImage, buildLayer } from "@/lib/samples/image-builder";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";
import { addSampleTag, createSampleSet } from "@/lib/samples/sample-set";
import { pushSampleSet, startSampleRegistry } from "@/lib/sync/testing/push-sample-set";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";
import { syncOrganization } from "@/lib/sync/sync-organization";

describe("base image detection during sync", () => {
  let registry: RegistryServer;
  const prisma = getPrisma();
  const source = () => testRegistrySource(registry.url);

  beforeAll(async () => {
    ({ registry } = await startSampleRegistry());
    // A base image in its own repository: the Debian layer alone, which demo/web's images are built on.
    const debianLayer = await buildLayer(path.join(SAMPLES_TESTDATA_DIR, "debian-12"));
    const base = createSampleSet();
    addSampleTag(base, "demo/base-debian", "12", buildImage({ layers: [debianLayer], config: { os: "linux", architecture: "amd64", created: "2025-01-01T00:00:00Z" }, mediaTypes: "oci" }));
    await pushSampleSet(registry, base);
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
  });

  async function platformImage(repository: string, tag: string) {
    const stored = await prisma.tag.findFirstOrThrow({
      where: { name: tag, repository: { name: repository } },
      include: { manifest: { include: { images: { include: { image: true } } } } },
    });
    const image = stored.manifest.images[0]?.image;
    if (!image) throw new Error(`${repository}:${tag} has no platform image`);
    return image;
  }

  test("provenance names the base image", async () => {
    await syncOrganization(prisma, source(), "demo");
    const image = await platformImage("demo/web", "1.1");
    expect(image.baseImageSource).toBe("provenance");
    expect(image.baseImageReference).toBe("docker.io/library/debian:12-slim");
    expect(image.baseImageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test("shared layers name a synced base image", async () => {
    await syncOrganization(prisma, source(), "demo", { repository: "demo/base-debian" });
    await syncOrganization(prisma, source(), "demo");
    const image = await platformImage("demo/web", "1.0");
    const base = await platformImage("demo/base-debian", "12");
    expect(image.baseImageSource).toBe("layers");
    // The test registers no registry row, so the name has no host.
    expect(image.baseImageReference).toBe("demo/base-debian:12");
    expect(image.baseImageDigest).toBe(base.digest);
  });

  test("base-image labels name the base", async () => {
    await syncOrganization(prisma, source(), "demo");
    const image = await platformImage("demo/alpine-tools", "3.4");
    expect(image.baseImageSource).toBe("label");
    expect(image.baseImageReference).toBe("docker.io/library/alpine:3.4");
  });

  test("without any source the reason is kept", async () => {
    await syncOrganization(prisma, source(), "demo", { repository: "demo/web" });
    const image = await platformImage("demo/web", "1.0");
    expect(image.baseImageSource).toBe("unknown");
    expect(image.baseImageReason).toMatch(/no provenance/);
  });
});
