import type { Prisma } from "@/generated/prisma/client";
import type { Viewer } from "@/lib/auth/get-viewer";
import { memberOrganizationWhere, readableRepositoryWhere } from "@/lib/auth/permissions";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { policyIds, type PolicyId } from "@/scoring";

/** Repositories per page of the repository list. */
export const REPOSITORIES_PER_PAGE = 50;

/** Maximum length of a name search, in characters: the longest repository name the registry API allows. */
export const MAX_REPOSITORY_SEARCH_LENGTH = 255;

/** Grade filter values: the grades, and "none" for repositories that are not graded. */
export const gradeFilters = ["A", "B", "C", "D", "E", "F", "none"] as const;
export type GradeFilter = (typeof gradeFilters)[number];

/**
 * Sort orders of the list. "grade" puts A first and "grade-desc" F first, and both put
 * repositories that are not graded last. "pushed" is newest first, never pushed last.
 */
export const repositorySorts = ["name", "grade", "grade-desc", "pushed"] as const;
export type RepositorySort = (typeof repositorySorts)[number];

/** The search parameters the list page reads, in the order its canonical URL writes them. */
export const repositoryQueryParams = ["q", "grade", "failing", "sort", "page"] as const;

export interface RepositoryQuery {
  /**
   * Text matched, ignoring case, anywhere in the repository's name after the
   * organization prefix (`api` in `acme/api`). A leading `acme/` is ignored, so a full name also finds its repository.
   */
  search?: string;
  /** Grades to show, in the order of gradeFilters. Absent or empty shows every grade. */
  grades?: GradeFilter[];
  /** Shows only repositories whose most recently pushed tag fails this policy. */
  failing?: PolicyId;
  /** Default "name". Every sort ends with the name, so pages are stable. */
  sort?: RepositorySort;
  /** Page number from 1. A page past the last one gives the last one. */
  page?: number;
}

export interface RepositoryRow {
  name: string;
  grade: string | null;
  percent: number | null;
  lastPushedAt: Date | null;
  tagCount: number;
  lastSyncError: string | null;
}

export interface RepositoryList {
  organization: string;
  isOwner: boolean;
  lastSync: { status: string; startedAt: Date; finishedAt: Date | null; durationMs: number | null; tagsSeen: number; errors: Prisma.JsonValue } | null;
  repositories: RepositoryRow[];
  /** Readable repositories that match every filter. */
  total: number;
  /** The page shown, which is the last page when the requested one is past it. */
  page: number;
  pageSize: number;
  pageCount: number;
  /**
   * Readable repositories per grade that match the search and the failing-policy
   * filter, whatever grades are selected, so each grade option can show what it would add.
   */
  gradeCounts: Record<GradeFilter, number>;
}

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * Reads the list filters from page search parameters. Values that are not valid
 * are left out of the query, each with a message that names the value and the
 * accepted values, so a mistyped shared link still shows a list.
 */
export function parseRepositoryQuery(params: SearchParams): { query: RepositoryQuery; problems: string[] } {
  const query: RepositoryQuery = {};
  const problems: string[] = [];

  for (const name of Object.keys(params)) {
    if (!(repositoryQueryParams as readonly string[]).includes(name)) {
      problems.push(`Ignored the parameter "${name}": this page reads ${listWords(repositoryQueryParams.map((param) => `"${param}"`), "and")}.`);
    }
  }

  const single = (name: string): string | undefined => {
    const values = valuesOf(params[name]).filter((value) => value !== "");
    if (values.length > 1) problems.push(`Used the first of ${values.length} values of "${name}", "${values[0]}": give "${name}" once.`);
    return values[0];
  };

  const search = single("q");
  if (search !== undefined) {
    if (search.length <= MAX_REPOSITORY_SEARCH_LENGTH) query.search = search;
    else problems.push(`Ignored the name search: it is ${search.length} characters long, and the maximum is ${MAX_REPOSITORY_SEARCH_LENGTH}.`);
  }

  // Grades come as repeated parameters (a form's checkboxes) or comma-separated (a hand-written link), in any case.
  const grades = new Set<GradeFilter>();
  for (const value of valuesOf(params.grade).flatMap((entry) => entry.split(","))) {
    const text = value.trim();
    if (text === "") continue;
    const grade = gradeFilters.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
    if (grade === undefined) problems.push(`Ignored the grade "${text}": use ${listWords([...gradeFilters], "or")}.`);
    else grades.add(grade);
  }
  if (grades.size > 0) query.grades = gradeFilters.filter((grade) => grades.has(grade));

  const failing = single("failing");
  if (failing !== undefined) {
    const policy = policyIds.find((id) => id === failing);
    if (policy === undefined) problems.push(`Ignored the failing policy "${failing}": use ${listWords([...policyIds], "or")}.`);
    else query.failing = policy;
  }

  const sort = single("sort");
  if (sort !== undefined) {
    const known = repositorySorts.find((candidate) => candidate === sort);
    if (known === undefined) problems.push(`Ignored the sort "${sort}": use ${listWords([...repositorySorts], "or")}.`);
    else query.sort = known;
  }

  const page = single("page");
  if (page !== undefined) {
    if (/^[1-9][0-9]{0,8}$/.test(page)) query.page = Number(page);
    else problems.push(`Ignored the page "${page}": give a whole number from 1.`);
  }

  return { query, problems };
}

/**
 * Lists one page of the organization's repositories that the viewer can read
 * (not deleted), filtered and sorted by `query`, with the grade of each one's
 * most recently pushed tag and the last sync run. Counts only count readable
 * repositories. NOT_FOUND unless the viewer is a member of the organization.
 */
