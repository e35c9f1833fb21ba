import Link from "next/link";
import type { ReactNode } from "react";
import { CopyButton } from "@/components/copy-button";
import { GradeBadge } from "@/components/grades/grade-badge";
import { formatDate, formatPercent, repositoryPath, shortDigest } from "@/components/format";
import {
  defaultOrder,
  gradeFilters,
  MAX_TAG_SEARCH_LENGTH,
  UNGRADED,
  type TagAnalysisState,
  type TagListRow,
  type TagQuery,
  type SortOrder,
  type TagSort,
} from "@/lib/data/list-tags";

export type TagRow = TagListRow;

/** Builds the Tags tab URL that shows `query`, leaving out defaults so shared links stay short. */
export function tagListHref(repositoryName: string, query: TagQuery): string {
  const params = new URLSearchParams();
  if (query.search !== undefined) params.set("q", query.search);
  for (const grade of query.grades ?? []) params.append("grade", grade);
  const sort = query.sort ?? "pushed";
  if (sort !== "pushed") params.set("sort", sort);
  if (query.order !== undefined && query.order !== defaultOrder[sort]) params.set("order", query.order);
  if (query.page !== undefined && query.page > 1) params.set("page", String(query.page));
  const search = params.toString();
  return `${repositoryPath(repositoryName)}/tags${search === "" ? "" : `?${search}`}`;
}

interface TagTableProps {
  repositoryName: string;
  tags: TagRow[];
  /** With a query, the Grade, Tag and Pushed headers link to the list sorted by them. */
  query?: TagQuery;
  /** Adds a checkbox per row named `tag`, for a surrounding compare form. */
  selectable?: boolean;
  /** Shown instead of the table when there are no rows. */
  emptyMessage?: ReactNode;
}

const sortLabels: Record<TagSort, string> = { grade: "Grade", name: "Tag", pushed: "Pushed" };
const orderWords: Record<TagSort, { asc: string; desc: string }> = {
  grade: { asc: "best first", desc: "worst first" },
  name: { asc: "A to Z", desc: "Z to A" },
  pushed: { asc: "oldest first", desc: "newest first" },
};

