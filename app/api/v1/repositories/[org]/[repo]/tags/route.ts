import { apiRoute } from "@/lib/api/api-route";
import { listOf, oneOf, pageNumber, readPathParams, readQueryParams, text } from "@/lib/api/request-params";
import { gradeFilters, listTags, MAX_TAG_SEARCH_LENGTH, tagSorts } from "@/lib/data/list-tags";

export const dynamic = "force-dynamic";

/** Lists one page of a repository's tags with grade, digest, platforms, push time and analysis state, as the tag list page does. */
export const GET = apiRoute<{ org: string; repo: string }>("list tags", async ({ viewer, request, params }) => {
  const { org, repo } = readPathParams(params);
  const filters = readQueryParams(request.nextUrl.searchParams, {
    q: text(MAX_TAG_SEARCH_LENGTH),
    grade: listOf(gradeFilters),
    sort: oneOf(tagSorts),
    order: oneOf(["asc", "desc"]),
    page: pageNumber,
  });

  const list = await listTags(viewer, org, repo, { search: filters.q, grades: filters.grade, sort: filters.sort, order: filters.order, page: filters.page });
  return {
    repository: list.repository.name,
    tags: list.tags.map((tag) => ({
      name: tag.name,
      digest: tag.digest,
      grade: tag.grade,
      percent: tag.percent,
      lastPushedAt: tag.lastPushedAt,
      platforms: tag.platforms,
      analysis: tag.analysis,
      syncError: tag.syncError,
    })),
    total: list.total,
    page: list.page,
    pageSize: list.pageSize,
    pageCount: list.pageCount,
  };
});
