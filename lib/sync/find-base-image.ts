import { detectBaseImage, type BaseImage, type KnownImage } from "@/lib/analysis/base-image";
import type { PrismaClient } from "@/lib/db";
import type { ReadImage } from "@/lib/sync/read-manifest-tree";

/** Known images compared per image; more share a popular base layer than are worth loading. */
const maxCandidates = 50;

/**
 * Finds an image's base in the order of trust: provenance, base annotations,
 * labels, then the synced images whose layers are all a strict prefix of this
 * image's. Only strict prefixes count, so a sibling built on the same base, or
 * another tag of the same image, is never taken for the base.
 */
export async function findBaseImage(prisma: PrismaClient, image: ReadImage, repository: string): Promise<BaseImage> {
  const diffIds = image.layers.map((layer) => layer.diffId).filter((diffId): diffId is string => diffId !== null);
  const knownImages = diffIds.length === image.layers.length ? await prefixImages(prisma, diffIds, image.digest, repository) : [];
  const base = detectBaseImage({
    provenance: image.provenance,
    annotations: image.annotations,
    labels: image.labels,
    layerDigests: image.layers.map((layer) => layer.digest),
    diffIds,
    imageDigest: image.digest,
    knownImages,
  });
  // Normalising reads a synced repository's bare name as Docker Hub's, so the name it was synced under is kept.
  if (base.source === "layers") {
    const known = knownImages.find((candidate) => candidate.digest === base.digest);
    if (known) return { ...base, reference: known.reference };
  }
  return base;
}

async function prefixImages(prisma: PrismaClient, diffIds: string[], imageDigest: string, repository: string): Promise<KnownImage[]> {
  const firstDiffId = diffIds[0];
  if (firstDiffId === undefined) return [];
  const candidates = await prisma.image.findMany({
    where: {
      digest: { not: imageDigest },
      // A base has fewer layers than the image, and the same bottom layer.
      AND: [{ layers: { some: { position: 0, layer: { diffId: firstDiffId } } } }, { layers: { none: { position: { gte: diffIds.length } } } }],
    },
    take: maxCandidates,
    select: {
      digest: true,
      layers: { orderBy: { position: "asc" }, select: { layer: { select: { diffId: true } } } },
      manifests: {
        take: 1,
        select: {
          manifest: {
            select: {
              tags: {
                where: { deletedAt: null },
                take: 1,
                select: { name: true, repository: { select: { name: true, organization: { select: { registry: { select: { kind: true, url: true } } } } } } },
              },
            },
          },
        },
      },
    },
  });

  const known: KnownImage[] = [];
  for (const candidate of candidates) {
    const candidateDiffIds = candidate.layers.map((entry) => entry.layer.diffId);
    const isStrictPrefix = candidateDiffIds.length < diffIds.length && candidateDiffIds.every((diffId, index) => diffId === diffIds[index]);
    const tag = candidate.manifests[0]?.manifest.tags[0];
    // Images of the same repository are earlier builds of this image, not its base.
    if (!isStrictPrefix || !tag || tag.repository.name === repository) continue;
    known.push({ reference: qualifiedReference(tag.repository.organization.registry, `${tag.repository.name}:${tag.name}`), digest: candidate.digest, diffIds: candidateDiffIds as string[] });
  }
  return known;
}

/**
 * Names a synced image with its registry's host, as people pull it. Images
 * from an OCI layout folder have no host and keep the bare name, which reads
 * as a Docker Hub name once normalised.
 */
function qualifiedReference(registry: { kind: string; url: string } | null, name: string): string {
  if (registry?.kind !== "DISTRIBUTION") return name;
  try {
    return `${new URL(registry.url).host}/${name}`;
  } catch {
    return name;
  }
}
