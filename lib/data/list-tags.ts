import type { Prisma } from "@/generated/prisma/client";
import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { findRepository } from "@/lib/data/find-repository";
import type { Grade } from "@/scoring";

/** Tags per page of the tag list. */
export const TAGS_PER_PAGE = 25;

/** Maximum length of a tag name search. Longer text cannot match, because the OCI distribution spec caps tag names at 128 characters. */
export const MAX_TAG_SEARCH_LENGTH = 128;

export const tagSorts = ["pushed", "name", "grade"] as const;
export type TagSort = (typeof tagSorts)[number];
export type SortOrder = "asc" | "desc";

/** The grade filter value that selects tags without a grade. */
export const UNGRADED = "none";
export const gradeFilters = ["A", "B", "C", "D", "E", "F", UNGRADED] as const;
export type GradeFilter = Grade | typeof UNGRADED;

/**
 * The order each sort uses when the URL gives none: newest push first, names
 * from A to Z, and best grade first. Grade letters ascend from A, so "asc" puts A first.
 */
export const defaultOrder: Record<TagSort, SortOrder> = { pushed: "desc", name: "asc", grade: "asc" };

export interface TagQuery {
  /** Text matched, ignoring case, anywhere in the tag name. */
  search?: string;
  /** Grades to list; UNGRADED selects tags without one. Absent lists every tag. */
  grades?: GradeFilter[];
  /** Default "pushed". Every sort ends with the tag name, so pages are stable. */
  sort?: TagSort;
  /** Default: defaultOrder of the sort. */
  order?: SortOrder;
  /** Page number from 1. A page past the last one gives the last one. */
  page?: number;
}

/**
 * Analysis state of a tag's platform images. "analysed" carries the newest
 * analysis time over the images. "analysing" means at least one image has no
 * finished result yet. "not-analysed" means at least one image failed without
 * an earlier result, and it wins over "analysing".
 */
export type TagAnalysisState =
  | { status: "analysed"; analysedAt: Date | null }
  | { status: "analysing" }
  | { status: "not-analysed"; reason: string | null };

export interface TagListRow {
  name: string;
  digest: string;
  grade: string | null;
  percent: number | null;
  lastPushedAt: Date;
  syncError: string | null;
  platforms: string[];
  analysis: TagAnalysisState;
}

export interface TagList {
  repository: Awaited<ReturnType<typeof findRepository>>;
  tags: TagListRow[];
  /** Tags that match the filters. */
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/**
 * Lists one page of the repository's live tags with grade, digest, platforms,
 * push time and analysis state, filtered and sorted by `query`. Throws
 * NOT_FOUND, before any tag query, when the viewer may not read the repository.
 */
export async function listTags(
  viewer: Viewer,
  organizationName: string,
  repositoryName: string,
  query: TagQuery = {},
  options: { pageSize?: number } = {},
): Promise<TagList> {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const prisma = getPrisma();
  const where = tagWhere(repository.id, query);
  const pageSize = options.pageSize ?? TAGS_PER_PAGE;

  const total = await prisma.tag.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, query.page ?? 1), pageCount);
  const tags = await prisma.tag.findMany({
    where,
    orderBy: tagOrder(query.sort ?? "pushed", query.order),
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: {
      name: true,
      digest: true,
      grade: true,
      percent: true,
      lastPushedAt: true,
      syncError: true,
      manifest: {
        select: {
          images: {
            orderBy: { platform: "asc" },
            select: { platform: true, image: { select: { analysis: { select: { status: true, analysedAt: true, reason: true } } } } },
          },
        },
      },
    },
  });

  return {
    repository,
    tags: tags.map((tag) => ({
      name: tag.name,
      digest: tag.digest,
      grade: tag.grade,
      percent: tag.percent,
      lastPushedAt: tag.lastPushedAt,
      syncError: tag.syncError,
      platforms: tag.manifest.images.map((image) => image.platform),
      analysis: tagAnalysisState(tag.manifest.images.map((image) => image.image.analysis)),
    })),
    total,
    page,
    pageSize,
    pageCount,
  };
}

/**
 * Reads the tag list's filters from page search parameters. Values that are
 * not valid are left out of the query, each with a message saying why, so a
 * mistyped shared link still lists the tags.
 */
