import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * Finds a live repository by organization and short name (`api` in `acme/api`).
 * Throws NOT_FOUND when it does not exist or was deleted.
 */
export async function findRepository(organizationName: string, repositoryName: string) {
  const repository = await getPrisma().repository.findFirst({
    where: { name: `${organizationName}/${repositoryName}`, deletedAt: null, organization: { name: organizationName } },
  });
  if (!repository) throw new AppError("NOT_FOUND", `Repository ${organizationName}/${repositoryName} was not found.`);
  return repository;
}
