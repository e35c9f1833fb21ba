// Advisory import benchmark: an OSV all.zip of RECORDS records, made from the
// real fixture records with new ids, imported into an embedded Postgres twice.
// The baseline, measured in the same run, only streams the zip and validates
// each record (unzip, JSON.parse, parseOsvRecord) and writes nothing.
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { records: { type: "string", default: "20000" } } });
const recordCount = Number(values.records);
process.env.LOG_LEVEL ??= "warn";

const workDir = await mkdtemp(path.join(tmpdir(), "shipshape-bench-advisories-"));
const { startEmbeddedPostgres } = await import("@/lib/database/embedded-postgres");
const database = await startEmbeddedPostgres(workDir);
process.env.DATABASE_URL = database.url;
const { applyMigrations } = await import("@/lib/database/migrate");
await applyMigrations(database.url);

const { buildZip, readOsvFixtureFiles } = await import("@/lib/advisories/testing/advisory-fixtures");
const { readZipEntries } = await import("@/lib/advisories/zip-entries");
const { importOsv } = await import("@/lib/advisories/import-osv");
const { parseOsvRecord } = await import("@/scoring/advisories/osv-record");
const { getPrisma } = await import("@/lib/db");

try {
  // Each generated record is a real fixture record with a new id, so validation and indexing do real work.
  const fixtures = [...(await readOsvFixtureFiles()).values()].map((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>);
  const templates = fixtures.filter((record) => record.withdrawn === undefined);
  const files = new Map<string, string>();
  for (let index = 0; index < recordCount; index++) {
    const template = templates[index % templates.length] ?? {};
    const id = `BENCH-${String(index).padStart(7, "0")}`;
    files.set(`${id}.json`, JSON.stringify({ ...template, id }));
  }
  const zipPath = path.join(workDir, "all.zip");
  const zip = buildZip(files);
  await writeFile(zipPath, zip);

  const baselineStarted = performance.now();
  let valid = 0;
  for await (const entry of readZipEntries(createReadStream(zipPath), { location: zipPath, maxFileBytes: 64 * 1024 * 1024 })) {
    if ("bytes" in entry && "record" in parseOsvRecord(new TextDecoder().decode(entry.bytes))) valid += 1;
  }
  const baselineMs = performance.now() - baselineStarted;

  const prisma = getPrisma();
  const firstStarted = performance.now();
  const first = await importOsv(prisma, zipPath);
  const firstMs = performance.now() - firstStarted;
  const againStarted = performance.now();
  const again = await importOsv(prisma, zipPath);
  const againMs = performance.now() - againStarted;

  const rate = (ms: number) => Math.round(recordCount / (ms / 1000));
  console.log(`\nOSV import of ${recordCount} records (${(zip.byteLength / 1024 / 1024).toFixed(1)} MiB zip)`);
  console.log(`baseline (unzip and validate only): ${(baselineMs / 1000).toFixed(2)} s, ${rate(baselineMs)} records/s, ${valid} valid`);
  console.log(`first import: ${(firstMs / 1000).toFixed(2)} s, ${rate(firstMs)} records/s, ${first.snapshot.recordsAdded} added, ratio to baseline ${(firstMs / baselineMs).toFixed(2)}`);
  console.log(`re-import: ${(againMs / 1000).toFixed(2)} s, ${rate(againMs)} records/s, ${again.snapshot.recordsUnchanged} unchanged, ratio to baseline ${(againMs / baselineMs).toFixed(2)}`);
  await prisma.$disconnect();
} finally {
  await database.stop();
  await rm(workDir, { recursive: true, force: true });
}
