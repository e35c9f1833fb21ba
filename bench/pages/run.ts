// Repository list benchmark: one organization with REPOSITORIES repositories
// in an embedded Postgres, listed through listRepositories (the page's data
// function, without HTTP) for an owner and for a member who reads a subset
// through a team. Each case prints its median time over RUNS runs and the ratio
// to a baseline measured in the same run: a bare
// `SELECT id FROM "Repository" WHERE "organizationId" = $1 ORDER BY name LIMIT 50`
// through the same Prisma client. With --explain it also prints the
// EXPLAIN ANALYZE plan of every statement the list function sends, for the
// member, and with --index SQL it creates that index and measures every case again.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    repositories: { type: "string", default: "10000" },
    runs: { type: "string", default: "20" },
    explain: { type: "boolean", default: false },
    index: { type: "string", multiple: true, default: [] },
  },
});
const repositoryCount = Number(values.repositories);
const runs = Number(values.runs);
const TEAM_READ_SHARE = 5; // The member's team reads every 5th repository.
const OTHER_TEAMS = 20;
const OTHER_MEMBERS = 200;
process.env.LOG_LEVEL ??= "warn";

const dataDir = await mkdtemp(path.join(tmpdir(), "shipshape-bench-pages-"));
const { startEmbeddedPostgres } = await import("@/lib/database/embedded-postgres");
const database = await startEmbeddedPostgres(dataDir);
process.env.DATABASE_URL = database.url;
const { applyMigrations } = await import("@/lib/database/migrate");
await applyMigrations(database.url);

const { getPrisma } = await import("@/lib/db");
const { listRepositories } = await import("@/lib/data/list-repositories");
const { policyIds } = await import("@/scoring");
type RepositoryQuery = import("@/lib/data/list-repositories").RepositoryQuery;
type Viewer = import("@/lib/auth/get-viewer").Viewer;

const prisma = getPrisma();
try {
  const seedStarted = performance.now();
  const { organizationId, owner, member, memberReadable } = await seed();
  await prisma.$executeRawUnsafe(`ANALYZE`);
  console.log(`seeded ${repositoryCount} repositories in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s; the member reads ${memberReadable} through a team`);

  const cases: { label: string; query: RepositoryQuery }[] = [
    { label: "first page, sorted by name", query: {} },
    { label: 'name search "api"', query: { search: "api" } },
    { label: "grade B", query: { grades: ["B"] } },
    { label: "failing supply-chain-attestations", query: { failing: "supply-chain-attestations" } },
    { label: "sorted by grade, A first", query: { sort: "grade" } },
    { label: "page 150", query: { page: 150 } },
  ];

  await measureAll("without extra indexes", organizationId, cases, { owner, member });

  if (values.explain) await explainAll(cases, member);

  if (values.index.length > 0) {
    for (const statement of values.index) {
      await prisma.$executeRawUnsafe(statement);
      console.log(`\ncreated: ${statement}`);
    }
    await prisma.$executeRawUnsafe(`ANALYZE`);
    await measureAll("with the indexes above", organizationId, cases, { owner, member });
    if (values.explain) await explainAll(cases, member);
  }
  await prisma.$disconnect();
} finally {
  await database.stop();
  await rm(dataDir, { recursive: true, force: true });
}

/** Times every case for both viewers and prints a table of medians with their ratio to the baseline. */
async function measureAll(title: string, organizationId: string, cases: { label: string; query: RepositoryQuery }[], viewers: Record<"owner" | "member", Viewer>) {
  // The baseline takes well under a millisecond, so it gets more runs to steady its median.
  const baselineRuns = runs * 5;
  const baselineMs = await median(() => prisma.$queryRaw`SELECT id FROM "Repository" WHERE "organizationId" = ${organizationId} ORDER BY name LIMIT 50`, baselineRuns);
  console.log(`\n${title}: median of ${runs} runs; baseline (bare SELECT of the first 50 ids by name, median of ${baselineRuns} runs) ${baselineMs.toFixed(2)} ms`);
  console.log("viewer | case | shown | median | ratio to baseline");
  for (const [role, viewer] of Object.entries(viewers)) {
    for (const { label, query } of cases) {
      const result = await listRepositories(viewer, "bench", query);
      const ms = await median(() => listRepositories(viewer, "bench", query));
      const pageShown = `page ${result.page} of ${result.pageCount}, ${result.total} match`;
      console.log(`${role} | ${label} | ${pageShown} | ${ms.toFixed(2)} ms | ${(ms / baselineMs).toFixed(1)}`);
    }
  }
}

