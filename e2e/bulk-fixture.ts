// The organization "bulk": 10,000 repositories written straight into the
// database, with no registry behind them, so the e2e tests can page, filter and
// chart a large organization. The rows come from a seeded generator, so every
// run writes the same data and the specs can import the expected counts below.
//
// Only type imports and the pure grading modules are imported here, because the
// Playwright specs load this file too. The "@/scoring" index does not load
// under Playwright's module loader (one of its modules imports "picomatch/posix"
// without an extension), so the two files needed are imported directly.
import type { PrismaClient } from "@/lib/db";
import { gradeForPercent, gradeRank } from "@/scoring/grade";
import { policyIds, type Grade, type PolicyId } from "@/scoring/types";

export const BULK_ORGANIZATION = "bulk";
export const BULK_REPOSITORY_COUNT = 10_000;

/** A grade, or "none" for a repository that is not graded, in the order the app lists them. */
export type BulkGradeBucket = Grade | "none";
export const bulkGradeBuckets: readonly BulkGradeBucket[] = ["A", "B", "C", "D", "E", "F", "none"];

const DAY_MS = 24 * 60 * 60 * 1000;
/** Every repository is created this many days before the seed, so the 90-day trend covers it from its first day. */
const CREATED_DAYS_AGO = 120;
/**
 * Each graded repository gets its first grade between these many days before
 * the seed, before the trend's first day, so the trend opens with every grade.
 */
const FIRST_GRADE_DAYS_AGO = [95, 115] as const;
/**
 * Later grade changes happen within this many days before the seed. The trend's
 * first day ends 88 to 89 days before the seed, so 87 leaves a day of margin for a
 * test that loads the overview after midnight UTC, and the first day still shows
 * only the first grades.
 */
const CHANGE_WINDOW_DAYS = 87;
/** Share of repositories that are not graded: pushed, but not yet analysed. */
const UNGRADED_SHARE = 0.04;
/** Share of graded repositories whose grade changes within CHANGE_WINDOW_DAYS, one or two times. */
const CHANGED_SHARE = 0.025;

// No word is a prefix of another, so ordering names by code point matches Postgres's ORDER BY name under
// any collation: two names differ first in a letter of the word or, for the same word, in a digit.
const nameWords = ["api", "billing", "cache", "gateway", "ledger", "mailer", "payments", "reports", "search", "worker"] as const;
const changeCauses = ["push", "advisory update", "base image updated", "policy change"] as const;

export interface BulkRepository {
  id: string;
  /** The full name, e.g. `bulk/payments-00042`. */
  name: string;
  grade: Grade | null;
  /** Percent in tenths, e.g. 97.3, or null when not graded. */
  percent: number | null;
  failingPolicies: PolicyId[];
  /** Milliseconds before the seed at which the latest tag was pushed. */
  pushedMsAgo: number;
  tagCount: number;
  /** The grade the repository had on the trend's first day, before any change inside the window. */
  firstGrade: Grade | null;
}

/** A repository GradeChange (no tag), placed in time relative to the seed. */
export interface BulkGradeChange {
  repositoryId: string;
  fromGrade: Grade | null;
  toGrade: Grade;
  fromPercent: number | null;
  toPercent: number;
  cause: string;
  /** Milliseconds before the seed. */
  msAgo: number;
}

/**
 * Returns a seeded source of numbers in [0, 1) from Marsaglia's xorshift32,
 * which is plenty for fixture data and fast enough to run at spec load.
 */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

/** Plans the repositories and their grade changes. The same seed always gives the same plan. */
function planBulkOrganization(seed: number): { repositories: BulkRepository[]; gradeChanges: BulkGradeChange[] } {
  const random = seededRandom(seed);
  const below = (count: number) => Math.floor(random() * count);
  // Whole tenths from 0.0 to 100.0, as the list shows them. Each grade gets the share of 0–100 that its range covers.
  const randomPercent = () => below(1001) / 10;

  const repositories: BulkRepository[] = [];
  const gradeChanges: BulkGradeChange[] = [];
  for (let index = 0; index < BULK_REPOSITORY_COUNT; index++) {
    const number = String(index).padStart(5, "0");
    const id = `bulk-repository-${number}`;
    const name = `${BULK_ORGANIZATION}/${nameWords[below(nameWords.length)]}-${number}`;
    const pushedMsAgo = below(90 * DAY_MS);
    const tagCount = 1 + below(40);

    if (random() < UNGRADED_SHARE) {
      repositories.push({ id, name, grade: null, percent: null, failingPolicies: [], pushedMsAgo, tagCount, firstGrade: null });
      continue;
    }

    const percent = randomPercent();
    const grade = gradeForPercent(percent);
    // Worse grades fail more policies: none or one for an A, five or six for an F.
    const failingCount = Math.min(policyIds.length, gradeRank(grade) + below(2));
    const failingPolicies = pickPolicies(failingCount, below);

    // Before the window each repository has one first grade. A few then change once or twice inside it.
    const states: { grade: Grade; percent: number }[] = [];
    const changeCount = random() < CHANGED_SHARE ? 1 + below(2) : 0;
    for (let step = 0; step < changeCount; step++) {
      const earlier = randomPercent();
      states.push({ grade: gradeForPercent(earlier), percent: earlier });
    }
    states.push({ grade, percent });

    const firstMsAgo = (FIRST_GRADE_DAYS_AGO[0] + random() * (FIRST_GRADE_DAYS_AGO[1] - FIRST_GRADE_DAYS_AGO[0])) * DAY_MS;
    // Change times from one minute to CHANGE_WINDOW_DAYS before the seed, oldest first.
    const changeTimes = Array.from({ length: changeCount }, () => 60_000 + below(CHANGE_WINDOW_DAYS * DAY_MS - 60_000)).sort((a, b) => b - a);
    const times = [Math.floor(firstMsAgo), ...changeTimes];
    let previous: { grade: Grade; percent: number } | null = null;
    for (const [step, state] of states.entries()) {
      gradeChanges.push({
        repositoryId: id,
        fromGrade: previous?.grade ?? null,
        toGrade: state.grade,
        fromPercent: previous?.percent ?? null,
        toPercent: state.percent,
        cause: step === 0 ? "push" : changeCauses[below(changeCauses.length)]!,
        msAgo: times[step]!,
      });
      previous = state;
    }
    repositories.push({ id, name, grade, percent, failingPolicies, pushedMsAgo, tagCount, firstGrade: states[0]!.grade });
  }
  return { repositories, gradeChanges };
}

