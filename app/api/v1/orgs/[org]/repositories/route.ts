import { apiRoute } from "@/lib/api/api-route";
import { listOf, oneOf, pageNumber, readPathParams, readQueryParams, text } from "@/lib/api/request-params";
import { gradeFilters, listRepositories, MAX_REPOSITORY_SEARCH_LENGTH, repositorySorts } from "@/lib/data/list-repositories";
import { policyIds } from "@/scoring";

export const dynamic = "force-dynamic";

/**
 * Lists one page of the organization's repositories that the token's user can
 * read, with the grade of each one's most recently pushed tag, filtered and
 * sorted as on the repository list page.
 */
export const GET = apiRoute<{ org: string }>("list repositories", async ({ viewer, request, params }) => {
  const { org } = readPathParams(params);
  const filters = readQueryParams(request.nextUrl.searchParams, {
    q: text(MAX_REPOSITORY_SEARCH_LENGTH),
    grade: listOf(gradeFilters),
    failing: oneOf(policyIds),
    sort: oneOf(repositorySorts),
    page: pageNumber,
  });

  const list = await listRepositories(viewer, org, { search: filters.q, grades: filters.grade, failing: filters.failing, sort: filters.sort, page: filters.page });
  return {
    organization: list.organization,
    repositories: list.repositories.map((repository) => ({
      name: repository.name,
      grade: repository.grade,
      percent: repository.percent,
      lastPushedAt: repository.lastPushedAt,
      tagCount: repository.tagCount,
      lastSyncError: repository.lastSyncError,
    })),
    total: list.total,
    page: list.page,
    pageSize: list.pageSize,
    pageCount: list.pageCount,
  };
});
