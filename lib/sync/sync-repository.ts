import type { PrismaClient } from "@/lib/db";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import type { RegistrySource } from "@/lib/registry/registry-source";
import { analyzeAndGrade, type AnalyzeLater } from "@/lib/grading/analyze-and-grade";
import { refreshRepositoryGrade, refreshTagGrades } from "@/lib/grading/refresh-grades";
import { analyzerVersion } from "@/lib/analysis/analyze-image";
import type { BaseImage } from "@/lib/analysis/base-image";
import { findBaseImage } from "@/lib/sync/find-base-image";
import { readManifestTree } from "@/lib/sync/read-manifest-tree";
import { storeManifestTree } from "@/lib/sync/store-manifest-tree";

export interface SyncFailure {
  repository: string;
  reference: string | null;
  digest: string | null;
  message: string;
}

/** Queues grading of new images instead of grading them during the sync. */

const ARTIFACT_TAG = /^sha(?:256|512)-[0-9a-f]{64,128}(?:\.[a-z]+)?$/;

export interface RepositorySyncResult {
  tagsSeen: number;
  tagsChanged: number;
  tagsUnchanged: number;
  tagsDeleted: number;
  imagesFetched: number;
  failures: SyncFailure[];
}

/**
 * Syncs one repository: HEADs each tag, and only for a tag whose digest moved
 * reads the manifest tree, stores it, and analyses and grades its new images
 * (or queues that). Tags the
 * registry no longer lists are marked deleted, their history kept. A tag that
 * fails keeps its earlier digest and grade and records the error.
 */
export async function syncRepository(
  prisma: PrismaClient,
  source: RegistrySource,
  organizationId: string,
  name: string,
  options: { analyzeLater?: AnalyzeLater } = {},
): Promise<RepositorySyncResult> {
  const result: RepositorySyncResult = { tagsSeen: 0, tagsChanged: 0, tagsUnchanged: 0, tagsDeleted: 0, imagesFetched: 0, failures: [] };
  const repository = await prisma.repository.upsert({
    where: { organizationId_name: { organizationId, name } },
    update: { deletedAt: null },
    create: { organizationId, name },
  });

  let tagNames: string[];
  try {
    // Tags of the OCI referrers tag schema (`sha256-<hex>`) and cosign's (`sha256-<hex>.sig`, `.att`) index artifacts
    // attached to other manifests. They are read with their subject, so they are not synced as tags.
    tagNames = (await source.listTags(name)).filter((tag) => !ARTIFACT_TAG.test(tag));
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") {
      // The registry no longer has the repository: it leaves the lists, and its tags, grades and history stay stored.
      const deletedAt = new Date();
      await prisma.tag.updateMany({ where: { repositoryId: repository.id, deletedAt: null }, data: { deletedAt } });
      await prisma.repository.update({ where: { id: repository.id }, data: { deletedAt, lastSyncError: null } });
      logger.info({ repository: name }, "repository not found in the registry; marked deleted");
      return result;
    }
    const message = `Listing the tags of ${name} failed: ${publicMessage(error)}`;
    await prisma.repository.update({ where: { id: repository.id }, data: { lastSyncError: message } });
    result.failures.push({ repository: name, reference: null, digest: null, message });
    logger.warn({ repository: name, err: error }, "listing tags failed");
    return result;
  }

  const existing = await prisma.tag.findMany({ where: { repositoryId: repository.id } });
  const existingByName = new Map(existing.map((tag) => [tag.name, tag]));
  const touchedTagIds: string[] = [];

  for (const tagName of tagNames) {
    result.tagsSeen += 1;
    const previous = existingByName.get(tagName);
    let digest: string | null = null;
    try {
      const head = await source.headManifest(name, tagName);
      if (!head) throw new AppError("NOT_FOUND", `Tag ${name}:${tagName} is listed by the registry but its manifest was not found.`);
      digest = head.digest;
      const currentDigest = head.digest;

      if (previous && previous.digest === currentDigest && !previous.deletedAt && !previous.syncError) {
        result.tagsUnchanged += 1;
        continue;
      }

      const storedManifest = await prisma.manifest.findUnique({ where: { digest: currentDigest }, select: { digest: true } });
      if (!storedManifest) {
        const tree = await readManifestTree(source, name, currentDigest, (imageDigest) => storedImagePlatform(prisma, imageDigest));
        result.imagesFetched += tree.images.length;
        const baseImages = new Map<string, BaseImage>();
        for (const image of tree.images) baseImages.set(image.digest, await findBaseImage(prisma, image, name));
        try {
          await prisma.$transaction(async (tx) => storeManifestTree(tx, tree, baseImages));
        } catch (error) {
          // Two repositories with the same image store it at once, and Prisma's upsert is a read then a write.
          // The retry's upserts find the rows the other transaction committed.
          if ((error as { code?: unknown }).code !== "P2002") throw error;
          await prisma.$transaction(async (tx) => storeManifestTree(tx, tree, baseImages));
        }
      }

      const pushedAt = source.tagLastPushed?.(name, tagName) ?? (await firstSeenTime(prisma, currentDigest, previous === undefined));
      const tag = await prisma.tag.upsert({
        where: { repositoryId_name: { repositoryId: repository.id, name: tagName } },
        update: { digest: currentDigest, lastPushedAt: previous && previous.digest === currentDigest ? previous.lastPushedAt : pushedAt, deletedAt: null, syncError: null, syncErrorDigest: null, syncErrorAt: null },
        create: { repositoryId: repository.id, name: tagName, digest: currentDigest, lastPushedAt: pushedAt },
      });
      if (previous?.digest !== currentDigest) await prisma.tagDigest.create({ data: { tagId: tag.id, digest: currentDigest } });
      touchedTagIds.push(tag.id);
      result.tagsChanged += 1;
    } catch (error) {
      const message = `Syncing ${name}:${tagName}${digest ? ` (${digest})` : ""} failed: ${publicMessage(error)}`;
      result.failures.push({ repository: name, reference: tagName, digest, message });
      logger.warn({ repository: name, tag: tagName, digest, err: error }, "tag sync failed");
      if (previous) {
        await prisma.tag.update({ where: { id: previous.id }, data: { syncError: message, syncErrorDigest: digest, syncErrorAt: new Date() } });
      }
    }
  }

  const listed = new Set(tagNames);
  const unlisted = existing.filter((tag) => !listed.has(tag.name) && tag.deletedAt === null);
  if (unlisted.length > 0) {
    await prisma.tag.updateMany({ where: { id: { in: unlisted.map((tag) => tag.id) } }, data: { deletedAt: new Date() } });
    result.tagsDeleted = unlisted.length;
  }

  const awaiting = await imagesAwaitingAnalysis(prisma, repository.id);
  if (awaiting.length > 0) {
    if (options.analyzeLater) await options.analyzeLater(name, awaiting);
    else await analyzeAndGrade(prisma, source, name, awaiting);
  }
  await refreshTagGrades(prisma, touchedTagIds);
  await refreshRepositoryGrade(prisma, repository.id);
  await prisma.repository.update({
    where: { id: repository.id },
    data: { lastSyncError: result.failures.length > 0 ? result.failures.map((failure) => failure.message).join("\n") : null },
  });
  return result;
}

