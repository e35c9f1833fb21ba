// Repository page benchmark at organization scale. Seeds the 10,000-repository
// organization of bench/pages/seed-organization.ts, gives one repository the
// member reads TAGS tags, and makes one of them an image of PACKAGES npm
// packages with 4 advisories each (copies of a real OSV record), graded so that
// its report has PACKAGES × 4 findings. Then it times, for the member, the data
// functions each page awaits, without HTTP or rendering: the repository list,
// the General tab, the tag list and the tag view (tag, packages,
// vulnerabilities and fixes, as the page runs them). Each case prints the
// median and the 95th percentile of RUNS runs and the median's ratio to a
// baseline measured in the same run, the bare SELECT of bench/pages/run.ts.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    repositories: { type: "string", default: "10000" },
    tags: { type: "string", default: "200" },
    packages: { type: "string", default: "500" },
    runs: { type: "string", default: "40" },
  },
});
const repositoryCount = Number(values.repositories);
const tagCount = Number(values.tags);
const packageCount = Number(values.packages);
const runs = Number(values.runs);
const RECORDS_PER_PACKAGE = 4;
process.env.LOG_LEVEL ??= "warn";

const { startBenchDatabase, timings } = await import("../bench-database");
const database = await startBenchDatabase("views");
const { workDir } = database;

const { getPrisma } = await import("@/lib/db");
const { seedOrganization } = await import("./seed-organization");
const { digestOf, seedSingleTag } = await import("@/lib/database/testing/seed-images");
const { importOsv } = await import("@/lib/advisories/import-osv");
const { generatedRecord, readRecordTemplate, storeNpmPackages } = await import("../advisories/generated-records");
const { gradeImages } = await import("@/lib/grading/grade-images");
const { refreshGradesOfImages } = await import("@/lib/grading/refresh-grades");
const { listRepositories } = await import("@/lib/data/list-repositories");
const { getRepositoryOverview } = await import("@/lib/data/get-repository-overview");
const { listTags } = await import("@/lib/data/list-tags");
const { getTag } = await import("@/lib/data/get-tag");
const { getImageAnalysis } = await import("@/lib/data/get-image-analysis");
const { getImageVulnerabilities } = await import("@/lib/data/get-image-vulnerabilities");
const { getTagDetails } = await import("@/lib/data/get-tag-details");

const prisma = getPrisma();
try {
  const started = performance.now();
  const { organizationId, member } = await seedOrganization(prisma, repositoryCount);
  const repository = await prisma.repository.findFirstOrThrow({
    where: { organizationId, deletedAt: null, permissions: { some: { team: { members: { some: { userId: member.id } } } } } },
    orderBy: { name: "asc" },
  });
  const shortName = repository.name.slice("bench/".length);
  for (let index = 0; index < tagCount; index++) {
    await seedSingleTag(prisma, repository.id, `1.${index}`, digestOf(`${repository.name} 1.${index}`), {
      image: { analysis: "ANALYSED" },
      tag: { grade: "ABCDEF"[index % 6]!, percent: 50, lastPushedAt: new Date(Date.UTC(2026, 0, 1, 0, index)) },
    });
  }
  const findingsImage = await seedFindingsImage(repository.id);
  await prisma.$executeRawUnsafe("ANALYZE");
  const report = await prisma.scoreReport.findFirstOrThrow({ where: { imageDigest: findingsImage }, orderBy: { createdAt: "desc" } });
  const findings = (report.findings as unknown[]).length;
  console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s: ${repositoryCount} repositories; ${repository.name} has ${tagCount + 1} tags; tag "findings" has ${packageCount} packages and ${findings} findings`);

  const baseline = await timings(() => prisma.$queryRaw`SELECT id FROM "Repository" WHERE "organizationId" = ${organizationId} ORDER BY name LIMIT 50`, runs * 5);
  console.log(`baseline (bare SELECT of the first 50 ids by name): median ${baseline.median.toFixed(2)} ms\n`);
  console.log("page | median | p95 | ratio to baseline");
  const cases: [string, () => Promise<unknown>][] = [
    ["repository list, first page", () => listRepositories(member, "bench")],
    ["General tab", () => getRepositoryOverview(member, "bench", shortName)],
    [`tag list, page 1 of ${tagCount + 1} tags`, () => listTags(member, "bench", shortName)],
    ["tag list, sorted by grade", () => listTags(member, "bench", shortName, { sort: "grade" })],
    [
      `tag view, ${findings} findings`,
      async () => {
        await getTag(member, "bench", shortName, "findings");
        await Promise.all([
          getImageAnalysis(member, "bench", shortName, "findings", findingsImage, { packages: {} }),
          getImageVulnerabilities(member, "bench", shortName, "findings", findingsImage, { vulnerabilities: {} }),
          getTagDetails(member, "bench", shortName, "findings", findingsImage),
        ]);
      },
    ],
    // The tag view's parts, to show which one its time goes to.
    ["  tag view: getTag", () => getTag(member, "bench", shortName, "findings")],
    ["  tag view: packages", () => getImageAnalysis(member, "bench", shortName, "findings", findingsImage, { packages: {} })],
    ["  tag view: vulnerabilities", () => getImageVulnerabilities(member, "bench", shortName, "findings", findingsImage, { vulnerabilities: {} })],
    ["  tag view: fixes, base image, layers, history", () => getTagDetails(member, "bench", shortName, "findings", findingsImage)],
  ];
  for (const [label, work] of cases) {
    const result = await timings(work, runs);
    console.log(`${label} | ${result.median.toFixed(1)} ms | ${result.p95.toFixed(1)} ms | ${(result.median / baseline.median).toFixed(1)}`);
  }
  await prisma.$disconnect();
} finally {
  await database.stop();
}

/**
 * Adds tag "findings": an analysed image of PACKAGES npm packages at 1.3.1, each named by
 * RECORDS_PER_PACKAGE copies of the real record GHSA-fhjf-83wg-r2j9, imported through the
 * OSV importer and graded. Returns the image digest.
 */
async function seedFindingsImage(repositoryId: string): Promise<string> {
  const template = await readRecordTemplate();
  const folder = path.join(workDir, "osv");
  await mkdir(folder);
  for (let index = 0; index < packageCount * RECORDS_PER_PACKAGE; index++) {
    // Its own CVE alias, so the copies of one package are separate findings instead of one merged finding.
    const record = generatedRecord(template, index, `bench-${index % packageCount}`, { aliases: [`CVE-2099-${String(10000 + index)}`] });
    await writeFile(path.join(folder, `BENCH-${index}.json`), record);
  }
  await importOsv(prisma, folder);

  const digest = digestOf("findings image");
  await seedSingleTag(prisma, repositoryId, "findings", digest, { image: { analysis: "ANALYSED" }, tag: { lastPushedAt: new Date(Date.UTC(2026, 1, 1)) } });
  const names = Array.from({ length: packageCount }, (_, index) => `bench-${index}`);
  await storeNpmPackages(prisma, digest, names);
  await prisma.imageAnalysis.update({ where: { imageDigest: digest }, data: { packageCount, analysedAt: new Date() } });
  await gradeImages(prisma, [digest]);
  await refreshGradesOfImages(prisma, [digest]);
  return digest;
}
