import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { findRepository } from "@/lib/data/find-repository";
import { getTag } from "@/lib/data/get-tag";
import { listTags } from "@/lib/data/list-tags";

/** Loads the General tab: the latest pushed tag with its grade breakdown, and the recent tags. */
export async function getRepositoryOverview(viewer: Viewer, organizationName: string, repositoryName: string) {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const latestTag = repository.latestTagId
    ? await getPrisma().tag.findUnique({ where: { id: repository.latestTagId }, select: { name: true } })
    : null;
  const [latest, recent] = await Promise.all([
    latestTag ? getTag(viewer, organizationName, repositoryName, latestTag.name) : Promise.resolve(null),
    listTags(viewer, organizationName, repositoryName, { limit: 5 }),
  ]);
  return { repository, latest, recentTags: recent.tags };
}
