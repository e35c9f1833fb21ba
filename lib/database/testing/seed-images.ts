import { createHash } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";

const manifestType = "application/vnd.oci.image.manifest.v1+json";

/** Returns a sha256 digest of the text, for seeded images and configs. */
export function digestOf(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

export interface SeedImage {
  /** os/architecture[/variant]; linux/amd64 unless given. */
  platform?: string;
  compressedSize?: bigint;
  labels?: Prisma.InputJsonValue;
  annotations?: Prisma.InputJsonValue;
  /** Adds an ImageAnalysis row in this status. */
  analysis?: "ANALYSED" | "PENDING" | "FAILED" | null;
}

/** Adds an image row with its config digest derived from its digest. */
export async function seedImage(prisma: PrismaClient, digest: string, image: SeedImage = {}): Promise<void> {
  const platform = image.platform ?? "linux/amd64";
  const [os = "linux", architecture = "amd64", variant] = platform.split("/");
  await prisma.image.create({
    data: {
      digest,
      mediaType: manifestType,
      platform,
      os,
      architecture,
      variant: variant ?? null,
      configDigest: digestOf(`config ${digest}`),
      compressedSize: image.compressedSize ?? 1000n,
      labels: image.labels ?? {},
      annotations: image.annotations ?? {},
    },
  });
  if (image.analysis) await prisma.imageAnalysis.create({ data: { imageDigest: digest, status: image.analysis } });
}

/**
 * Adds a single-platform tag whose manifest is the image itself, with the image,
 * manifest and link rows, and returns the tag. `tag` gives the Tag row's other fields.
 */
export async function seedSingleTag(
  prisma: PrismaClient,
  repositoryId: string,
  name: string,
  digest: string,
  options: { image?: SeedImage; tag?: Omit<Prisma.TagUncheckedCreateInput, "repositoryId" | "name" | "digest"> } = {},
) {
  await seedImage(prisma, digest, options.image);
  const platform = options.image?.platform ?? "linux/amd64";
  await prisma.manifest.create({ data: { digest, mediaType: manifestType, isIndex: false, size: 500 } });
  await prisma.manifestImage.create({ data: { manifestDigest: digest, imageDigest: digest, platform } });
  return prisma.tag.create({ data: { repositoryId, name, digest, ...options.tag } });
}