export function parseTagQuery(params: Record<string, string | string[] | undefined>): { query: TagQuery; problems: string[] } {
  const query: TagQuery = {};
  const problems: string[] = [];
  const first = (name: string): string | undefined => {
    const value = params[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text === undefined || text.trim() === "" ? undefined : text.trim();
  };

  const search = first("q");
  if (search !== undefined) {
    if (search.length <= MAX_TAG_SEARCH_LENGTH) query.search = search;
    else problems.push(`Ignored the name search: it is longer than ${MAX_TAG_SEARCH_LENGTH} characters, the maximum length of a tag.`);
  }

  // The form sends one `grade` per ticked box. A hand-written link may also separate grades with commas.
  const grades = new Set<GradeFilter>();
  for (const raw of [params.grade ?? []].flat().flatMap((value) => value.split(","))) {
    const value = raw.trim();
    if (value === "") continue;
    const normalised = value.toLowerCase() === UNGRADED ? UNGRADED : value.toUpperCase();
    if (isGradeFilter(normalised)) grades.add(normalised);
    else problems.push(`Ignored the grade "${value}": use one of ${gradeFilters.join(", ")}.`);
  }
  if (grades.size > 0) query.grades = gradeFilters.filter((grade) => grades.has(grade));

  const sort = first("sort");
  if (sort !== undefined) {
    if ((tagSorts as readonly string[]).includes(sort)) query.sort = sort as TagSort;
    else problems.push(`Ignored the sort "${sort}": use one of ${tagSorts.join(", ")}.`);
  }

  const order = first("order");
  if (order !== undefined) {
    if (order === "asc" || order === "desc") query.order = order;
    else problems.push(`Ignored the order "${order}": use asc or desc.`);
  }

  const page = first("page");
  if (page !== undefined) {
    if (/^[1-9][0-9]{0,8}$/.test(page)) query.page = Number(page);
    else problems.push(`Ignored the page "${page}": give a page number from 1.`);
  }

  return { query, problems };
}

/** Combines the analysis rows of a tag's platform images into one state; a missing row is an image still queued. */
export function tagAnalysisState(analyses: ({ status: "PENDING" | "ANALYSED" | "FAILED"; analysedAt: Date | null; reason: string | null } | null)[]): TagAnalysisState {
  if (analyses.length === 0) return { status: "not-analysed", reason: "The tag has no platform images." };

  // An image keeps its last complete result while a newer run is pending or has failed, so analysedAt decides.
  const failed = analyses.find((analysis) => analysis?.status === "FAILED" && analysis.analysedAt === null);
  if (failed) return { status: "not-analysed", reason: failed.reason };
  if (analyses.some((analysis) => analysis === null || (analysis.status !== "ANALYSED" && analysis.analysedAt === null))) return { status: "analysing" };

  const times = analyses.map((analysis) => analysis?.analysedAt?.getTime()).filter((time): time is number => time !== undefined);
  return { status: "analysed", analysedAt: times.length === 0 ? null : new Date(Math.max(...times)) };
}

function isGradeFilter(value: string): value is GradeFilter {
  return (gradeFilters as readonly string[]).includes(value);
}

function tagWhere(repositoryId: string, query: TagQuery): Prisma.TagWhereInput {
  const where: Prisma.TagWhereInput = { repositoryId, deletedAt: null };
  if (query.search !== undefined) {
    // Prisma passes `contains` into LIKE unescaped, so "%" and "_" are escaped with Postgres's default LIKE escape, the backslash.
    where.name = { contains: query.search.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" };
  }
  if (query.grades !== undefined && query.grades.length > 0) {
    const letters = query.grades.filter((grade) => grade !== UNGRADED);
    const conditions: Prisma.TagWhereInput[] = [];
    if (letters.length > 0) conditions.push({ grade: { in: letters } });
    if (query.grades.includes(UNGRADED)) conditions.push({ grade: null });
    where.OR = conditions;
  }
  return where;
}

function tagOrder(sort: TagSort, requested: SortOrder | undefined): Prisma.TagOrderByWithRelationInput[] {
  const order = requested ?? defaultOrder[sort];
  const byName: Prisma.TagOrderByWithRelationInput = { name: "asc" };
  if (sort === "name") return [{ name: order }];
  if (sort === "pushed") return [{ lastPushedAt: order }, byName];
  // Best first is grade A first and the highest percent within a grade. Tags without a grade come last either way.
  const percentOrder: SortOrder = order === "asc" ? "desc" : "asc";
  return [{ grade: { sort: order, nulls: "last" } }, { percent: { sort: percentOrder, nulls: "last" } }, byName];
}
