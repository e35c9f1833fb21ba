import { readFileSync } from "node:fs";
import path from "node:path";

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { importAdvisories } from "@/lib/advisories/import-advisories";
import { kevFixtureFile, makeTempFolder, osvFixtureFolder, removeTempFolder, writeFixture } from "@/lib/advisories/testing/advisory-fixtures";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { regradeAfterImport } from "@/lib/grading/regrade-after-import";
import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { buildImage, buildLayer, type BuiltImage, type LayerEntry } from "@/lib/samples/image-builder";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";
import type { VulnerabilityFinding } from "@/scoring";

// OSV record CVE-2018-5407 files openssl (the origin of libssl1.0) for Alpine v3.3 to v3.8, fixed in 1.0.2q-r0.
const ALPINE_OPENSSL_RECORD = path.join(osvFixtureFolder, "Alpine", "CVE-2018-5407.json");

const ALPINE_38_OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.8.1\nPRETTY_NAME="Alpine Linux v3.8"\n';

function apkRecord(name: string, version: string, origin: string): string {
  return [`P:${name}`, `V:${version}`, "A:x86_64", `o:${origin}`, "L:MIT", "T:test package", ""].join("\n");
}

function alpineLayer(records: string[]): LayerEntry[] {
  return [
    { path: "etc/os-release", content: ALPINE_38_OS_RELEASE },
    { path: "lib/apk/db/installed", content: `${records.join("\n")}\n` },
  ];
}

describe("re-grading after an advisory import", () => {
  let registry: RegistryServer;
  let folder: string | undefined;
  const prisma = getPrisma();

  beforeAll(async () => {
    registry = await startRegistryServer();
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    folder = await makeTempFolder();
  });
  afterEach(async () => {
    await removeTempFolder(folder);
  });

  async function pushAndSync(repository: string, layer: LayerEntry[]): Promise<BuiltImage> {
    const built = buildImage({ layers: [await buildLayer(layer)], config: { os: "linux", architecture: "amd64", created: "2018-10-01T00:00:00Z" }, mediaTypes: "oci" });
    for (const bytes of built.blobs.values()) await pushBlob(registry, repository, bytes);
    await pushManifest(registry, repository, "latest", built.manifest.bytes, built.manifest.mediaType);
    await syncOrganization(prisma, testRegistrySource(registry.url), "acme", { repository });
    return built;
  }

  async function reports(digest: string) {
    return prisma.scoreReport.findMany({ where: { imageDigest: digest }, orderBy: { createdAt: "asc" } });
  }

  test("only images with a named package; cause, findings, KEV", async () => {
    const withOpenssl = await pushAndSync("acme/tls", alpineLayer([apkRecord("musl", "1.1.19-r10", "musl"), apkRecord("libssl1.0", "1.0.2o-r2", "openssl")]));
    const without = await pushAndSync("acme/plain", alpineLayer([apkRecord("musl", "1.1.19-r10", "musl")]));
    expect((await reports(withOpenssl.manifest.digest)).map((report) => report.findings)).toEqual([[]]);

    const osv = await importAdvisories(prisma, ALPINE_OPENSSL_RECORD);
    expect(await regradeAfterImport(prisma, osv)).toBe(1);

    const [, afterOsv] = await reports(withOpenssl.manifest.digest);
    expect(afterOsv).toMatchObject({ cause: "advisory update", causeIds: ["CVE-2018-5407"], advisorySnapshot: osv.snapshot.id });
    const findings = afterOsv!.findings as unknown as VulnerabilityFinding[];
    expect(findings).toEqual([
      expect.objectContaining({ vulnerabilityId: "CVE-2018-5407", packageName: "libssl1.0", packageVersion: "1.0.2o-r2", fixedVersion: "1.0.2q-r0", knownExploited: false }),
    ]);
    expect(await reports(without.manifest.digest)).toHaveLength(1);

    const catalog = JSON.parse(readFileSync(kevFixtureFile, "utf8")) as { count: number; vulnerabilities: { cveID: string }[] };
    catalog.vulnerabilities[0]!.cveID = "CVE-2018-5407";
    const kevFile = path.join(folder!, "known-exploited-vulnerabilities.json");
    await writeFixture(folder!, "known-exploited-vulnerabilities.json", catalog);
    const kev = await importAdvisories(prisma, kevFile);
    expect(await regradeAfterImport(prisma, kev)).toBe(1);

    const latest = (await reports(withOpenssl.manifest.digest)).at(-1)!;
    expect(latest).toMatchObject({ cause: "advisory update", causeIds: ["CVE-2018-5407"] });
    expect((latest.findings as unknown as VulnerabilityFinding[])[0]?.knownExploited).toBe(true);
    expect(await reports(without.manifest.digest)).toHaveLength(1);
  });

  test("release the advisory does not cover", async () => {
    const newer = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n';
    const built = await pushAndSync("acme/newer", [
      { path: "etc/os-release", content: newer },
      { path: "lib/apk/db/installed", content: `${apkRecord("libssl1.0", "1.0.2o-r2", "openssl")}\n` },
    ]);

    expect(await regradeAfterImport(prisma, await importAdvisories(prisma, ALPINE_OPENSSL_RECORD))).toBe(0);
    expect(await reports(built.manifest.digest)).toHaveLength(1);
  });
});
