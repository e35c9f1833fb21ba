// Repository list benchmark: one organization with REPOSITORIES repositories
// in an embedded Postgres, listed through listRepositories (the page's data
// function, without HTTP) for an owner and for a member who reads a subset
// through a team. Each case prints its median time over RUNS runs and the ratio
// to a baseline measured in the same run: a bare
// `SELECT id FROM "Repository" WHERE "organizationId" = $1 ORDER BY name LIMIT 50`
// through the same Prisma client. With --explain it also prints the
// EXPLAIN ANALYZE plan of every statement the list function sends, for the
// member, and with --index SQL it creates that index and measures every case again.
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
process.env.LOG_LEVEL ??= "warn";

const { startBenchDatabase, timings } = await import("../bench-database");
const database = await startBenchDatabase("pages");

const { getPrisma } = await import("@/lib/db");
const { listRepositories } = await import("@/lib/data/list-repositories");
const { seedOrganization } = await import("./seed-organization");
type RepositoryQuery = import("@/lib/data/list-repositories").RepositoryQuery;
type Viewer = import("@/lib/auth/get-viewer").Viewer;

const prisma = getPrisma();
try {
  const seedStarted = performance.now();
  const { organizationId, owner, member, memberReadable } = await seedOrganization(prisma, repositoryCount);
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

/** Returns the median duration of `count` runs of `work` after two warm-up runs, in milliseconds. */
async function median(work: () => Promise<unknown>, count = runs): Promise<number> {
  return (await timings(work, count)).median;
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
