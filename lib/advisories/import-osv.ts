import type { Logger } from "pino";
import { type ImportOptions, type ResolvedImportOptions, resolveImportOptions } from "@/lib/advisories/import-options";
import { type AdvisorySource, openAdvisorySource } from "@/lib/advisories/open-advisory-source";
import { type OsvRow, readOsvEntry } from "@/lib/advisories/read-osv-entry";
import { type SnapshotProblem, SnapshotProblems } from "@/lib/advisories/snapshot-problems";
import { type ChangedPackage, ChangedPackages, type ImportCounts, writeOsvBatch } from "@/lib/advisories/write-osv-batch";
import { type AdvisorySnapshot, Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";

export interface OsvImportResult {
  snapshot: AdvisorySnapshot;
  /** Packages whose advisories were added, updated or removed, sorted by ecosystem and name, for re-matching. */
  changedPackages: ChangedPackage[];
}

/**
 * Imports OSV records from an `all.zip` archive, a folder of `*.json` files (searched
 * recursively), one `.json` file, or an http(s) URL of a zip or JSON file. Records are
 * written in batches of `batchSize`, each in its own transaction, and only when their
 * `modified` is later than the stored one. Withdrawn records are deleted. A record that is
 * not valid JSON, fails the OSV schema or is rejected by the database is skipped and listed
 * in the snapshot's problems.
 *
 * Errors: a missing or unsupported path, or a URL that cannot be downloaded, raises an
 * AppError and writes nothing. An error after the import started (a download cut off, a
 * damaged archive, a database failure) is raised too, but first recorded in the snapshot,
 * which keeps `finishedAt` null. Batches committed before that error stay, which is safe
 * because each batch holds only complete records and a new import continues from them.
 */
export async function importOsv(prisma: PrismaClient, source: string, options: ImportOptions = {}): Promise<OsvImportResult> {
  const resolved = resolveImportOptions(options);
  const opened = await openAdvisorySource(source, resolved);
  try {
    return await importOsvSource(prisma, opened, resolved);
  } finally {
    await opened.close();
  }
}

/** Imports the records of an opened source, for callers that opened it to look inside first. */
export async function importOsvSource(prisma: PrismaClient, source: AdvisorySource, options: ResolvedImportOptions): Promise<OsvImportResult> {
  const started = Date.now();
  const snapshot = await prisma.advisorySnapshot.create({ data: { kind: "osv", source: source.location } });
  const log = logger.child({ snapshot: snapshot.id, source: source.location });
  log.info({ format: source.format }, "OSV import started");

  const importer = new OsvBatchImporter(prisma, snapshot.id, options.batchSize, log);
  try {
    for await (const entry of source.entries) {
      const result = readOsvEntry(entry);
      if ("problem" in result) importer.skip(result.problem);
      else await importer.add(result.row);
    }
    await importer.flush();
  } catch (error) {
    await recordFailure(prisma, snapshot.id, importer, error, log);
    throw error;
  }

  const finished = await prisma.advisorySnapshot.update({
    where: { id: snapshot.id },
    data: { ...snapshotCounts(importer), problems: importer.problems.toJson(), finishedAt: new Date() },
  });
  log.info({ ...importer.counts, skipped: importer.problems.skippedCount, durationMs: Date.now() - started }, "OSV import finished");
  return { snapshot: finished, changedPackages: importer.changedPackages() };
}

/** Collects records into batches of distinct ids and writes each batch, keeping the counts. */
class OsvBatchImporter {
  readonly counts: ImportCounts = { added: 0, updated: 0, removed: 0, unchanged: 0 };
  readonly problems = new SnapshotProblems();
  readonly #changed = new ChangedPackages();
  #pending = new Map<string, OsvRow>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly snapshotId: string,
    private readonly batchSize: number,
    private readonly log: Logger,
  ) {}

  skip(problem: SnapshotProblem): void {
    this.problems.addSkipped(problem);
    this.log.debug({ record: problem.id, file: problem.file, reason: problem.reason }, "skipped an OSV record");
  }

  async add(row: OsvRow): Promise<void> {
    // A second record with the same id goes into the next batch, so it is compared with the first one as stored.
    if (this.#pending.has(row.id)) await this.flush();
    this.#pending.set(row.id, row);
    if (this.#pending.size >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    const rows = [...this.#pending.values()];
    this.#pending = new Map();
    if (rows.length === 0) return;

    try {
      this.#tally(await writeOsvBatch(this.prisma, rows, this.snapshotId));
    } catch (error) {
      if (!isRecordRejection(error)) throw error;
      this.log.warn({ err: error, records: rows.length }, "the database rejected a batch; writing its records one at a time");
      await this.#writeOneByOne(rows);
    }
  }

  /** Writes each record alone, so one record the database rejects is skipped instead of its whole batch. */
  async #writeOneByOne(rows: OsvRow[]): Promise<void> {
    for (const row of rows) {
      try {
        this.#tally(await writeOsvBatch(this.prisma, [row], this.snapshotId));
      } catch (error) {
        if (!isRecordRejection(error)) throw error;
        this.skip({ id: row.id, file: row.file, reason: `the database rejected the record: ${describeRejection(error)}` });
      }
    }
  }

  #tally(result: Awaited<ReturnType<typeof writeOsvBatch>>): void {
    this.counts.added += result.counts.added;
    this.counts.updated += result.counts.updated;
    this.counts.removed += result.counts.removed;
    this.counts.unchanged += result.counts.unchanged;
    for (const changed of result.changedPackages) this.#changed.add(changed, changed.advisoryIds);
  }

  changedPackages(): ChangedPackage[] {
    return this.#changed.list().sort((a, b) => compareText(a.ecosystem, b.ecosystem) || compareText(a.name, b.name));
  }
}

