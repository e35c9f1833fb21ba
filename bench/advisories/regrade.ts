// Matching and re-grade benchmark. Imports RECORDS generated OSV records (the
// real npm record GHSA-fhjf-83wg-r2j9, each copy naming its own package
// `bench-N`), then:
//  1. grades one image of PACKAGES npm packages (bench-1 onwards) against that store, beside a
//     baseline that matches the same packages and records in memory only;
//  2. stores IMAGES analysed images of 30 packages each, AFFECTED of which hold
//     package `bench-0`, changes the one advisory that names it, and re-grades
//     what the import affects, beside a baseline that grades exactly the
//     affected images with their digests given.
import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "write-zip": { type: "string" },
    records: { type: "string", default: "200000" },
    packages: { type: "string", default: "1500" },
    images: { type: "string", default: "10000" },
    affected: { type: "string", default: "1000" },
  },
});
const recordCount = Number(values.records);
const packageCount = Number(values.packages);
const imageCount = Number(values.images);
const affectedCount = Number(values.affected);
const PACKAGES_PER_STORED_IMAGE = 30;
process.env.LOG_LEVEL ??= "warn";

const { AFFECTED_VERSION, generatedRecord: recordCopy, readRecordTemplate, storeNpmPackages } = await import("./generated-records");
const template = await readRecordTemplate();

if (values["write-zip"] !== undefined) {
  await writeZip(values["write-zip"]);
  process.exit(0);
}

const { startBenchDatabase } = await import("../bench-database");
const database = await startBenchDatabase("regrade");
const { workDir } = database;

const { importOsv } = await import("@/lib/advisories/import-osv");
const { importAdvisories } = await import("@/lib/advisories/import-advisories");
const { getPrisma } = await import("@/lib/db");
const { gradeImages } = await import("@/lib/grading/grade-images");
const { matchImages } = await import("@/lib/grading/match-images");
const { regradeAfterImport } = await import("@/lib/grading/regrade-after-import");
const { matchPackages, parseOsvRecord } = await import("@/scoring/advisories");
const { orderingForEcosystem } = await import("@/scoring/versions/version-ordering");

/** Writes the generated records as an OSV all.zip. */
async function writeZip(target: string): Promise<void> {
  const { buildZip } = await import("@/lib/advisories/testing/advisory-fixtures");
  const files = new Map<string, string>();
  for (let index = 0; index < recordCount; index++) files.set(`BENCH-${index}.json`, generatedRecord(index));
  await writeFile(target, buildZip(files));
}

