import { readFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { analyzeImage, MAX_PROBLEMS_PER_CATALOGER_RUN, MAX_PROBLEMS_PER_IMAGE } from "@/lib/analysis/analyze-image";
import { catalogers } from "@/lib/analysis/catalogers";
import type { Cataloger } from "@/lib/analysis/types";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { alpineLayer, apkRecord } from "@/lib/grading/testing/alpine-images";
import { listInstalledDpkgPackages } from "@/lib/samples/dpkg-installed-packages";
import { buildImage, buildLayer, type BuiltImage, type LayerEntry } from "@/lib/samples/image-builder";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { startTamperingProxy } from "@/lib/sync/testing/tampering-proxy";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";

const DEBIAN_STATUS = readFileSync(join(SAMPLES_TESTDATA_DIR, "debian-12/var/lib/dpkg/status"), "utf8");
const DEBIAN_OS_RELEASE = readFileSync(join(SAMPLES_TESTDATA_DIR, "debian-12/etc/os-release"), "utf8");

function stanza(name: string, version: string, source?: string): string {
  return [`Package: ${name}`, "Status: install ok installed", `Version: ${version}`, "Architecture: amd64", ...(source ? [`Source: ${source}`] : []), "Description: test package", ""].join("\n");
}

function npmManifest(name: string, version: string, license: string): string {
  return JSON.stringify({ name, version, license });
}

async function pushImage(registry: RegistryServer, repository: string, tag: string, layers: LayerEntry[][]): Promise<BuiltImage> {
  const built = buildImage({
    layers: await Promise.all(layers.map((entries) => buildLayer(entries))),
    config: { os: "linux", architecture: "amd64", created: "2024-05-01T00:00:00Z", user: "app" },
    mediaTypes: "oci",
  });
  for (const bytes of built.blobs.values()) await pushBlob(registry, repository, bytes);
  await pushManifest(registry, repository, tag, built.manifest.bytes, built.manifest.mediaType);
  return built;
}

describe("analyzeImage against the CNCF registry", () => {
  let registry: RegistryServer;
  const prisma = getPrisma();
  const source = () => testRegistrySource(registry.url);

  beforeAll(async () => {
    registry = await startRegistryServer();
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
  });

  /** Stores the image without analysing it, as a sync that queues analysis does. */
  async function syncOnly(repository: string) {
    await syncOrganization(prisma, source(), "acme", { repository, analyzeLater: async () => {} });
  }

  async function syncAndAnalyze(repository: string, built: BuiltImage, cataloging: readonly Cataloger[] = catalogers) {
    await syncOnly(repository);
    return analyzeImage(prisma, source(), repository, built.manifest.digest, { catalogers: cataloging });
  }

  test("Debian root: OS and every dpkg package", async () => {
    const built = await pushImage(registry, "acme/debian", "12", [
      [
        { path: "etc/os-release", content: DEBIAN_OS_RELEASE },
        { path: "var/lib/dpkg/status", content: DEBIAN_STATUS },
      ],
    ]);
    const startedAt = Date.now();
    const result = await syncAndAnalyze("acme/debian", built);
    const endedAt = Date.now();

    expect(result).toMatchObject({ status: "ANALYSED", blobFetches: 1, os: { id: "debian", versionId: "12", ecosystem: "Debian:12" } });
    const expected = listInstalledDpkgPackages(DEBIAN_STATUS).map((pkg) => `${pkg.name}@${pkg.version}`).sort();
    const stored = await prisma.imagePackage.findMany({ where: { imageDigest: built.manifest.digest } });
    expect(stored.map((pkg) => `${pkg.name}@${pkg.version}`).sort()).toEqual(expected);
    expect(stored.every((pkg) => pkg.ecosystem === "Debian:12" && pkg.layerDigest === built.layers[0]!.digest)).toBe(true);

    const analysis = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest: built.manifest.digest } });
    const os = result.status === "ANALYSED" ? result.os : null;
    expect(analysis).toMatchObject({
      status: "ANALYSED",
      reason: null,
      analyzerVersion: catalogers.map((cataloger) => `${cataloger.id}@${cataloger.version}`).join(" "),
      osId: "debian",
      osVersionId: "12",
      osPrettyName: os?.prettyName,
      osEcosystem: "Debian:12",
      osEndOfLife: os?.endOfLife,
      packageCount: expected.length,
      problems: [],
      blobFetches: 1,
    });
    expect(analysis.durationMs).toBeGreaterThanOrEqual(0);
    for (const time of [analysis.analysedAt, analysis.updatedAt]) {
      expect(time?.getTime()).toBeGreaterThanOrEqual(startedAt);
      expect(time?.getTime()).toBeLessThanOrEqual(endedAt);
    }
  });

  test("whiteout, layer of each package, source name", async () => {
    const built = await pushImage(registry, "acme/app", "1", [
      [
        { path: "etc/os-release", content: DEBIAN_OS_RELEASE },
        { path: "var/lib/dpkg/status", content: stanza("libssl3", "3.0.15-1~deb12u1", "openssl") },
        { path: "app/node_modules/left-pad/package.json", content: npmManifest("left-pad", "1.3.0", "WTFPL") },
        { path: "app/node_modules/kept/package.json", content: npmManifest("kept", "2.0.0", "MIT") },
      ],
      [
        { path: "var/lib/dpkg/status", content: `${stanza("libssl3", "3.0.15-1~deb12u1", "openssl")}\n${stanza("curl", "7.88.1-10+deb12u8")}` },
        { path: "app/node_modules/.wh.left-pad", content: "" },
      ],
    ]);
    const result = await syncAndAnalyze("acme/app", built);
    expect(result.status).toBe("ANALYSED");

    const stored = await prisma.imagePackage.findMany({ where: { imageDigest: built.manifest.digest }, orderBy: { name: "asc" } });
    const [lower, upper] = built.layers.map((layer) => layer.digest);
    expect(stored.map((pkg) => [pkg.type, pkg.name, pkg.layerDigest, pkg.ecosystem, pkg.matchNames])).toEqual([
      ["deb", "curl", upper, "Debian:12", ["curl"]],
      ["npm", "kept", lower, "npm", ["kept"]],
      ["deb", "libssl3", lower, "Debian:12", ["openssl"]],
    ]);
    expect(stored.find((pkg) => pkg.name === "kept")?.license).toBe("MIT");
  });

  test("package rows keep every field and their order", async () => {
    const built = await pushImage(registry, "acme/rows", "1", [
      [
        { path: "etc/os-release", content: DEBIAN_OS_RELEASE },
        { path: "var/lib/dpkg/status", content: `${stanza("libssl3", "3.0.15-1~deb12u1", "openssl (3.0.15-1~deb12u1)")}\n${stanza("curl", "7.88.1-10+deb12u8")}` },
        { path: "app/node_modules/kept/package.json", content: npmManifest("kept", "2.0.0", "MIT") },
      ],
    ]);
    expect((await syncAndAnalyze("acme/rows", built)).status).toBe("ANALYSED");

    const stored = await prisma.imagePackage.findMany({ where: { imageDigest: built.manifest.digest }, orderBy: { id: "asc" } });
    const layerDigest = built.layers[0]!.digest;
    expect(stored.map((pkg) => pkg.name)).toEqual(["libssl3", "curl", "kept"]);
    expect(stored[0]).toMatchObject({
      type: "deb",
      version: "3.0.15-1~deb12u1",
      purl: "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl",
      license: null,
      licenseDeclared: [],
      sourceName: "openssl",
      sourceVersion: "3.0.15-1~deb12u1",
      arch: "amd64",
      path: "/var/lib/dpkg/status",
      layerDigest,
      ecosystem: "Debian:12",
      matchNames: ["openssl"],
    });
    expect(stored[2]).toMatchObject({
      type: "npm",
      version: "2.0.0",
      purl: "pkg:npm/kept@2.0.0",
      license: "MIT",
      licenseDeclared: ["MIT"],
      sourceName: null,
      sourceVersion: null,
      arch: null,
      path: "/app/node_modules/kept/package.json",
      layerDigest,
      ecosystem: "npm",
      matchNames: ["kept"],
    });
  });

  test("cached layers: no fetch; a new cataloger version re-reads", async () => {
    const built = await pushImage(registry, "acme/cached", "1", [
      [{ path: "var/lib/dpkg/status", content: stanza("bash", "5.2.15-2+b7") }],
      [{ path: "srv/node_modules/kept/package.json", content: npmManifest("kept", "2.0.0", "MIT") }],
    ]);
    expect(await syncAndAnalyze("acme/cached", built)).toMatchObject({ status: "ANALYSED", blobFetches: 2, packageCount: 2 });

    const again = await analyzeImage(prisma, source(), "acme/cached", built.manifest.digest);
    expect(again).toMatchObject({ status: "ANALYSED", blobFetches: 0, packageCount: 2 });

    const npmRowBefore = await prisma.layerAnalysis.findUniqueOrThrow({ where: { layerDigest_cataloger: { layerDigest: built.layers[1]!.digest, cataloger: "npm" } } });
    const bumped = catalogers.map((cataloger) => (cataloger.id === "dpkg" ? { ...cataloger, version: cataloger.version + 1 } : cataloger));
    const rerun = await analyzeImage(prisma, source(), "acme/cached", built.manifest.digest, { catalogers: bumped });
    expect(rerun).toMatchObject({ status: "ANALYSED", blobFetches: 2, packageCount: 2 });

    const rows = await prisma.layerAnalysis.findMany({ where: { cataloger: { in: ["dpkg", "npm"] } } });
    expect(rows.filter((row) => row.cataloger === "dpkg").map((row) => row.version)).toEqual([2, 2]);
    const npmRowAfter = rows.find((row) => row.cataloger === "npm" && row.layerDigest === built.layers[1]!.digest);
    expect(npmRowAfter?.createdAt).toEqual(npmRowBefore.createdAt);
  });

  test("script over a Go program hides its packages", async () => {
    const program = new Uint8Array(readFileSync(new URL("./catalogers/testdata/go-binary/main-version-via-ldflags.elf", import.meta.url)));
    const programLayer = [{ path: "usr/local/bin/tool", content: program, mode: 0o755 }];
    const alone = await pushImage(registry, "acme/tool", "program", [programLayer]);
    const replaced = await pushImage(registry, "acme/tool", "script", [programLayer, [{ path: "usr/local/bin/tool", content: "#!/bin/sh\nexec /opt/tool \"$@\"\n", mode: 0o755 }]]);
    await syncOnly("acme/tool");

    const first = await analyzeImage(prisma, source(), "acme/tool", alone.manifest.digest);
    const second = await analyzeImage(prisma, source(), "acme/tool", replaced.manifest.digest);

    expect(first).toMatchObject({ status: "ANALYSED", packageCount: 2 });
    expect(second).toMatchObject({ status: "ANALYSED", packageCount: 0, problems: [] });
  });

  test("cached Alpine layer keeps its apk packages", async () => {
    const baseLayer = alpineLayer([apkRecord("musl", "1.1.19-r10", "musl"), apkRecord("libssl1.0", "1.0.2o-r2", "openssl")]);
    const base = await pushImage(registry, "acme/alpine", "3.8", [baseLayer]);
    const service = await pushImage(registry, "acme/alpine", "service", [baseLayer, [{ path: "srv/run.sh", content: "#!/bin/sh\n" }]]);
    await syncOnly("acme/alpine");

    await analyzeImage(prisma, source(), "acme/alpine", base.manifest.digest);
    // The base layer now comes from the cache, where the Go and Rust catalogers list the apk database as a path without packages.
    const result = await analyzeImage(prisma, source(), "acme/alpine", service.manifest.digest);

    expect(result).toMatchObject({ status: "ANALYSED", blobFetches: 1, packageCount: 2 });
  });

  test("broken package.json among good ones", async () => {
    const built = await pushImage(registry, "acme/broken", "1", [
      [
        { path: "app/node_modules/bad/package.json", content: "{ not json" },
        { path: "app/node_modules/good/package.json", content: npmManifest("good", "1.0.0", "ISC") },
      ],
    ]);
    const result = await syncAndAnalyze("acme/broken", built);

    expect(result.status).toBe("ANALYSED");
    if (result.status !== "ANALYSED") return;
    expect(result.packageCount).toBe(1);
    expect(result.problems).toEqual([
      expect.objectContaining({ layerDigest: built.layers[0]!.digest, path: "/app/node_modules/bad/package.json", message: expect.stringContaining("not valid JSON") }),
    ]);
  });

  test("problems are capped per file and per image", async () => {
    // A dpkg status of 150 stanzas without a Version in one image, and 1,200 broken package.json files in another.
    const status = Array.from({ length: 150 }, (_, index) => `Package: broken${index}\nStatus: install ok installed\n`).join("\n");
    const dpkgImage = await pushImage(registry, "acme/noisy-dpkg", "1", [[{ path: "etc/os-release", content: DEBIAN_OS_RELEASE }, { path: "var/lib/dpkg/status", content: status }]]);
    const brokenManifests = Array.from({ length: 1200 }, (_, index) => ({ path: `app/node_modules/bad${index}/package.json`, content: "{ not json" }));
    const npmImage = await pushImage(registry, "acme/noisy-npm", "1", [brokenManifests]);

    const dpkgResult = await syncAndAnalyze("acme/noisy-dpkg", dpkgImage);
    const npmResult = await syncAndAnalyze("acme/noisy-npm", npmImage);

    if (dpkgResult.status !== "ANALYSED" || npmResult.status !== "ANALYSED") throw new Error(`analysis failed: ${dpkgResult.status}, ${npmResult.status}`);
    expect(dpkgResult.problems).toHaveLength(MAX_PROBLEMS_PER_CATALOGER_RUN + 1);
    expect(dpkgResult.problems.at(-1)).toEqual({ layerDigest: dpkgImage.layers[0]!.digest, path: "/var/lib/dpkg/status", message: "The dpkg cataloger reported 50 more problems, which were not kept." });
    expect(npmResult.problems).toHaveLength(MAX_PROBLEMS_PER_IMAGE + 1);
    expect(npmResult.problems.at(-1)).toEqual({ layerDigest: null, path: "/", message: `The image has ${1200 - MAX_PROBLEMS_PER_IMAGE} more problems, which were not kept.` });
  });

  test("layer over the size cap keeps the earlier result", async () => {
    const built = await pushImage(registry, "acme/large", "1", [[{ path: "var/lib/dpkg/status", content: stanza("bash", "5.2.15-2+b7") }]]);
    expect(await syncAndAnalyze("acme/large", built)).toMatchObject({ status: "ANALYSED", packageCount: 1 });

    const bumped = catalogers.map((cataloger) => ({ ...cataloger, version: cataloger.version + 1 }));
    const capped = await analyzeImage(prisma, source(), "acme/large", built.manifest.digest, { catalogers: bumped, maxUncompressedLayerBytes: 512 });
    expect(capped).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/512/) });

    const analysis = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest: built.manifest.digest } });
    expect(analysis.status).toBe("ANALYSED");
    expect(analysis.reason).toMatch(/latest analysis failed/);
    expect(await prisma.imagePackage.count({ where: { imageDigest: built.manifest.digest } })).toBe(1);
  });

  test("layer bytes not matching the digest", async () => {
    const built = await pushImage(registry, "acme/tampered", "1", [[{ path: "etc/hostname", content: "box\n" }]]);
    await syncOnly("acme/tampered");
    const layerDigest = built.layers[0]!.digest;
    const proxy = await startTamperingProxy(registry.url);
    try {
      const wrongBytes = new Uint8Array(built.layers[0]!.size).fill(7);
      proxy.rules.push((method, path) => (path.endsWith(`/blobs/${layerDigest}`) ? { status: 200, body: wrongBytes } : undefined));
      const result = await analyzeImage(prisma, testRegistrySource(proxy.url), "acme/tampered", built.manifest.digest);
      expect(result).toMatchObject({ status: "FAILED", blobFetches: 1, reason: expect.stringContaining(layerDigest) });
      const analysis = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest: built.manifest.digest } });
      expect(analysis).toMatchObject({ status: "FAILED", packageCount: 0 });
      expect(await prisma.layerAnalysis.count({ where: { layerDigest } })).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
