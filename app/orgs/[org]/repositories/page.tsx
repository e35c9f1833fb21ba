import { requireViewer } from "@/lib/auth/get-viewer";
import Link from "next/link";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { repositoriesHref, repositoriesSearch } from "@/components/repositories/repositories-href";
import { RepositoryFilters } from "@/components/repositories/repository-filters";
import { RepositoryPagination } from "@/components/repositories/repository-pagination";
import { RepositoryTable } from "@/components/repositories/repository-table";
import { SyncStatus } from "@/components/repositories/sync-status";
import { listRepositories, parseRepositoryQuery } from "@/lib/data/list-repositories";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org } = await params;
  return { title: `${org} repositories` };
}

export default async function RepositoriesPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const search = await searchParams;
  const { query, problems } = parseRepositoryQuery(search);

  // A submitted filter form sends every field, empty ones and the default sort included, in its own order.
  // The short canonical URL replaces such a URL, so shared links stay readable. A URL with problems stays
  // as it is, so the page can report them.
  // The redirect depends on the URL alone, so it reveals nothing about the organization.
  if (problems.length === 0 && repositoriesSearch(query) !== requestSearch(search)) redirect(repositoriesHref(org, query));

  const list = await orNotFound(listRepositories(viewer, org, query));
  const { organization, isOwner } = list;
  if (query.page !== undefined && query.page > list.page) {
    problems.push(`Page ${query.page} is past the last page: showing page ${list.page} of ${list.pageCount}.`);
  }
  const filtered = query.search !== undefined || (query.grades ?? []).length > 0 || query.failing !== undefined;

  return (
    <div>
      <div className="flex items-center gap-4">
        <h1 className="text-2xl font-semibold">{organization}</h1>
        <Link href={`/orgs/${organization}`} className="text-sm text-blue-700 underline hover:no-underline">
          Overview
        </Link>
        {isOwner && (
          <Link href={`/orgs/${organization}/settings/members`} className="text-sm text-blue-700 hover:underline">
            Settings
          </Link>
        )}
      </div>
      {isOwner && <SyncStatus run={list.lastSync} />}
      <h2 className="mt-6 mb-3 text-lg font-semibold">Repositories</h2>
      {problems.length > 0 && (
        <div role="alert" className="mb-4 rounded border border-amber-200 bg-amber-50 p-2 text-sm text-amber-950" data-testid="repository-query-problems">
          <ul className="list-disc pl-5">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
      {list.total === 0 && !filtered ? (
        <p className="text-slate-600">
          {isOwner
            ? `No repositories of ${organization} have been synced yet.`
            : `You cannot read any repository of ${organization} yet. Ask an owner to add you to a team with access.`}
        </p>
      ) : (
        <>
          <RepositoryFilters organization={organization} query={query} gradeCounts={list.gradeCounts} />
          {list.total === 0 ? (
            <p className="text-slate-600" data-testid="repositories-empty">
              No repositories match these filters.{" "}
              <a href={repositoriesHref(organization, {})} className="text-blue-700 hover:underline">
                Show all repositories
              </a>
            </p>
          ) : (
            <>
              <RepositoryTable list={list} />
              <RepositoryPagination organization={organization} query={query} page={list.page} pageCount={list.pageCount} />
            </>
          )}
        </>
      )}
    </div>
  );
}

/** Serialises the request's search parameters in their own order, for comparison with the canonical form. */
function requestSearch(search: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(search)) {
    if (value === undefined) continue;
    const entries = Array.isArray(value) ? value : [value];
    for (const entry of entries) params.append(name, entry);
  }
  return params.toString();
}