/** Tags with grade, platforms, digest with a copy button, push and analysis times; each name links to the tag view. */
export function TagTable({ repositoryName, tags, query, selectable = false, emptyMessage }: TagTableProps) {
  if (tags.length === 0) return <p className="text-slate-600">{emptyMessage ?? "This repository has no tags."}</p>;

  return (
    <div className="overflow-x-auto">
      <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
        <caption className="sr-only">
          Tags of {repositoryName}
          {query ? `, sorted by ${sortLabels[query.sort ?? "pushed"].toLowerCase()}, ${orderWords[query.sort ?? "pushed"][query.order ?? defaultOrder[query.sort ?? "pushed"]]}` : ""}
        </caption>
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            {selectable && (
              <th scope="col" className="px-3 py-2">
                <span className="sr-only">Select to compare</span>
              </th>
            )}
            <SortableHeader repositoryName={repositoryName} sort="grade" query={query} />
            <SortableHeader repositoryName={repositoryName} sort="name" query={query} />
            <th scope="col" className="px-3 py-2">
              Platforms
            </th>
            <th scope="col" className="px-3 py-2">
              Digest
            </th>
            <SortableHeader repositoryName={repositoryName} sort="pushed" query={query} />
            <th scope="col" className="px-3 py-2">
              Analysed
            </th>
          </tr>
        </thead>
        <tbody>
          {tags.map((tag) => (
            <tr key={tag.name} className="border-t border-slate-100 align-top" data-tag={tag.name}>
              {selectable && (
                <td className="px-3 py-2">
                  <input type="checkbox" name="tag" value={tag.name} aria-label={`Select ${tag.name} to compare`} className="h-4 w-4" />
                </td>
              )}
              <td className="px-3 py-2">
                <span className="flex items-center gap-2">
                  <GradeBadge grade={tag.grade} />
                  <span className="whitespace-nowrap text-slate-600">{formatPercent(tag.percent)}</span>
                </span>
              </td>
              <td className="px-3 py-2">
                <Link className="font-medium break-all text-blue-700 hover:underline" href={`${repositoryPath(repositoryName)}/tags/${encodeURIComponent(tag.name)}`}>
                  {tag.name}
                </Link>
                {tag.syncError && <span className="ml-2 rounded bg-red-100 px-1.5 text-xs text-red-800">sync error</span>}
              </td>
              <td className="px-3 py-2">
                <ul>
                  {tag.platforms.map((platform) => (
                    <li key={platform} className="whitespace-nowrap">
                      {platform}
                    </li>
                  ))}
                </ul>
              </td>
              <td className="px-3 py-2">
                <span className="flex items-center gap-2">
                  <span className="font-mono whitespace-nowrap" title={tag.digest}>
                    {shortDigest(tag.digest)}
                  </span>
                  <CopyButton text={tag.digest} label={`digest of ${tag.name}`} />
                </span>
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{formatDate(tag.lastPushedAt)}</td>
              <td className="px-3 py-2 whitespace-nowrap">
                <AnalysisCell state={tag.analysis} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Renders a column header that links to the list sorted by it, or in the opposite order when it is the current sort. */
function SortableHeader({ repositoryName, sort, query }: { repositoryName: string; sort: TagSort; query: TagQuery | undefined }) {
  const label = sortLabels[sort];
  if (query === undefined) {
    return (
      <th scope="col" className="px-3 py-2">
        {label}
      </th>
    );
  }

  const currentSort = query.sort ?? "pushed";
  const currentOrder = query.order ?? defaultOrder[currentSort];
  const active = currentSort === sort;
  const reversed: SortOrder = currentOrder === "asc" ? "desc" : "asc";
  const nextOrder = active ? reversed : defaultOrder[sort];
  // aria-sort describes the values: grade letters ascend from A, so "best first" is ascending.
  let ariaSort: "ascending" | "descending" | undefined;
  if (active) ariaSort = currentOrder === "asc" ? "ascending" : "descending";
  const href = tagListHref(repositoryName, { ...query, sort, order: nextOrder, page: undefined });

  return (
    <th scope="col" className="px-3 py-2" aria-sort={ariaSort}>
      {/* The name starts with the visible label, so speech input that says "Tag" still finds the link. */}
      <Link href={href} className="whitespace-nowrap hover:text-slate-900 hover:underline" data-sort={sort} aria-label={`${label}, sort ${orderWords[sort][nextOrder]}`}>
        {label}
        {active ? (
          <span aria-hidden="true" className="ml-1">
            {currentOrder === "asc" ? "▲" : "▼"}
          </span>
        ) : (
          <span aria-hidden="true" className="ml-1 text-slate-400">
            ↕
          </span>
        )}
      </Link>
    </th>
  );
}

function AnalysisCell({ state }: { state: TagAnalysisState }) {
  if (state.status === "analysed") {
    return <span data-analysis="analysed">{state.analysedAt ? formatDate(state.analysedAt) : "analysed"}</span>;
  }
  if (state.status === "analysing") {
    return (
      <span className="text-slate-600 italic" data-analysis="analysing">
        analysing
      </span>
    );
  }
  return (
    <span className="text-red-800" data-analysis="not-analysed" title={state.reason ?? undefined}>
      not analysed
      {state.reason && <span className="sr-only">: {state.reason}</span>}
    </span>
  );
}

/**
 * Renders the tag filters as a GET form, so every filtered view is a URL that
 * can be shared. The current sort is kept and submitting starts again at page 1.
 */
export function TagFilters({ repositoryName, query }: { repositoryName: string; query: TagQuery }) {
  const selected = new Set(query.grades ?? []);
  const sort = query.sort ?? "pushed";
  return (
    <form
      // A new key per query remounts the fields, so their default values follow client-side navigation such as "Clear".
      key={tagListHref(repositoryName, query)}
      method="get"
      action={`${repositoryPath(repositoryName)}/tags`}
      className="mb-4 flex flex-wrap items-end gap-x-6 gap-y-3 text-sm"
      aria-label="Filter tags"
    >
      {sort !== "pushed" && <input type="hidden" name="sort" value={sort} />}
      {query.order !== undefined && query.order !== defaultOrder[sort] && <input type="hidden" name="order" value={query.order} />}
      <div>
        <label htmlFor="tag-search" className="text-slate-600">
          Tag name contains
        </label>
        <input
          id="tag-search"
          name="q"
          type="search"
          defaultValue={query.search ?? ""}
          maxLength={MAX_TAG_SEARCH_LENGTH}
          className="mt-1 block w-56 rounded border border-slate-300 bg-white px-2 py-1"
        />
      </div>
      <fieldset>
        <legend className="text-slate-600">Grade</legend>
        <div className="mt-1 flex flex-wrap gap-3">
          {gradeFilters.map((grade) => (
            <label key={grade} className="inline-flex items-center gap-1">
              <input type="checkbox" name="grade" value={grade} defaultChecked={selected.has(grade)} className="h-4 w-4" />
              {grade === UNGRADED ? "Not graded" : grade}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex items-end gap-3">
        <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-white hover:bg-slate-700">
          Filter
        </button>
        <Link href={tagListHref(repositoryName, { sort: query.sort, order: query.order })} className="py-1 text-blue-700 hover:underline">
          Clear
        </Link>
      </div>
    </form>
  );
}

/** Links to the previous and next pages of the tag list. */
export function TagPagination({ repositoryName, query, page, pageCount }: { repositoryName: string; query: TagQuery; page: number; pageCount: number }) {
  if (pageCount <= 1) return null;
  return (
    <nav aria-label="Pages of the tag list" className="mt-3 flex items-center gap-4 text-sm">
      {page > 1 ? (
        <Link href={tagListHref(repositoryName, { ...query, page: page - 1 })} rel="prev" className="text-blue-700 hover:underline">
          Previous page
        </Link>
      ) : (
        <span className="text-slate-500">Previous page</span>
      )}
      <span>
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <Link href={tagListHref(repositoryName, { ...query, page: page + 1 })} rel="next" className="text-blue-700 hover:underline">
          Next page
        </Link>
      ) : (
        <span className="text-slate-500">Next page</span>
      )}
    </nav>
  );
}

/** Renders a short list of tags with their grades, for the best and worst tags on the General tab. */
export function TagGradeList({ repositoryName, tags, label }: { repositoryName: string; tags: { name: string; grade: string; percent: number | null }[]; label: string }) {
  return (
    <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm" aria-label={label}>
      {tags.map((tag) => (
        <li key={tag.name} className="flex items-center gap-3 px-3 py-2" data-tag={tag.name}>
          <GradeBadge grade={tag.grade} />
          <Link className="min-w-0 font-medium break-all text-blue-700 hover:underline" href={`${repositoryPath(repositoryName)}/tags/${encodeURIComponent(tag.name)}`}>
            {tag.name}
          </Link>
          <span className="ml-auto whitespace-nowrap text-slate-600">{formatPercent(tag.percent)}</span>
        </li>
      ))}
    </ol>
  );
}
