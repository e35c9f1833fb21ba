import { openDatabase } from "@/bin/commands/database";
import { openLocalStore } from "@/lib/cli/local-store";
import { type AdvisoryImportResult, importAdvisories } from "@/lib/advisories/import-advisories";
import { maxStoredProblems, problemsOf, type SnapshotProblem } from "@/lib/advisories/snapshot-problems";
import { getPrisma, type PrismaClient } from "@/lib/db";
import { regradeAfterImport } from "@/lib/grading/regrade-after-import";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import { hideUrlCredentials } from "@/lib/security/hide-credentials";

/** Problems printed per import; the snapshot stores more. */
const maxPrintedProblems = 10;

/**
 * Imports each advisory source in turn, prints one line per import, and exits 1 when any import failed.
 * With --store, it writes into the command line's local store in that folder instead of the server's database.
 */
export async function runAdvisoriesImport(sources: string[], options: { store?: string } = {}): Promise<void> {
  if (options.store !== undefined) {
    const store = await openLocalStore(options.store, { create: true });
    let imported = false;
    try {
      imported = await importAdvisorySources(store.prisma, sources, printLine, printErrorLine);
    } finally {
      await store.close();
    }
    process.exit(imported ? 0 : 1);
  }

  const database = await openDatabase();
  let allSucceeded = false;
  try {
    allSucceeded = await importAdvisorySources(getPrisma(), sources, printLine, printErrorLine);
  } finally {
    await getPrisma().$disconnect();
    await database.embedded?.stop();
  }
  process.exit(allSucceeded ? 0 : 1);
}

const printLine = (line: string) => process.stdout.write(`${line}\n`);
const printErrorLine = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Imports each source, prints its snapshot, re-grades the images it affects,
 * or prints its error with `printError`; returns whether every import succeeded.
 */
export async function importAdvisorySources(prisma: PrismaClient, sources: string[], print: (line: string) => void, printError: (line: string) => void = print): Promise<boolean> {
  let allSucceeded = true;
  for (const source of sources) {
    try {
      const result = await importAdvisories(prisma, source);
      for (const line of describeImport(result)) print(line);
      const regraded = await regradeAfterImport(prisma, result);
      print(`  ${plural(regraded, "image", "images")} re-graded from stored packages`);
    } catch (error) {
      allSucceeded = false;
      // The source may be a URL with a password, which is printed hidden.
      const shownSource = hideUrlCredentials(source);
      // An AppError's message is written for the operator already; anything else is logged in full first.
      if (error instanceof AppError) {
        printError(`${shownSource}: import failed: ${error.message}`);
      } else {
        logger.error({ err: error, source: shownSource }, "advisory import failed");
        printError(`${shownSource}: import failed: ${publicMessage(error)} (${hideUrlCredentials(error instanceof Error ? error.message : String(error))})`);
      }
    }
  }
  return allSucceeded;
}

/** Formats an import as a summary line followed by up to 10 of its problems. */
export function describeImport(result: AdvisoryImportResult): string[] {
  const snapshot = result.snapshot;
  const durationMs = (snapshot.finishedAt ?? new Date()).getTime() - snapshot.startedAt.getTime();
  const counts = `${snapshot.recordsAdded} added, ${snapshot.recordsUpdated} updated, ${snapshot.recordsRemoved} removed, ${snapshot.recordsUnchanged} unchanged, ${snapshot.recordsSkipped} skipped`;
  const changed = result.kind === "osv" ? plural(result.changedPackages.length, "package", "packages") : plural(result.changedCveIds.length, "CVE", "CVEs");
  const lines = [`${snapshot.source}: ${result.kind === "kev" ? "KEV catalog" : "OSV records"} imported in ${durationMs} ms: ${counts}; ${changed} changed`];

  const problems = problemsOf(snapshot);
  for (const problem of problems.slice(0, maxPrintedProblems)) lines.push(`  skipped ${describeRecord(problem)}: ${problem.reason}`);
  const unprinted = Math.max(problems.length, snapshot.recordsSkipped) - Math.min(problems.length, maxPrintedProblems);
  if (unprinted > 0) {
    lines.push(`  … and ${unprinted} more skipped; snapshot ${snapshot.id} lists the first ${maxStoredProblems} in its problems`);
  }

  const total = snapshot.recordsAdded + snapshot.recordsUpdated + snapshot.recordsRemoved + snapshot.recordsUnchanged + snapshot.recordsSkipped;
  if (total === 0) lines.push(`  warning: ${snapshot.source} contains no records. Check that it is an OSV all.zip, a folder of OSV .json files or a KEV catalog.`);
  return lines;
}

function describeRecord(problem: SnapshotProblem): string {
  if (problem.id !== null && problem.file !== null) return `${problem.id} (${problem.file})`;
  return problem.id ?? problem.file ?? "a record";
}

function plural(count: number, singular: string, pluralForm: string): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
