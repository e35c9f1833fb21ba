import type { PrismaClient } from "@/lib/db";
import type { BaseImage } from "@/lib/analysis/base-image";
import type { ReadManifestTree } from "@/lib/sync/read-manifest-tree";

type Transaction = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/**
 * Stores a manifest, its platform images, layers and attestations. Rows keyed
 * by digest are written once: a digest's content never changes.
 */
export async function storeManifestTree(tx: Transaction, tree: ReadManifestTree, baseImages: ReadonlyMap<string, BaseImage> = new Map()): Promise<void> {
  for (const image of tree.images) {
    const base = baseImages.get(image.digest);
    await tx.layer.createMany({
      data: image.layers.map((layer) => ({ digest: layer.digest, mediaType: layer.mediaType, size: BigInt(layer.size), diffId: layer.diffId })),
      skipDuplicates: true,
    });
    await tx.image.upsert({
      where: { digest: image.digest },
      update: {},
      create: {
        digest: image.digest,
        mediaType: image.mediaType,
        platform: image.platform,
        os: image.os,
        architecture: image.architecture,
        variant: image.variant,
        configDigest: image.configDigest,
        user: image.user,
        labels: image.labels,
        history: image.history,
        created: image.created,
        compressedSize: BigInt(image.compressedSize),
        annotations: image.annotations,
        baseImageSource: base?.source ?? null,
        baseImageReference: base && base.source !== "unknown" ? base.reference : null,
        baseImageDigest: base && base.source !== "unknown" ? base.digest : null,
        baseImageReason: base && base.source === "unknown" ? base.reason : null,
        layers: { create: image.layers.map((layer, position) => ({ layerDigest: layer.digest, position })) },
      },
    });
    await tx.attestation.createMany({
      // Prisma writes a JSON null as Prisma.DbNull; a missing key leaves the column NULL.
      data: image.attestations.map(({ details, ...attestation }) => ({ imageDigest: image.digest, ...attestation, ...(details === null ? {} : { details }) })),
      skipDuplicates: true,
    });
  }

  await tx.manifest.upsert({
    where: { digest: tree.digest },
    update: {},
    create: { digest: tree.digest, mediaType: tree.mediaType, isIndex: tree.isIndex, size: tree.size },
  });
  await tx.manifestImage.createMany({
    data: tree.platforms.map((entry) => ({ manifestDigest: tree.digest, imageDigest: entry.digest, platform: entry.platform })),
    skipDuplicates: true,
  });
}
