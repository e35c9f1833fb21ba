import type { RepositoryQuery } from "@/lib/data/list-repositories";

/**
 * Builds the canonical URL of the organization's repository list showing
 * `query`, with the search parameters that parseRepositoryQuery reads in a fixed
 * order. Defaults are left out: no sort for "name", no page for page 1.
 */
export function repositoriesHref(organization: string, query: RepositoryQuery): string {
  const search = repositoriesSearch(query);
  return `/orgs/${organization}/repositories${search === "" ? "" : `?${search}`}`;
}

/** Returns the canonical query string of `query`, without the leading "?". */
export function repositoriesSearch(query: RepositoryQuery): string {
  const params = new URLSearchParams();
  if (query.search !== undefined) params.set("q", query.search);
  for (const grade of query.grades ?? []) params.append("grade", grade);
  if (query.failing !== undefined) params.set("failing", query.failing);
  if (query.sort !== undefined && query.sort !== "name") params.set("sort", query.sort);
  if (query.page !== undefined && query.page > 1) params.set("page", String(query.page));
  return params.toString();
}
