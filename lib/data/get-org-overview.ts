import { Prisma } from "@/generated/prisma/client";
import type { Viewer } from "@/lib/auth/get-viewer";
import { memberOrganizationWhere, readableRepositoryWhere } from "@/lib/auth/permissions";
import { getPrisma, type PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { policies, type Grade, type PolicyId } from "@/scoring";

/** Days the grade trend covers, today included. */
export const TREND_DAYS = 90;
/** Days over which lost points are summed for the biggest losses. */
export const LOSS_WINDOW_DAYS = 14;
/** Repositories listed among the biggest losses. */
export const MAX_LOSSES = 10;

/** A grade, or "none" for a repository that is not graded. */
export type GradeBucket = Grade | "none";
export const gradeBuckets: readonly GradeBucket[] = ["A", "B", "C", "D", "E", "F", "none"];

export interface GradeCount {
  grade: GradeBucket;
  count: number;
}

/** Repositories per grade at the end of one UTC day. */
export interface TrendDay {
  /** ISO date, e.g. "2026-12-05". */
  day: string;
  counts: Record<GradeBucket, number>;
}

export interface FailingPolicy {
  id: string;
  title: string;
  /** Repositories whose latest tag fails the policy. */
  count: number;
}

export interface GradeLoss {
  /** The full repository name, `acme/api`. */
  name: string;
  /** Sum of the percent changes in the window: negative, in percentage points. */
  points: number;
  gradeBefore: string | null;
  percentBefore: number | null;
  gradeAfter: string | null;
  percentAfter: number | null;
  /** The cause whose changes lost the most points, e.g. "advisory update". */
  cause: string;
}

export interface LastSync {
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  /** Errors about the whole organization or about repositories the viewer can read. */
  errorCount: number;
}

export interface AnalysisQueue {
  /** Tags with an image that has no analysis yet or a pending one. */
  waiting: number;
  /** Tags with an image whose analysis failed. */
  failed: number;
}

export interface OrgOverview {
  organization: string;
  isOwner: boolean;
  /** Repositories the viewer can read, not deleted. */
  repositoryCount: number;
  /** One entry per bucket, in the order of gradeBuckets. */
  distribution: GradeCount[];
  /** One entry per day, oldest first, ending today (UTC). */
  trend: TrendDay[];
  /** Policies that fail on at least one repository, most failing first. */
  failingPolicies: FailingPolicy[];
  /** Repositories that lost points in the window, most lost first. */
  biggestLosses: GradeLoss[];
  lastSync: LastSync | null;
  analysisQueue: AnalysisQueue;
}

/** The repositories of an organization that a viewer can read. */
interface ReadScope {
  organizationId: string;
  organizationName: string;
  viewerId: string;
  isOwner: boolean;
  /** True for owners and, when the organization has a default permission, for every member. */
  allRepositories: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Loads the organization overview: grade distribution, the 90-day trend, the
 * policies that fail most, the biggest recent losses, the last sync and the
 * analysis queue. Every count covers only repositories the viewer can read.
 * Throws NOT_FOUND when the organization does not exist or the viewer is not a
 * member. A member who is not an owner also gets NOT_FOUND when they can read
 * none of its repositories. `now` fixes the current time for tests.
 */
export async function getOrgOverview(viewer: Viewer, organizationName: string, options: { now?: Date } = {}): Promise<OrgOverview> {
  const prisma = getPrisma();
  const now = options.now ?? new Date();
  const scope = await resolveReadScope(prisma, viewer, organizationName);

  const [distribution, trend, failingPolicies, biggestLosses, lastSync, analysisQueue] = await Promise.all([
    countGrades(prisma, viewer, scope),
    loadTrend(prisma, scope, now),
    countFailingPolicies(prisma, scope),
    findBiggestLosses(prisma, scope, now),
    findLastSync(prisma, scope),
    countAnalysisQueue(prisma, scope),
  ]);
  return {
    organization: scope.organizationName,
    isOwner: scope.isOwner,
    repositoryCount: distribution.reduce((sum, bucket) => sum + bucket.count, 0),
    distribution,
    trend,
    failingPolicies,
    biggestLosses,
    lastSync,
    analysisQueue,
  };
}

async function resolveReadScope(prisma: PrismaClient, viewer: Viewer, organizationName: string): Promise<ReadScope> {
  const organization = await prisma.organization.findFirst({
    where: { name: organizationName, ...memberOrganizationWhere(viewer) },
    select: { id: true, name: true, defaultPermission: true, memberships: { where: { userId: viewer.id }, select: { role: true } } },
  });
  if (!organization) throw notFound(organizationName);

  const isOwner = organization.memberships.some((membership) => membership.role === "OWNER");
  const allRepositories = isOwner || organization.defaultPermission !== null;
  if (!allRepositories) {
    const readable = await prisma.repository.findFirst({
      where: { organizationId: organization.id, deletedAt: null, ...readableRepositoryWhere(viewer) },
      select: { id: true },
    });
    // A member who can read nothing gets the same NOT_FOUND as a stranger.
    if (!readable) throw notFound(organizationName);
  }
  return { organizationId: organization.id, organizationName: organization.name, viewerId: viewer.id, isOwner, allRepositories };
}

function notFound(organizationName: string): AppError {
  return new AppError("NOT_FOUND", `Organization ${organizationName} was not found.`);
}

/**
 * Builds the SQL condition that repository `r` is readable by the viewer. It is
 * the raw SQL form of readableRepositoryWhere for a member whose organization
 * resolveReadScope has already checked: everything for owners and under a
 * default permission, else the repositories one of the viewer's teams has a
 * permission on. The tests compare both forms for each kind of viewer.
 */
function readableSql(scope: ReadScope): Prisma.Sql {
  if (scope.allRepositories) return Prisma.sql`TRUE`;
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "RepositoryPermission" rp
    JOIN "TeamMember" tm ON tm."teamId" = rp."teamId"
    WHERE rp."repositoryId" = r.id AND tm."userId" = ${scope.viewerId})`;
}

const grades: readonly string[] = ["A", "B", "C", "D", "E", "F"];

function bucketOf(grade: string | null): GradeBucket {
  return grade !== null && grades.includes(grade) ? (grade as Grade) : "none";
}

async function countGrades(prisma: PrismaClient, viewer: Viewer, scope: ReadScope): Promise<GradeCount[]> {
  const groups = await prisma.repository.groupBy({
    by: ["grade"],
    where: { organizationId: scope.organizationId, deletedAt: null, ...readableRepositoryWhere(viewer) },
    _count: { _all: true },
  });
  const counts = new Map<GradeBucket, number>();
  for (const group of groups) {
    const bucket = bucketOf(group.grade);
    counts.set(bucket, (counts.get(bucket) ?? 0) + group._count._all);
  }
  return gradeBuckets.map((grade) => ({ grade, count: counts.get(grade) ?? 0 }));
}

/** Formats the UTC date `days` days after `date` as YYYY-MM-DD. */
function isoDay(date: Date, days = 0): string {
  return new Date(date.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Reconstructs, for each of the last TREND_DAYS UTC days, how many readable
 * repositories had each grade at the end of the day. A repository counts from
 * the day it was created (as not graded until its first change) until the day
 * it was deleted. Its grade on a day is the `toGrade` of its last repository
 * GradeChange on or before that day.
 *
 * The query cuts each repository's history into spans of one grade. It adds
 * one on the first day a span is visible and subtracts one on the day it ends.
 * So its cost grows with the number of changes, not with repositories × days,
 * and history before the window costs one index lookup per repository.
 *
 * NOTE: a repository whose grade goes back to none (every tag deleted) records
 * no GradeChange, so the trend keeps showing its last grade until it is deleted.
 */
async function loadTrend(prisma: PrismaClient, scope: ReadScope, now: Date): Promise<TrendDay[]> {
  const today = isoDay(now);
  const firstDay = isoDay(now, -(TREND_DAYS - 1));
  const rows = await prisma.$queryRaw<{ day: string; grade: GradeBucket; count: number }[]>`
    WITH scope AS (
      SELECT r.id, r."createdAt", r."deletedAt"
      FROM "Repository" r
      WHERE r."organizationId" = ${scope.organizationId}
        AND r."createdAt" < ${today}::date + 1
        AND (r."deletedAt" IS NULL OR r."deletedAt" >= ${firstDay}::date)
        AND ${readableSql(scope)}
    ),
    states AS (
      SELECT s.id AS repository_id, s."createdAt" AS started_at, 'none' AS grade, '' AS change_id
      FROM scope s
      UNION ALL
      SELECT s.id, opening."changedAt", COALESCE(opening."toGrade", 'none'), opening.id
      FROM scope s
      CROSS JOIN LATERAL (
        SELECT gc.id, gc."changedAt", gc."toGrade"
        FROM "GradeChange" gc
        WHERE gc."repositoryId" = s.id AND gc."tagId" IS NULL AND gc."changedAt" < ${firstDay}::date
        ORDER BY gc."changedAt" DESC, gc.id DESC
        LIMIT 1
      ) opening
      UNION ALL
      SELECT gc."repositoryId", gc."changedAt", COALESCE(gc."toGrade", 'none'), gc.id
      FROM "GradeChange" gc
      JOIN scope s ON s.id = gc."repositoryId"
      WHERE gc."tagId" IS NULL AND gc."changedAt" >= ${firstDay}::date AND gc."changedAt" < ${today}::date + 1
    ),
    spans AS (
      SELECT st.grade, st.started_at,
        LEAST(LEAD(st.started_at) OVER (PARTITION BY st.repository_id ORDER BY st.started_at, st.change_id), s."deletedAt") AS ended_at
      FROM states st
      JOIN scope s ON s.id = st.repository_id
    ),
    visible AS (
      SELECT grade, GREATEST(started_at::date, ${firstDay}::date) AS first_day, ended_at::date AS end_day
      FROM spans
      WHERE ended_at IS NULL OR (ended_at::date > started_at::date AND ended_at::date > ${firstDay}::date)
    ),
    deltas AS (
      SELECT first_day AS day, grade, 1 AS delta FROM visible
      UNION ALL
      SELECT end_day, grade, -1 FROM visible WHERE end_day IS NOT NULL AND end_day <= ${today}::date
    )
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, g.grade,
      (SUM(COALESCE(SUM(x.delta), 0)) OVER (PARTITION BY g.grade ORDER BY d.day))::int AS count
    FROM (SELECT ${firstDay}::date + offset_days AS day FROM generate_series(0, ${TREND_DAYS - 1}::int) AS offset_days) d
    CROSS JOIN unnest(${[...gradeBuckets]}::text[]) AS g(grade)
    LEFT JOIN deltas x ON x.day = d.day AND x.grade = g.grade
    GROUP BY d.day, g.grade
    ORDER BY d.day`;

  const days = new Map<string, TrendDay>();
  for (const row of rows) {
    let entry = days.get(row.day);
    if (!entry) {
      entry = { day: row.day, counts: { A: 0, B: 0, C: 0, D: 0, E: 0, F: 0, none: 0 } };
      days.set(row.day, entry);
    }
    entry.counts[row.grade] = row.count;
  }
  return [...days.values()];
}

function policyTitle(id: string): string {
  return (policies as Record<string, { title: string } | undefined>)[id as PolicyId]?.title ?? id;
}

async function countFailingPolicies(prisma: PrismaClient, scope: ReadScope): Promise<FailingPolicy[]> {
  const rows = await prisma.$queryRaw<{ id: string; count: number }[]>`
    SELECT policy AS id, count(*)::int AS count
    FROM "Repository" r
    CROSS JOIN LATERAL unnest(r."failingPolicies") AS policy
    WHERE r."organizationId" = ${scope.organizationId} AND r."deletedAt" IS NULL AND ${readableSql(scope)}
    GROUP BY policy
    ORDER BY count DESC, policy`;
  return rows.map((row) => ({ id: row.id, title: policyTitle(row.id), count: row.count }));
}

/**
 * Finds the repositories whose repository GradeChange rows of the last
 * LOSS_WINDOW_DAYS sum to the largest loss (toPercent − fromPercent). A first
 * grade has no fromPercent and counts as no change. The grade before is the
 * first change's fromGrade, the grade after the last change's toGrade.
 */
async function findBiggestLosses(prisma: PrismaClient, scope: ReadScope, now: Date): Promise<GradeLoss[]> {
  const since = new Date(now.getTime() - LOSS_WINDOW_DAYS * DAY_MS).toISOString();
  return prisma.$queryRaw<GradeLoss[]>`
    WITH scope AS (
      SELECT r.id, r.name
      FROM "Repository" r
      WHERE r."organizationId" = ${scope.organizationId} AND r."deletedAt" IS NULL AND ${readableSql(scope)}
    ),
    recent AS (
      SELECT gc.id, gc."repositoryId", gc."changedAt", gc."fromGrade", gc."toGrade", gc."fromPercent", gc."toPercent", gc.cause,
        gc."toPercent" - gc."fromPercent" AS delta
      FROM "GradeChange" gc
      JOIN scope s ON s.id = gc."repositoryId"
      WHERE gc."tagId" IS NULL AND gc."changedAt" >= ${since}::timestamp
    ),
    losses AS (
      SELECT rc."repositoryId", s.name, SUM(rc.delta) AS points
      FROM recent rc
      JOIN scope s ON s.id = rc."repositoryId"
      GROUP BY rc."repositoryId", s.name
      HAVING SUM(rc.delta) < 0
      ORDER BY points, s.name
      LIMIT ${MAX_LOSSES}
    )
    SELECT l.name, l.points::float8 AS points,
      first_change."fromGrade" AS "gradeBefore", first_change."fromPercent" AS "percentBefore",
      last_change."toGrade" AS "gradeAfter", last_change."toPercent" AS "percentAfter",
      main_cause.cause
    FROM losses l
    CROSS JOIN LATERAL (
      SELECT rc."fromGrade", rc."fromPercent" FROM recent rc
      WHERE rc."repositoryId" = l."repositoryId"
      ORDER BY rc."changedAt", rc.id
      LIMIT 1
    ) first_change
    CROSS JOIN LATERAL (
      SELECT rc."toGrade", rc."toPercent" FROM recent rc
      WHERE rc."repositoryId" = l."repositoryId"
      ORDER BY rc."changedAt" DESC, rc.id DESC
      LIMIT 1
    ) last_change
    CROSS JOIN LATERAL (
      SELECT rc.cause FROM recent rc
      WHERE rc."repositoryId" = l."repositoryId" AND rc.delta IS NOT NULL
      GROUP BY rc.cause
      ORDER BY SUM(rc.delta), MAX(rc."changedAt") DESC
      LIMIT 1
    ) main_cause
    ORDER BY l.points, l.name`;
}

/**
 * Finds the latest sync run the viewer may know of. Viewers who cannot read
 * every repository see runs of the whole organization and of repositories they
 * can read, and count only errors about those or about the whole organization
 * (a failed listing, reported as `org/*`).
 */
async function findLastSync(prisma: PrismaClient, scope: ReadScope): Promise<LastSync | null> {
  const everything = scope.allRepositories ? Prisma.sql`TRUE` : Prisma.sql`FALSE`;
  const rows = await prisma.$queryRaw<LastSync[]>`
    WITH scope AS (
      SELECT r.name
      FROM "Repository" r
      WHERE r."organizationId" = ${scope.organizationId} AND r."deletedAt" IS NULL AND ${readableSql(scope)}
    )
    SELECT sr.status::text AS status, sr."startedAt", sr."finishedAt", sr."durationMs",
      (SELECT count(*)::int
       FROM jsonb_array_elements(CASE WHEN jsonb_typeof(sr.errors) = 'array' THEN sr.errors ELSE '[]'::jsonb END) AS failure
       WHERE ${everything}
         OR failure->>'repository' = ${`${scope.organizationName}/*`}
         OR failure->>'repository' IN (SELECT name FROM scope)) AS "errorCount"
    FROM "SyncRun" sr
    WHERE sr."organizationId" = ${scope.organizationId}
      AND (${everything} OR sr.repository IS NULL OR sr.repository IN (SELECT name FROM scope))
    ORDER BY sr."startedAt" DESC
    LIMIT 1`;
  return rows[0] ?? null;
}

/**
 * Counts the tags of readable repositories whose images wait for analysis or
 * failed it. Each manifest's state is worked out once, however many tags
 * point at it.
 */
async function countAnalysisQueue(prisma: PrismaClient, scope: ReadScope): Promise<AnalysisQueue> {
  const rows = await prisma.$queryRaw<AnalysisQueue[]>`
    WITH tags AS (
      SELECT t.digest
      FROM "Tag" t
      JOIN "Repository" r ON r.id = t."repositoryId"
      WHERE r."organizationId" = ${scope.organizationId} AND r."deletedAt" IS NULL AND t."deletedAt" IS NULL AND ${readableSql(scope)}
    ),
    manifests AS (
      SELECT mi."manifestDigest" AS digest,
        bool_or(ia."imageDigest" IS NULL OR ia.status = 'PENDING') AS waiting,
        bool_or(ia.status = 'FAILED') AS failed
      FROM "ManifestImage" mi
      LEFT JOIN "ImageAnalysis" ia ON ia."imageDigest" = mi."imageDigest"
      WHERE mi."manifestDigest" IN (SELECT digest FROM tags)
      GROUP BY mi."manifestDigest"
    )
    SELECT count(*) FILTER (WHERE m.waiting)::int AS waiting, count(*) FILTER (WHERE m.failed)::int AS failed
    FROM tags t
    JOIN manifests m ON m.digest = t.digest`;
  return rows[0] ?? { waiting: 0, failed: 0 };
}