/**
 * Images of the repository's current tags without a complete analysis: new
 * ones, ones stored before analysis existed, and ones whose analysis failed,
 * which are tried again on each sync.
 */
async function imagesAwaitingAnalysis(prisma: PrismaClient, repositoryId: string): Promise<string[]> {
  const rows = await prisma.manifestImage.findMany({
    where: {
      manifest: { tags: { some: { repositoryId, deletedAt: null } } },
      // An analysis by older catalogers is redone; the layer cache re-reads only the layers those catalogers need.
      image: { OR: [{ analysis: null }, { analysis: { status: { not: "ANALYSED" } } }, { analysis: { analyzerVersion: { not: analyzerVersion() } } }] },
    },
    select: { imageDigest: true },
    distinct: ["imageDigest"],
  });
  return rows.map((row) => row.imageDigest).sort();
}

async function storedImagePlatform(prisma: PrismaClient, digest: string): Promise<string | null> {
  const image = await prisma.image.findUnique({ where: { digest }, select: { platform: true } });
  return image?.platform ?? null;
}

/**
 * Returns the push time to record, because the registry API has none. A new
 * tag takes its image's build time (config `created`) when that is in the past,
 * so the first sync orders tags as they were built. A tag that moves takes now.
 */
async function firstSeenTime(prisma: PrismaClient, digest: string, isNewTag: boolean): Promise<Date> {
  const now = new Date();
  if (!isNewTag) return now;
  const images = await prisma.manifestImage.findMany({ where: { manifestDigest: digest }, select: { image: { select: { created: true } } } });
  const created = images.map((entry) => entry.image.created?.getTime() ?? 0).filter((time) => time > 0 && time <= now.getTime());
  return created.length > 0 ? new Date(Math.max(...created)) : now;
}
