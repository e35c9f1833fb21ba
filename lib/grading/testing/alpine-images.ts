import path from "node:path";

import { osvFixtureFolder } from "@/lib/advisories/testing/advisory-fixtures";
import type { PrismaClient } from "@/lib/db";
import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";
import { buildImage, buildIndex, buildLayer, type AttestationInput, type BuiltImage, type LayerEntry } from "@/lib/samples/image-builder";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";

/** OSV record CVE-2018-5407: openssl (the origin of libssl1.0) on Alpine v3.3 to v3.8, fixed in 1.0.2q-r0. */
export const ALPINE_OPENSSL_RECORD = path.join(osvFixtureFolder, "Alpine", "CVE-2018-5407.json");

export function alpineOsRelease(versionId: string): string {
  const [major, minor] = versionId.split(".");
  return `NAME="Alpine Linux"\nID=alpine\nVERSION_ID=${versionId}\nPRETTY_NAME="Alpine Linux v${major}.${minor}"\n`;
}

/** Writes one stanza of an apk `installed` database. */
export function apkRecord(name: string, version: string, origin: string): string {
  return [`P:${name}`, `V:${version}`, "A:x86_64", `o:${origin}`, "L:MIT", "T:test package", ""].join("\n");
}

/** Builds a layer with an Alpine release and an apk database of the given records. */
export function alpineLayer(records: string[], versionId = "3.8.1"): LayerEntry[] {
  return [
    { path: "etc/os-release", content: alpineOsRelease(versionId) },
    { path: "lib/apk/db/installed", content: `${records.join("\n")}\n` },
  ];
}

/** The packages of the affected image: libssl1.0 1.0.2o-r2 is below the fix of CVE-2018-5407. */
export const vulnerableAlpineRecords = [apkRecord("musl", "1.1.19-r10", "musl"), apkRecord("libssl1.0", "1.0.2o-r2", "openssl")];

/**
 * Pushes a one-layer image as REPOSITORY:latest and syncs it into organization
 * "acme", which analyses and grades it. With attestations, the tag is an index
 * with a BuildKit-style attestation manifest.
 */
export async function pushAndSync(
  prisma: PrismaClient,
  registry: RegistryServer,
  repository: string,
  layer: LayerEntry[],
  attestations?: AttestationInput,
  options: { sync?: boolean } = {},
): Promise<BuiltImage> {
  const built = buildImage({ layers: [await buildLayer(layer)], config: { os: "linux", architecture: "amd64", created: "2018-10-01T00:00:00Z" }, mediaTypes: "oci" });
  for (const bytes of built.blobs.values()) await pushBlob(registry, repository, bytes);
  if (attestations) {
    const index = buildIndex([{ image: built, attestations }], { mediaTypes: "oci", reference: { repository, tag: "latest" } });
    for (const bytes of index.blobs.values()) await pushBlob(registry, repository, bytes);
    for (const manifest of index.manifests.values()) await pushManifest(registry, repository, manifest.digest, manifest.bytes, manifest.mediaType);
    await pushManifest(registry, repository, "latest", index.manifest.bytes, index.manifest.mediaType);
  } else {
    await pushManifest(registry, repository, "latest", built.manifest.bytes, built.manifest.mediaType);
  }
  if (options.sync !== false) await syncOrganization(prisma, testRegistrySource(registry.url), "acme", { repository });
  return built;
}

/** Loads an image's score reports, oldest first. */
export function reportsOf(prisma: PrismaClient, digest: string) {
  return prisma.scoreReport.findMany({ where: { imageDigest: digest }, orderBy: { createdAt: "asc" } });
}

/** An OSV record that names no package of the test images (chromium on Debian 10 and 11). */
export const UNRELATED_OSV_RECORD = path.join(osvFixtureFolder, "Debian", "CVE-2024-3847.json");

/**
 * Imports an OSV record that affects none of the test images, so advisories
 * count as imported: without any, the vulnerability policies have no data.
 */
export async function importUnrelatedAdvisory(prisma: PrismaClient): Promise<void> {
  const { importAdvisories } = await import("@/lib/advisories/import-advisories");
  await importAdvisories(prisma, UNRELATED_OSV_RECORD);
}
