import { GradeBadge } from "@/components/grades/grade-badge";
import { repositoriesHref } from "@/components/repositories/repositories-href";
import { gradeFilters, MAX_REPOSITORY_SEARCH_LENGTH, type GradeFilter, type RepositoryQuery, type RepositorySort } from "@/lib/data/list-repositories";
import { policies, policyIds } from "@/scoring";

const sortLabels: Record<RepositorySort, string> = {
  name: "Name",
  grade: "Grade, A first",
  "grade-desc": "Grade, F first",
  pushed: "Last pushed, newest first",
};

interface RepositoryFiltersProps {
  organization: string;
  query: RepositoryQuery;
  /** Repositories per grade under the other filters, shown next to each grade. */
  gradeCounts: Record<GradeFilter, number>;
}

/**
 * Renders the list filters as a GET form, so every filtered view is a URL that
 * can be shared. Submitting starts again at page 1.
 */
export function RepositoryFilters({ organization, query, gradeCounts }: RepositoryFiltersProps) {
  const selectedGrades = new Set(query.grades ?? []);
  const fieldClass = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1";

  return (
    <form method="get" action={`/orgs/${organization}/repositories`} aria-label="Filter repositories" className="mb-4 space-y-3 text-sm">
      <div className="grid gap-3 sm:grid-cols-[1fr_18rem_13rem]">
        <div>
          <label htmlFor="repositories-q" className="text-slate-600">
            Search by name
          </label>
          <input id="repositories-q" name="q" type="search" defaultValue={query.search ?? ""} maxLength={MAX_REPOSITORY_SEARCH_LENGTH} className={fieldClass} />
        </div>
        <div>
          <label htmlFor="repositories-failing" className="text-slate-600">
            Failing policy
          </label>
          <select id="repositories-failing" name="failing" defaultValue={query.failing ?? ""} className={fieldClass}>
            <option value="">All repositories</option>
            {policyIds.map((id) => (
              <option key={id} value={id}>
                {policies[id].title}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="repositories-sort" className="text-slate-600">
            Sort by
          </label>
          <select id="repositories-sort" name="sort" defaultValue={query.sort ?? "name"} className={fieldClass}>
            {Object.entries(sortLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <fieldset>
          <legend className="text-slate-600">Grade</legend>
          <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
            {gradeFilters.map((grade) => (
              <label key={grade} className="flex items-center gap-1">
                <input type="checkbox" name="grade" value={grade} defaultChecked={selectedGrades.has(grade)} />
                <span className="sr-only">{grade === "none" ? "Not graded" : `Grade ${grade}`}</span>
                <span aria-hidden="true" className="inline-flex">
                  <GradeBadge grade={grade === "none" ? null : grade} />
                </span>
                <span className="text-slate-600">({gradeCounts[grade]})</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="flex items-center gap-3">
          <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-white hover:bg-slate-700">
            Apply
          </button>
          <a href={repositoriesHref(organization, {})} className="py-1 text-blue-700 hover:underline">
            Clear
          </a>
        </div>
      </div>
    </form>
  );
}
