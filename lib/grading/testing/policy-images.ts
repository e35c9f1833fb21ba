import type { PrismaClient } from "@/lib/db";
import { alpineLayer, apkRecord } from "@/lib/grading/testing/alpine-images";
import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";
import { buildImage, buildIndex, buildLayer } from "@/lib/samples/image-builder";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";

/** One platform of a test tag: its architecture and the config's User (undefined leaves it unset, which runs as root). */
export interface TestPlatform {
  architecture: "amd64" | "arm64";
  user?: string;
}

/**
 * Pushes ORGANIZATION/REPOSITORY:TAG with one Alpine image per platform (an
 * index when there are several) and syncs that repository, which analyses
 * and grades it. Equal platforms give equal digests, so the same image can be
 * tagged in several repositories. Returns the platform image digests.
 */
export async function pushTag(prisma: PrismaClient, registry: RegistryServer, organization: string, repository: string, tag: string, platforms: TestPlatform[]): Promise<string[]> {
  const name = `${organization}/${repository}`;
  const layer = await buildLayer(alpineLayer([apkRecord("musl", "1.1.19-r10", "musl")]));
  const images = platforms.map((platform) =>
    buildImage({
      layers: [layer],
      config: { os: "linux", architecture: platform.architecture, ...(platform.architecture === "arm64" ? { variant: "v8" } : {}), created: "2018-10-01T00:00:00Z", user: platform.user },
      mediaTypes: "oci",
    }),
  );
  for (const image of images) {
    for (const bytes of image.blobs.values()) await pushBlob(registry, name, bytes);
  }
  if (images.length === 1) {
    await pushManifest(registry, name, tag, images[0]!.manifest.bytes, images[0]!.manifest.mediaType);
  } else {
    const index = buildIndex(images.map((image) => ({ image })), { mediaTypes: "oci" });
    for (const manifest of index.manifests.values()) await pushManifest(registry, name, manifest.digest, manifest.bytes, manifest.mediaType);
    await pushManifest(registry, name, tag, index.manifest.bytes, index.manifest.mediaType);
  }
  await syncOrganization(prisma, testRegistrySource(registry.url), organization, { repository: name });
  return images.map((image) => image.manifest.digest);
}