/** Runs `work` twice to warm up, then `count` times, and returns the median duration in milliseconds. */
async function median(work: () => Promise<unknown>, count = runs): Promise<number> {
  await work();
  await work();
  const durations: number[] = [];
  for (let run = 0; run < count; run++) {
    const started = performance.now();
    await work();
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const middle = Math.floor(durations.length / 2);
  return durations.length % 2 === 1 ? durations[middle]! : (durations[middle - 1]! + durations[middle]!) / 2;
}

/**
 * Prints the EXPLAIN ANALYZE plan of each statement listRepositories sends for
 * `viewer`, captured from a second Prisma client that logs its queries.
 */
async function explainAll(cases: { label: string; query: RepositoryQuery }[], viewer: Viewer) {
  const { PrismaClient } = await import("@/generated/prisma/client");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const pg = await import("pg");
  const logged: { query: string; params: string }[] = [];
  const logging = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }), log: [{ emit: "event", level: "query" }] });
  logging.$on("query", (event) => logged.push({ query: event.query, params: event.params }));
  const client = new pg.default.Client({ connectionString: database.url });
  await client.connect();
  // listRepositories reads the process's one client, so the logging client replaces it while the plans are taken.
  const global = globalThis as unknown as { shipshapePrisma?: unknown };
  const previous = global.shipshapePrisma;
  global.shipshapePrisma = logging;
  try {
    for (const { label, query } of cases) {
      logged.length = 0;
      await listRepositories(viewer, "bench", query);
      console.log(`\n=== member, ${label}: ${logged.length} statements`);
      for (const statement of logged) {
        if (!/^\s*SELECT/i.test(statement.query)) continue;
        const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.query}`, JSON.parse(statement.params) as unknown[]);
        console.log(`--- ${statement.query.slice(0, 160)}…`);
        console.log(plan.rows.map((row: Record<string, string>) => row["QUERY PLAN"]).join("\n"));
      }
    }
  } finally {
    global.shipshapePrisma = previous;
    await client.end();
    await logging.$disconnect();
  }
}

/**
 * Seeds the organization "bench" with REPOSITORIES repositories of varied names,
 * grades, failing policies and push times, 2% of them deleted. Its users are an
 * owner and a member in a team that reads every 5th repository. Other teams and
 * members keep the permission tables from being trivially small.
 */
async function seed() {
  const random = seededRandom("bench-pages");
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const organization = await prisma.organization.create({ data: { name: "bench" } });
  const owner = await prisma.user.create({ data: { email: "owner@bench.test" } });
  const member = await prisma.user.create({ data: { email: "member@bench.test" } });
  const others = Array.from({ length: OTHER_MEMBERS }, (_, index) => ({ id: `bench-user-${index}`, email: `user-${index}@bench.test` }));
  await prisma.user.createMany({ data: others });
  await prisma.membership.createMany({
    data: [
      { organizationId: organization.id, userId: owner.id, role: "OWNER" },
      { organizationId: organization.id, userId: member.id, role: "MEMBER" },
      ...others.map((user) => ({ organizationId: organization.id, userId: user.id, role: "MEMBER" as const })),
    ],
  });

  const words = ["api", "web", "worker", "billing", "auth", "search", "gateway", "cache", "queue", "mailer", "reports", "admin", "mobile", "payments", "ledger", "images", "media", "proxy", "scheduler", "metrics"];
  const gradeWeights: [string | null, number][] = [["A", 15], ["B", 25], ["C", 20], ["D", 15], ["E", 10], ["F", 10], [null, 5]];
  const percentRange: Record<string, [number, number]> = { A: [90.01, 100], B: [70.01, 90], C: [50.01, 70], D: [30.01, 50], E: [10.01, 30], F: [0, 10] };
  const now = Date.now();
  const repositories = Array.from({ length: repositoryCount }, (_, index) => {
    let roll = random() * 100;
    const grade = gradeWeights.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? null;
    const [low, high] = grade === null ? [0, 0] : percentRange[grade]!;
    // Worse grades fail more policies: from none for most A repositories to five for F.
    const failingCount = grade === null ? 0 : Math.min(policyIds.length, "ABCDEF".indexOf(grade) + Math.floor(random() * 2));
    const shuffled = policyIds.map((id) => ({ id, key: random() })).sort((a, b) => a.key - b.key);
    const failingPolicies = shuffled.slice(0, failingCount).map((entry) => entry.id);
    return {
      id: `bench-repository-${index}`,
      organizationId: organization.id,
      name: `bench/${pick(words)}-${pick(words)}-${String(index).padStart(5, "0")}`,
      grade,
      percent: grade === null ? null : low + random() * (high - low),
      failingPolicies,
      lastPushedAt: grade === null && random() < 0.5 ? null : new Date(now - Math.floor(random() * 365 * 24 * 3600 * 1000)),
      tagCount: 1 + Math.floor(random() * 50),
      deletedAt: random() < 0.02 ? new Date(now) : null,
    };
  });
  for (let start = 0; start < repositories.length; start += 1000) {
    await prisma.repository.createMany({ data: repositories.slice(start, start + 1000) });
  }

  const team = await prisma.team.create({ data: { organizationId: organization.id, name: "readers" } });
  await prisma.teamMember.create({ data: { teamId: team.id, userId: member.id } });
  const granted = repositories.filter((_, index) => index % TEAM_READ_SHARE === 0);
  await prisma.repositoryPermission.createMany({ data: granted.map((repository) => ({ teamId: team.id, repositoryId: repository.id, permission: "READ" as const })) });

  for (let teamIndex = 0; teamIndex < OTHER_TEAMS; teamIndex++) {
    const other = await prisma.team.create({ data: { organizationId: organization.id, name: `team-${teamIndex}` } });
    const teamMembers = others.filter((_, index) => index % OTHER_TEAMS === teamIndex);
    await prisma.teamMember.createMany({ data: teamMembers.map((user) => ({ teamId: other.id, userId: user.id })) });
    const teamRepositories = repositories.filter(() => random() < 0.1);
    await prisma.repositoryPermission.createMany({ data: teamRepositories.map((repository) => ({ teamId: other.id, repositoryId: repository.id, permission: pick(["READ", "WRITE", "ADMIN"] as const) })) });
  }

  const viewer = (user: { id: string; email: string }): Viewer => ({ id: user.id, email: user.email, name: null, isSiteAdmin: false });
  const memberReadable = granted.filter((repository) => repository.deletedAt === null).length;
  return { organizationId: organization.id, owner: viewer(owner), member: viewer(member), memberReadable };
}

/**
 * Returns a seeded source of numbers in [0, 1), so every run seeds the same data.
 * Each number is the first 32 bits of the SHA-256 of the seed and a counter.
 */
function seededRandom(seed: string): () => number {
  let counter = 0;
  return () => {
    counter += 1;
    return createHash("sha256").update(`${seed}#${counter}`).digest().readUInt32BE(0) / 2 ** 32;
  };
}
