import Link from "next/link";
import { repositoriesHref } from "@/components/repositories/repositories-href";
import type { RepositoryQuery } from "@/lib/data/list-repositories";

/** Pages linked on each side of the current one, besides the first and the last page. */
const NEIGHBOURS = 2;

interface RepositoryPaginationProps {
  organization: string;
  query: RepositoryQuery;
  page: number;
  pageCount: number;
}

/** Renders links to the previous and next page, the first and last page, and the pages around the current one. */
export function RepositoryPagination({ organization, query, page, pageCount }: RepositoryPaginationProps) {
  if (pageCount <= 1) return null;
  const href = (target: number) => repositoriesHref(organization, { ...query, page: target });
  const linkClass = "rounded px-2 py-1 text-blue-700 hover:bg-slate-100 hover:underline";

  return (
    <nav aria-label="Pages of the repository list" className="mt-3">
      <ul className="flex flex-wrap items-center gap-1 text-sm">
        <li>
          {page > 1 ? (
            <Link href={href(page - 1)} prefetch={false} rel="prev" className={linkClass}>
              Previous page
            </Link>
          ) : (
            <span className="px-2 py-1 text-slate-500">Previous page</span>
          )}
        </li>
        {pageWindow(page, pageCount).map((entry, index) =>
          entry === "gap" ? (
            <li key={`gap-${index}`} aria-hidden="true" className="px-1 text-slate-500">
              …
            </li>
          ) : (
            <li key={entry}>
              {entry === page ? (
                <span aria-current="page" className="rounded bg-slate-900 px-2 py-1 font-semibold text-white">
                  <span className="sr-only">Page </span>
                  {entry}
                </span>
              ) : (
                <Link href={href(entry)} prefetch={false} className={linkClass}>
                  <span className="sr-only">Page </span>
                  {entry}
                </Link>
              )}
            </li>
          ),
        )}
        <li>
          {page < pageCount ? (
            <Link href={href(page + 1)} prefetch={false} rel="next" className={linkClass}>
              Next page
            </Link>
          ) : (
            <span className="px-2 py-1 text-slate-500">Next page</span>
          )}
        </li>
      </ul>
    </nav>
  );
}

/** Returns the page numbers to show, ascending, with "gap" where two or more pages are left out. */
export function pageWindow(page: number, pageCount: number): (number | "gap")[] {
  const pages = new Set([1, pageCount]);
  for (let offset = -NEIGHBOURS; offset <= NEIGHBOURS; offset++) {
    const candidate = page + offset;
    if (candidate >= 1 && candidate <= pageCount) pages.add(candidate);
  }
  const sorted = [...pages].sort((a, b) => a - b);
  const entries: (number | "gap")[] = [];
  for (const [index, value] of sorted.entries()) {
    const previous = sorted[index - 1];
    // A gap of one page shows that page, since "…" would take the same room.
    if (previous !== undefined && value - previous === 2) entries.push(previous + 1);
    if (previous !== undefined && value - previous > 2) entries.push("gap");
    entries.push(value);
  }
  return entries;
}
