import type { Viewer } from "@/lib/auth/get-viewer";
import { readableRepositoryWhere } from "@/lib/auth/permissions";
import { getPrisma } from "@/lib/db";
import { hasControlCharacter } from "@/lib/data/settings/form-text";
import { AppError } from "@/lib/errors";

/**
 * Finds a live repository the viewer can read, by organization and short name
 * (`api` in `acme/api`). Throws NOT_FOUND when it does not exist, was deleted,
 * or the viewer may not read it, with the same message in each case.
 */
export async function findRepository(viewer: Viewer, organizationName: string, repositoryName: string) {
  // No repository name has a control character, and Postgres cannot compare text with NUL.
  if (hasControlCharacter(organizationName) || hasControlCharacter(repositoryName)) {
    throw new AppError("NOT_FOUND", `Repository ${JSON.stringify(`${organizationName}/${repositoryName}`)} was not found.`);
  }
  const repository = await getPrisma().repository.findFirst({
    where: { name: `${organizationName}/${repositoryName}`, deletedAt: null, organization: { name: organizationName }, AND: [readableRepositoryWhere(viewer)] },
  });
  if (!repository) throw new AppError("NOT_FOUND", `Repository ${organizationName}/${repositoryName} was not found.`);
  return repository;
}
