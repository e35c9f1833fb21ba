import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { analyzeImage } from "@/lib/analysis/analyze-image";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { buildImage, buildLayer, type Layer } from "@/lib/samples/image-builder";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";

const CORPUS_DIR = fileURLToPath(new URL("../testdata/fuzz/", import.meta.url));
const corpusFile = (name: string) => new Uint8Array(readFileSync(join(CORPUS_DIR, name)));

/** Builds a layer from the raw tar bytes of a corpus file, which no tar writer would produce. */
function rawTarLayer(name: string): Layer {
  const bytes = corpusFile(name);
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  return { digest, diffId: digest, size: bytes.byteLength, bytes, mediaType: "application/vnd.oci.image.layer.v1.tar", compression: "none" };
}

describe("analyzeImage with hostile layers", () => {
  let registry: RegistryServer;
  const prisma = getPrisma();

  beforeAll(async () => {
    registry = await startRegistryServer();
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
  });

  test("hostile layers reported, rest analysed", async () => {
    const layers = [
      await buildLayer([
        { path: "etc/os-release", content: 'ID=debian\nVERSION_ID="12"\n' },
        { path: "app/node_modules/good/package.json", content: JSON.stringify({ name: "good", version: "1.0.0", license: "ISC" }) },
      ]),
      rawTarLayer("whiteout-empty-name.tar"),
      rawTarLayer("symlink-self-directory.tar"),
      await buildLayer([
        { path: "usr/local/bundle/specifications/blank-1.0.gemspec", content: corpusFile("gemspec-blank-lines.gemspec") },
        { path: "app/lib/unclosed-1.0.jar", content: corpusFile("pom-unclosed-tags.jar") },
      ]),
    ];
    const built = buildImage({ layers, config: { os: "linux", architecture: "amd64", created: "2024-05-01T00:00:00Z" }, mediaTypes: "oci" });
    for (const bytes of built.blobs.values()) await pushBlob(registry, "acme/hostile", bytes);
    await pushManifest(registry, "acme/hostile", "1", built.manifest.bytes, built.manifest.mediaType);
    const source = testRegistrySource(registry.url);
    await syncOrganization(prisma, source, "acme", { repository: "acme/hostile", analyzeLater: async () => {} });

    const result = await analyzeImage(prisma, source, "acme/hostile", built.manifest.digest);

    expect(result).toMatchObject({ status: "ANALYSED", os: { id: "debian", versionId: "12" } });
    if (result.status !== "ANALYSED") return;
    expect(result.problems).toContainEqual({ layerDigest: layers[1]!.digest, path: "/", message: expect.stringContaining("Whiteout names no file") });
    expect(result.problems).toContainEqual({ layerDigest: layers[2]!.digest, path: "/var/lib/dpkg/status", message: expect.stringContaining("symlink loop") });
    const stored = await prisma.imagePackage.findMany({ where: { imageDigest: built.manifest.digest }, orderBy: { name: "asc" } });
    expect(stored.map((pkg) => [pkg.type, pkg.name, pkg.version, pkg.layerDigest])).toEqual([
      ["gem", "blank", "1.0", layers[3]!.digest],
      ["npm", "good", "1.0.0", layers[0]!.digest],
      ["maven", "org.example:unclosed", "1.0", layers[3]!.digest],
    ]);
    const analysis = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest: built.manifest.digest } });
    expect(analysis.problems).toEqual(result.problems);
  });
});