function snapshotCounts(importer: OsvBatchImporter) {
  return {
    recordsAdded: importer.counts.added,
    recordsUpdated: importer.counts.updated,
    recordsRemoved: importer.counts.removed,
    recordsUnchanged: importer.counts.unchanged,
    recordsSkipped: importer.problems.skippedCount,
  };
}

/** Stores the counts so far and the error in the snapshot, leaving `finishedAt` null to mark the import as failed. */
async function recordFailure(prisma: PrismaClient, snapshotId: string, importer: OsvBatchImporter, error: unknown, log: Logger): Promise<void> {
  log.error({ err: error, ...importer.counts }, "OSV import failed");
  importer.problems.addFailure(`import failed: ${error instanceof Error ? error.message : String(error)}`);
  try {
    await prisma.advisorySnapshot.update({ where: { id: snapshotId }, data: { ...snapshotCounts(importer), problems: importer.problems.toJson() } });
  } catch (updateError) {
    // The import error is the one to raise; this one is only logged.
    log.error({ err: updateError }, "recording the failed OSV import in its snapshot failed");
  }
}

/** The Postgres error behind a Prisma error, read from the driver adapter's details. */
interface PostgresError {
  /** SQLSTATE, e.g. 22P05. */
  code: string;
  message: string;
  detail?: string;
}

function postgresErrorOf(error: unknown): PostgresError | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const cause = (error.meta as { driverAdapterError?: { cause?: Partial<PostgresError> & { originalCode?: string } } } | undefined)?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code;
  if (typeof code !== "string") return null;
  return { code, message: String(cause?.message ?? ""), detail: typeof cause?.detail === "string" ? cause.detail : undefined };
}

/**
 * Returns true when the database rejected the data of a write, as opposed to a lost connection or a
 * timeout, which would fail every other record too. SQLSTATE class 22 ("data exception")
 * covers values Postgres cannot store, such as the NUL character in text or jsonb (22P05)
 * or a date beyond its range (22008).
 */
function isRecordRejection(error: unknown): boolean {
  return postgresErrorOf(error)?.code.startsWith("22") ?? false;
}

function describeRejection(error: unknown): string {
  const postgres = postgresErrorOf(error);
  if (postgres === null) return error instanceof Error ? error.message : String(error);
  return `${postgres.message}${postgres.detail ? ` (${postgres.detail})` : ""} [SQLSTATE ${postgres.code}]`;
}

/** Compares by UTF-16 code units, like Array.sort without a comparator, so the order does not depend on the locale. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