export async function listRepositories(viewer: Viewer, organizationName: string, query: RepositoryQuery = {}): Promise<RepositoryList> {
  const prisma = getPrisma();
  const organization = await prisma.organization.findFirst({ where: { name: organizationName, ...memberOrganizationWhere(viewer) }, select: { id: true, name: true } });
  if (!organization) throw new AppError("NOT_FOUND", `Organization ${organizationName} was not found.`);

  // The grade counts ignore the grade filter, and the page applies it on top.
  const conditions: Prisma.RepositoryWhereInput[] = [{ organizationId: organization.id, deletedAt: null }, readableRepositoryWhere(viewer)];
  if (query.search !== undefined) conditions.push(searchWhere(organization.name, query.search));
  if (query.failing !== undefined) conditions.push({ failingPolicies: { has: query.failing } });
  const countWhere: Prisma.RepositoryWhereInput = { AND: conditions };
  const grades = query.grades ?? [];
  const pageWhere: Prisma.RepositoryWhereInput = grades.length === 0 ? countWhere : { AND: [...conditions, gradeWhere(grades)] };
  const orderBy = repositoryOrder(query.sort ?? "name");
  const requestedPage = Math.max(1, Math.floor(query.page ?? 1));

  const findPage = (page: number) =>
    prisma.repository.findMany({
      where: pageWhere,
      orderBy,
      skip: (page - 1) * REPOSITORIES_PER_PAGE,
      take: REPOSITORIES_PER_PAGE,
      select: { name: true, grade: true, percent: true, lastPushedAt: true, tagCount: true, lastSyncError: true },
    });

  const [rows, groups, lastSync, ownership] = await Promise.all([
    findPage(requestedPage),
    prisma.repository.groupBy({ by: ["grade"], where: countWhere, _count: { _all: true } }),
    prisma.syncRun.findFirst({
      where: { organizationId: organization.id },
      orderBy: { startedAt: "desc" },
      select: { status: true, startedAt: true, finishedAt: true, durationMs: true, tagsSeen: true, errors: true },
    }),
    prisma.membership.findFirst({ where: { organizationId: organization.id, userId: viewer.id, role: "OWNER" }, select: { id: true } }),
  ]);

  const gradeCounts = Object.fromEntries(gradeFilters.map((grade) => [grade, 0])) as Record<GradeFilter, number>;
  let total = 0;
  for (const group of groups) {
    const grade = group.grade === null ? "none" : gradeFilters.find((candidate) => candidate !== "none" && candidate === group.grade);
    if (grade !== undefined) gradeCounts[grade] += group._count._all;
    // A grade outside A to F cannot be selected, so it only counts when no grade is selected.
    if (grades.length === 0 || (grade !== undefined && grades.includes(grade))) total += group._count._all;
  }

  const pageCount = Math.max(1, Math.ceil(total / REPOSITORIES_PER_PAGE));
  const page = Math.min(requestedPage, pageCount);
  // The requested page is fetched alongside the counts to save a round trip, so only a page past the end is fetched twice.
  const repositories = page === requestedPage ? rows : await findPage(page);

  return {
    organization: organization.name,
    isOwner: ownership !== null,
    lastSync,
    repositories,
    total,
    page,
    pageSize: REPOSITORIES_PER_PAGE,
    pageCount,
    gradeCounts,
  };
}

/**
 * Matches the search anywhere after the `org/` prefix, ignoring case. Prisma puts
 * the `startsWith` value into ILIKE with only a `%` appended, so the `%` written
 * here after the prefix is a wildcard, while `%`, `_` and `\` in the text are escaped
 * with a backslash (Postgres's default LIKE escape). Checked with Prisma 7.10.
 */
function searchWhere(organizationName: string, search: string): Prisma.RepositoryWhereInput {
  const prefix = `${organizationName}/`;
  const text = search.toLowerCase().startsWith(prefix.toLowerCase()) ? search.slice(prefix.length) : search;
  return { name: { startsWith: `${escapeLike(prefix)}%${escapeLike(text)}`, mode: "insensitive" } };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

function gradeWhere(grades: GradeFilter[]): Prisma.RepositoryWhereInput {
  const letters = grades.filter((grade) => grade !== "none");
  const alternatives: Prisma.RepositoryWhereInput[] = [];
  if (letters.length > 0) alternatives.push({ grade: { in: letters } });
  if (grades.includes("none")) alternatives.push({ grade: null });
  return { OR: alternatives };
}

/** Orders by the sort. Grade letters sort alphabetically from best to worst, and within a grade the better percent comes first. */
function repositoryOrder(sort: RepositorySort): Prisma.RepositoryOrderByWithRelationInput[] {
  switch (sort) {
    case "name":
      return [{ name: "asc" }];
    case "grade":
      return [{ grade: { sort: "asc", nulls: "last" } }, { percent: { sort: "desc", nulls: "last" } }, { name: "asc" }];
    case "grade-desc":
      return [{ grade: { sort: "desc", nulls: "last" } }, { percent: { sort: "asc", nulls: "last" } }, { name: "asc" }];
    case "pushed":
      return [{ lastPushedAt: { sort: "desc", nulls: "last" } }, { name: "asc" }];
  }
}

function valuesOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((entry) => entry.trim());
}

/** Joins words as "a, b or c". */
function listWords(words: string[], conjunction: "and" | "or"): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${conjunction} ${words.at(-1)}`;
}
