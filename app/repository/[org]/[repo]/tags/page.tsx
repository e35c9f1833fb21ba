import { requireViewer } from "@/lib/auth/get-viewer";
import Link from "next/link";
import type { Metadata } from "next";
import { repositoryPath } from "@/components/format";
import { RepositoryTabs } from "@/components/repositories/repository-tabs";
import { TagFilters, TagPagination, TagTable, tagListHref } from "@/components/tags/tag-table";
import { listTags, parseTagQuery } from "@/lib/data/list-tags";
import { orNotFound } from "@/lib/data/or-not-found";
import { repositoryParams, titleSegment } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string; repo: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org, repo } = await params;
  return { title: `${titleSegment(org)}/${titleSegment(repo)} tags` };
}

export default async function RepositoryTagsPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const viewer = await requireViewer();
  const { org, repo } = repositoryParams(await params);
  const { query, problems } = parseTagQuery(await searchParams);
  const { repository, tags, total, page, pageSize, pageCount } = await orNotFound(listTags(viewer, org, repo, query));
  const filtered = query.search !== undefined || (query.grades?.length ?? 0) > 0;
  const firstRow = (page - 1) * pageSize + 1;
  const pageQuery = { ...query, page };

  return (
    <div>
      <RepositoryTabs repositoryName={repository.name} active="tags" />
      {problems.length > 0 && (
        <ul className="mb-4 list-disc rounded border border-amber-200 bg-amber-50 p-3 pl-8 text-sm text-amber-900" data-testid="query-problems">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <TagFilters repositoryName={repository.name} query={query} />
      {total > 0 && (
        <p className="mb-2 text-sm text-slate-600" data-testid="tag-count">
          {filtered ? `${total} ${total === 1 ? "tag matches" : "tags match"} the filters` : `${total} ${total === 1 ? "tag" : "tags"}`}
          {pageCount > 1 ? `, showing ${firstRow}–${firstRow + tags.length - 1}` : ""}.
        </p>
      )}
      <form method="get" action={`${repositoryPath(repository.name)}/compare`} aria-label="Compare tags">
        <TagTable
          repositoryName={repository.name}
          tags={tags}
          query={pageQuery}
          selectable={total > 1}
          emptyMessage={
            filtered ? (
              <>
                No tags match these filters.{" "}
                <Link href={tagListHref(repository.name, { sort: query.sort, order: query.order })} className="text-blue-700 hover:underline">
                  Show all tags
                </Link>
              </>
            ) : (
              "This repository has no tags."
            )
          }
        />
        {total > 1 && (
          <div className="mt-3 flex flex-wrap items-center gap-3 text-sm">
            <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-white hover:bg-slate-700">
              Compare
            </button>
            <span className="text-slate-600">Tick two tags to compare their grades, packages and vulnerabilities.</span>
          </div>
        )}
      </form>
      <TagPagination repositoryName={repository.name} query={query} page={page} pageCount={pageCount} />
    </div>
  );
}
