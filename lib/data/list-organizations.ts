import { getPrisma } from "@/lib/db";

/** Organizations with their repository counts, for the home page. */
export async function listOrganizations() {
  const organizations = await getPrisma().organization.findMany({
    orderBy: { name: "asc" },
    select: { name: true, _count: { select: { repositories: { where: { deletedAt: null } } } } },
  });
  return organizations.map((organization) => ({ name: organization.name, repositoryCount: organization._count.repositories }));
}