/** Picks `count` distinct policies, listed in the order of policyIds. */
function pickPolicies(count: number, below: (count: number) => number): PolicyId[] {
  const shuffled = [...policyIds];
  // The first `count` steps of a Fisher–Yates shuffle choose a uniform random subset.
  for (let index = 0; index < count; index++) {
    const other = index + below(shuffled.length - index);
    [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
  }
  const chosen = new Set(shuffled.slice(0, count));
  return policyIds.filter((id) => chosen.has(id));
}

function countGrades(grades: (Grade | null)[]): Record<BulkGradeBucket, number> {
  const counts = Object.fromEntries(bulkGradeBuckets.map((bucket) => [bucket, 0])) as Record<BulkGradeBucket, number>;
  for (const grade of grades) counts[grade ?? "none"] += 1;
  return counts;
}

const plan = planBulkOrganization(20_261_204);

/** The repositories of "bulk" in creation order. */
export const bulkRepositories: readonly BulkRepository[] = plan.repositories;
/** Every repository GradeChange of "bulk": a first grade per graded repository and the later changes. */
export const bulkGradeChanges: readonly BulkGradeChange[] = plan.gradeChanges;
/** Repositories per grade now, which is also the trend's last day. */
export const bulkGradeCounts = countGrades(plan.repositories.map((repository) => repository.grade));
/** Repositories per grade on the trend's first day, before the later changes. */
export const bulkFirstDayGradeCounts = countGrades(plan.repositories.map((repository) => repository.firstGrade));
/** Repositories whose latest tag fails each policy. */
export const bulkFailingCounts = Object.fromEntries(
  policyIds.map((id) => [id, plan.repositories.filter((repository) => repository.failingPolicies.includes(id)).length]),
) as Record<PolicyId, number>;
/** Grade changes inside the trend window, after the first grades. */
export const bulkChangesInWindow = plan.gradeChanges.filter((change) => change.fromGrade !== null).length;

/**
 * Rows per createMany statement: 2,000 repositories of 9 columns stay far below Postgres's 65,535 bind parameters.
 * NOTE: with Prisma 7.10, createMany spends about 0.2 ms of client CPU per row whatever the batch size, mostly
 * in its query compiler, so the seed takes about 5 s (measured on a busy 2-core VM).
 */
const BATCH_SIZE = 2_000;

/**
 * Creates the organization "bulk" with its repositories and their grade
 * changes, and makes the user with `ownerEmail` its owner. Times are placed
 * relative to `now`, and both tables are analyzed afterwards. Expects a
 * database without "bulk": the e2e server starts from an empty one each run.
 */
export async function seedBulkOrganization(prisma: PrismaClient, ownerEmail: string, now = new Date()): Promise<{ repositories: number; gradeChanges: number }> {
  const owner = await prisma.user.findUniqueOrThrow({ where: { email: ownerEmail }, select: { id: true } });
  const organization = await prisma.organization.create({
    data: { name: BULK_ORGANIZATION, memberships: { create: { userId: owner.id, role: "OWNER" } } },
    select: { id: true },
  });
  const before = (ms: number) => new Date(now.getTime() - ms);
  const createdAt = before(CREATED_DAYS_AGO * DAY_MS);

  const repositoryRows = bulkRepositories.map((repository) => ({
    id: repository.id,
    organizationId: organization.id,
    name: repository.name,
    createdAt,
    grade: repository.grade,
    percent: repository.percent,
    failingPolicies: repository.failingPolicies,
    lastPushedAt: before(repository.pushedMsAgo),
    tagCount: repository.tagCount,
  }));
  for (let start = 0; start < repositoryRows.length; start += BATCH_SIZE) {
    await prisma.repository.createMany({ data: repositoryRows.slice(start, start + BATCH_SIZE) });
  }

  const changeRows = bulkGradeChanges.map((change) => ({
    repositoryId: change.repositoryId,
    tagId: null,
    fromGrade: change.fromGrade,
    toGrade: change.toGrade,
    fromPercent: change.fromPercent,
    toPercent: change.toPercent,
    cause: change.cause,
    changedAt: before(change.msAgo),
  }));
  for (let start = 0; start < changeRows.length; start += BATCH_SIZE) {
    await prisma.gradeChange.createMany({ data: changeRows.slice(start, start + BATCH_SIZE) });
  }

  // Without fresh statistics the planner expects a handful of rows in both tables and walks every
  // grade change once per repository in the overview's trend query, which then took 14–22 s on that VM.
  // Autovacuum would analyze them later anyway, but not reliably before the first test.
  await prisma.$executeRawUnsafe(`ANALYZE "Repository", "GradeChange"`);
  return { repositories: repositoryRows.length, gradeChanges: changeRows.length };
}
