import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { findRepository } from "@/lib/data/find-repository";

/** Lists the repository's tags, most recently pushed first, with grade, digest and platforms. */
export async function listTags(viewer: Viewer, organizationName: string, repositoryName: string, options: { limit?: number } = {}) {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const tags = await getPrisma().tag.findMany({
    where: { repositoryId: repository.id, deletedAt: null },
    orderBy: [{ lastPushedAt: "desc" }, { name: "asc" }],
    take: options.limit,
    select: {
      name: true,
      digest: true,
      grade: true,
      percent: true,
      lastPushedAt: true,
      syncError: true,
      manifest: { select: { isIndex: true, images: { select: { platform: true }, orderBy: { platform: "asc" } } } },
    },
  });
  return {
    repository,
    tags: tags.map((tag) => ({
      name: tag.name,
      digest: tag.digest,
      grade: tag.grade,
      percent: tag.percent,
      lastPushedAt: tag.lastPushedAt,
      syncError: tag.syncError,
      platforms: tag.manifest.images.map((image) => image.platform),
    })),
  };
}
