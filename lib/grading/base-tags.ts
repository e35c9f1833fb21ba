import type { PrismaClient } from "@/lib/db";
import { AppError, publicMessage } from "@/lib/errors";
import { gradeImages } from "@/lib/grading/grade-images";
import { refreshGradesOfImages } from "@/lib/grading/refresh-grades";
import { logger } from "@/lib/log";
import { createRegistrySource, type RegistrySource } from "@/lib/registry/registry-source";
import { servesHost } from "@/lib/grading/base-tag-candidates";
import { baseTagKey } from "@/lib/grading/base-tag-key";
import { parseReference, type ImageReference } from "@/lib/registry/reference";

/** The outcome of resolving one base tag. */
export type Resolution = { status: "resolved"; digest: string; equivalentDigests: string[] } | { status: "unknown"; reason: string };

/** Asks a registry what a tag points to; returns null when the host may not be asked. */
export type RegistryHead = (reference: ImageReference) => Promise<{ digest: string } | null>;

export interface BaseTagOptions {
  /** Asks registries outside the database; without it only synced repositories resolve. */
  head?: RegistryHead;
  /** Minutes a resolution is kept before it is resolved again. */
  ttlMinutes: number;
  now?: Date;
}

/** Images graded per batch after a base tag moves. */
const IMAGES_PER_BATCH = 200;

/**
 * Resolves a base tag: from the database when the repository is synced from
 * that registry (the tag's digest, and its platform manifests when it is an
 * index), otherwise with a HEAD through `head` when it allows the host.
 */
export async function resolveBaseTag(prisma: PrismaClient, key: string, head: RegistryHead | undefined): Promise<Resolution> {
  const reference = parseReference(key);
  const tag = await prisma.tag.findFirst({
    where: { name: reference.tag!, deletedAt: null, repository: { name: reference.repository, deletedAt: null } },
    select: { digest: true, repository: { select: { organization: { select: { registry: { select: { url: true } } } } } }, manifest: { select: { images: { select: { imageDigest: true } } } } },
  });
  if (tag && servesHost(tag.repository.organization.registry?.url, reference.registry)) {
    return { status: "resolved", digest: tag.digest, equivalentDigests: tag.manifest.images.map((image) => image.imageDigest) };
  }
  if (!head) return { status: "unknown", reason: `${key} is not in a synced repository, and no registry lookup is configured.` };
  try {
    const answer = await head(reference);
    if (answer === null) {
      return { status: "unknown", reason: `${reference.registry} is not in BASE_IMAGE_REGISTRIES, so ${key} was not looked up. Add the host to BASE_IMAGE_REGISTRIES to check it.` };
    }
    return { status: "resolved", digest: answer.digest, equivalentDigests: [] };
  } catch (error) {
    return { status: "unknown", reason: `Looking up ${key} failed: ${publicMessage(error)}` };
  }
}

/**
 * Resolves the base tags of the given images whose cached resolution is
 * missing or older than the TTL, so grading reads them from the cache.
 */
export async function resolveBaseTagsOf(prisma: PrismaClient, digests: readonly string[], options: BaseTagOptions): Promise<void> {
  const images = await prisma.image.findMany({ where: { digest: { in: [...digests] }, baseImageReference: { not: null } }, select: { baseImageReference: true } });
  const keys = [...new Set(images.map((image) => baseTagKey(image.baseImageReference!)).filter((key) => key !== null))];
  await refreshStale(prisma, keys, options);
}

/** Resolves the stale keys and stores the results; returns the keys whose resolved digest is new or moved. */
async function refreshStale(prisma: PrismaClient, keys: readonly string[], options: BaseTagOptions): Promise<string[]> {
  const now = options.now ?? new Date();
  const cached = new Map((await prisma.baseTagResolution.findMany({ where: { reference: { in: [...keys] } } })).map((row) => [row.reference, row]));
  const moved: string[] = [];
  for (const key of keys) {
    const previous = cached.get(key);
    // An unresolved tag is tried again each time: its base repository may have been synced since.
    const fresh = previous?.status === "resolved" && now.getTime() - previous.resolvedAt.getTime() < options.ttlMinutes * 60_000;
    if (fresh) continue;
    const resolution = await resolveBaseTag(prisma, key, options.head);
    const data =
      resolution.status === "resolved"
        ? { status: "resolved", digest: resolution.digest, equivalentDigests: resolution.equivalentDigests, reason: null, resolvedAt: now }
        : // An unreachable registry keeps the last known digest, so a flaky lookup does not hide a move.
          { status: "unknown", reason: resolution.reason, resolvedAt: now };
    await prisma.baseTagResolution.upsert({ where: { reference: key }, update: data, create: { reference: key, digest: null, ...data } });
    // The fact changes when the digest moves, and when a tag that could not be resolved now can be.
    if (resolution.status === "resolved" && (previous?.status !== "resolved" || previous.digest !== resolution.digest)) moved.push(key);
  }
  return moved;
}

/**
 * Runs the scheduler's pass: resolves every base tag of the images of current
 * tags again once its resolution is older than the TTL, and re-grades the
 * images built on each tag that moved, with the cause "base image updated".
 * Returns how many images were re-graded.
 */
export async function refreshBaseTags(prisma: PrismaClient, options: BaseTagOptions): Promise<number> {
  const images = await prisma.image.findMany({
    where: { baseImageReference: { not: null }, manifests: { some: { manifest: { tags: { some: { deletedAt: null } } } } } },
    select: { digest: true, baseImageReference: true },
  });
  const imagesByKey = new Map<string, string[]>();
  for (const image of images) {
    const key = baseTagKey(image.baseImageReference!);
    if (key === null) continue;
    imagesByKey.set(key, [...(imagesByKey.get(key) ?? []), image.digest]);
  }

  const moved = await refreshStale(prisma, [...imagesByKey.keys()], options);
  let regraded = 0;
  for (const key of moved) {
    const digests = imagesByKey.get(key) ?? [];
    for (let start = 0; start < digests.length; start += IMAGES_PER_BATCH) {
      const batch = digests.slice(start, start + IMAGES_PER_BATCH);
      await gradeImages(prisma, batch, { cause: "base image updated", causeIds: () => [key], now: options.now });
      await refreshGradesOfImages(prisma, batch, { cause: "base image updated", causeIds: [key] });
    }
    regraded += digests.length;
  }
  if (moved.length > 0) logger.info({ moved, images: regraded }, "base image tags moved; re-graded the images built on them");
  return regraded;
}

/**
 * Creates a RegistryHead that requests only the hosts in `allowedHosts`, anonymously, or
 * the configured registry with its credentials. Docker Hub is reached at
 * registry-1.docker.io.
 */
export function registryHead(allowedHosts: readonly string[], configured?: { host: string; source: RegistrySource }): RegistryHead {
  const sources = new Map<string, RegistrySource>();
  return async (reference) => {
    let source: RegistrySource | undefined;
    if (configured && reference.registry === configured.host) source = configured.source;
    else if (allowedHosts.includes(reference.registry.toLowerCase())) {
      source = sources.get(reference.registry);
      if (!source) {
        const host = reference.registry === "docker.io" ? "registry-1.docker.io" : reference.registry;
        source = createRegistrySource({ kind: "distribution", url: `https://${host}` });
        sources.set(reference.registry, source);
      }
    }
    if (!source) return null;
    const manifest = await source.headManifest(reference.repository, reference.tag!);
    if (!manifest) throw new AppError("NOT_FOUND", `the tag ${reference.tag} does not exist in ${reference.registry}/${reference.repository}.`);
    return { digest: manifest.digest };
  };
}
