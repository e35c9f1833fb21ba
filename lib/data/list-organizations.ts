import type { Viewer } from "@/lib/auth/get-viewer";
import { memberOrganizationWhere, readableRepositoryWhere } from "@/lib/auth/permissions";
import { getPrisma } from "@/lib/db";

/** Lists the organizations the viewer belongs to, with the number of repositories they can read in each. */
export async function listOrganizations(viewer: Viewer) {
  const organizations = await getPrisma().organization.findMany({
    where: memberOrganizationWhere(viewer),
    orderBy: { name: "asc" },
    select: { name: true, _count: { select: { repositories: { where: { deletedAt: null, ...readableRepositoryWhere(viewer) } } } } },
  });
  return organizations.map((organization) => ({ name: organization.name, repositoryCount: organization._count.repositories }));
}
