import type { Viewer } from "@/lib/auth/get-viewer";
import { getTag } from "@/lib/data/get-tag";
import { AppError } from "@/lib/errors";

/**
 * Returns the platform image an endpoint reports on: the requested digest, or
 * without one the platform whose grade is the tag's (its worst). Throws
 * NOT_FOUND like getTag, and CONFLICT for a tag without platform images.
 */
export async function tagPlatform(viewer: Viewer, organizationName: string, repositoryName: string, tagName: string, requested: string | undefined): Promise<string> {
  if (requested !== undefined) return requested;
  const { worstPlatformDigest } = await getTag(viewer, organizationName, repositoryName, tagName);
  if (worstPlatformDigest === null) throw new AppError("CONFLICT", `Tag ${organizationName}/${repositoryName}:${tagName} has no platform images yet. Try again after the next sync.`);
  return worstPlatformDigest;
}
