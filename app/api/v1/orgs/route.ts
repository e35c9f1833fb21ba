import { apiRoute } from "@/lib/api/api-route";
import { readQueryParams } from "@/lib/api/request-params";
import { listOrganizations } from "@/lib/data/list-organizations";

export const dynamic = "force-dynamic";

/** Lists the organizations the token's user belongs to, with the number of repositories they can read in each. */
export const GET = apiRoute<Record<string, never>>("list organizations", async ({ viewer, request }) => {
  readQueryParams(request.nextUrl.searchParams, {});
  const organizations = await listOrganizations(viewer);
  return { organizations: organizations.map(({ name, repositoryCount }) => ({ name, repositoryCount })) };
});