/** A copy of the real record that names package `bench-N` and has its own id. */
function generatedRecord(index: number, modified = template.modified): string {
  return recordCopy(template, index, `bench-${index % Math.max(1, Math.floor(recordCount / 4))}`, { modified });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (kilobytes: number) => `${Math.round(kilobytes / 1024)} MB`;

try {
  const prisma = getPrisma();

  // Import: every record names one of RECORDS/4 packages, so each package has four records. The zip is
  // written by a child process, so this process's peak memory is the import's, not the generator's.
  const zipPath = path.join(workDir, "all.zip");
  const generator = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--write-zip", zipPath, "--records", String(recordCount)], { stdio: "inherit" });
  if (generator.status !== 0) throw new Error(`generating ${recordCount} records failed with exit code ${generator.status}`);
  const importStarted = performance.now();
  const imported = await importOsv(prisma, zipPath);
  const importMs = performance.now() - importStarted;
  console.log(`\nOSV import of ${recordCount} records: ${seconds(importMs)}, ${imported.snapshot.recordsAdded} added, peak RSS of the importing process ${megabytes(process.resourceUsage().maxRSS)}`);

  // 1. One image of PACKAGES packages, versions 1.3.1 (below the fix) so every package has findings.
  const imageNames = Array.from({ length: packageCount }, (_, index) => `bench-${index + 1}`);
  const image = await storeImage(prisma, "sha256:" + "f".repeat(64), imageNames);
  const matchStarted = performance.now();
  await gradeImages(prisma, [image]);
  const matchMs = performance.now() - matchStarted;
  const report = await prisma.scoreReport.findFirstOrThrow({ where: { imageDigest: image } });
  const findings = (report.findings as unknown[]).length;

  const stored = await prisma.advisory.findMany({ where: { packages: { some: { ecosystem: "npm", name: { in: imageNames } } } }, select: { record: true } });
  const records = stored.map((row) => parseOsvRecord(row.record)).flatMap((parsed) => ("record" in parsed ? [parsed.record] : []));
  const installed = imageNames.map((name) => ({ ecosystem: "npm", name, version: AFFECTED_VERSION, purl: `pkg:npm/${name}@${AFFECTED_VERSION}` }));
  const baselineStarted = performance.now();
  const inMemory = matchPackages(installed, records, orderingForEcosystem);
  const baselineMs = performance.now() - baselineStarted;
  const matchOnlyStarted = performance.now();
  await matchImages(prisma, [image]);
  const matchOnlyMs = performance.now() - matchOnlyStarted;
  console.log(`\nOne image of ${packageCount} packages against ${recordCount} records: ${records.length} records apply, ${findings} findings`);
  console.log(`baseline (match in memory, records already loaded): ${seconds(baselineMs)}, ${inMemory.findings.length} findings`);
  console.log(`match with loading from Postgres: ${seconds(matchOnlyMs)}, ratio ${(matchOnlyMs / baselineMs).toFixed(2)}`);
  console.log(`grade (match, score, store the report): ${seconds(matchMs)}, ratio ${(matchMs / baselineMs).toFixed(2)}`);

  // 2. IMAGES stored images; AFFECTED of them hold bench-0, the rest only other packages.
  const digests: string[] = [];
  for (let index = 0; index < imageCount; index++) {
    const names = Array.from({ length: PACKAGES_PER_STORED_IMAGE }, (_, offset) => `bench-${1 + ((index * PACKAGES_PER_STORED_IMAGE + offset) % (packageCount * 4))}`);
    if (index < affectedCount) names[0] = "bench-0";
    digests.push(await storeImage(prisma, `sha256:${index.toString(16).padStart(64, "0")}`, names));
  }

  // Change the one record that names bench-0: a later `modified` makes the import update it.
  const changedFolder = path.join(workDir, "changed");
  await mkdir(changedFolder);
  await writeFile(path.join(changedFolder, "BENCH-0000000.json"), generatedRecord(0, "2030-01-01T00:00:00Z"));
  const regradeStarted = performance.now();
  const changed = await importAdvisories(prisma, changedFolder);
  const regraded = await regradeAfterImport(prisma, changed);
  const regradeMs = performance.now() - regradeStarted;

  const affectedDigests = digests.slice(0, affectedCount);
  const gradeOnlyStarted = performance.now();
  await gradeImages(prisma, affectedDigests);
  const gradeOnlyMs = performance.now() - gradeOnlyStarted;
  const untouched = await prisma.scoreReport.count({ where: { imageDigest: { in: digests.slice(affectedCount) } } });
  console.log(`\nChange of one advisory, ${imageCount} stored images of ${PACKAGES_PER_STORED_IMAGE} packages, ${affectedCount} hold the package`);
  console.log(`baseline (grade the ${affectedCount} affected images, digests given): ${seconds(gradeOnlyMs)}`);
  console.log(`import the change and re-grade what it affects: ${seconds(regradeMs)}, ${regraded} images re-graded, ${untouched} reports written for the other ${imageCount - affectedCount}, ratio ${(regradeMs / gradeOnlyMs).toFixed(2)}`);
  console.log(`\npeak RSS of the process: ${megabytes(process.resourceUsage().maxRSS)}`);
  await prisma.$disconnect();
} finally {
  await database.stop();
}

/** Stores an analysed image with npm packages at version 1.3.1, without a registry: only the rows grading reads. */
async function storeImage(prisma: ReturnType<typeof getPrisma>, digest: string, names: string[]): Promise<string> {
  await prisma.image.create({
    data: {
      digest,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      platform: "linux/amd64",
      os: "linux",
      architecture: "amd64",
      configDigest: digest,
      compressedSize: 0n,
      analysis: { create: { status: "ANALYSED", packageCount: names.length, analysedAt: new Date() } },
    },
  });
  await storeNpmPackages(prisma, digest, names);
  return digest;
}
