import { type ImportOptions, resolveImportOptions } from "@/lib/advisories/import-options";
import { type KevRow, parseKevCatalog } from "@/lib/advisories/kev-catalog";
import { lockAdvisoryTable, transactionOptions } from "@/lib/advisories/lock-advisory-table";
import { openAdvisorySource } from "@/lib/advisories/open-advisory-source";
import { SnapshotProblems } from "@/lib/advisories/snapshot-problems";
import type { AdvisorySnapshot } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

export interface KevImportResult {
  snapshot: AdvisorySnapshot;
  /** CVE ids added to or removed from the catalog, or whose stored fields changed, sorted. */
  changedCveIds: string[];
}

/**
 * Imports CISA's KEV catalog from a JSON file or an http(s) URL of one. The table's contents
 * are replaced in one transaction, so a CVE that left the catalog disappears, and the
 * snapshot (kind "kev") is written in the same transaction. A file that is not a KEV
 * catalog raises an AppError naming the field, and nothing is written.
 */
export async function importKev(prisma: PrismaClient, source: string, options: ImportOptions = {}): Promise<KevImportResult> {
  const opened = await openAdvisorySource(source, resolveImportOptions(options));
  try {
    if (opened.document === null) {
      throw new AppError(
        "INVALID_INPUT",
        `${opened.location} is a ${opened.format === "zip" ? "zip archive" : "folder"}, not a KEV catalog. Give CISA's known_exploited_vulnerabilities.json file or its URL.`,
      );
    }
    return await importKevDocument(prisma, parseJsonDocument(opened.document, opened.location), opened.location);
  } finally {
    await opened.close();
  }
}

/** Imports a KEV catalog that is already parsed, for callers that read the file to detect its kind. */
export async function importKevDocument(prisma: PrismaClient, document: unknown, location: string): Promise<KevImportResult> {
  const started = Date.now();
  const catalog = parseKevCatalog(document, location);
  const problems = new SnapshotProblems();
  for (const problem of catalog.problems) problems.addSkipped(problem);

  const result = await prisma.$transaction(async (tx) => {
    await lockAdvisoryTable(tx, "KnownExploitedVulnerability");
    const stored = await tx.knownExploitedVulnerability.findMany();
    const diff = compareCatalogs(stored, catalog.rows);

    const snapshot = await tx.advisorySnapshot.create({
      data: {
        kind: "kev",
        source: location,
        startedAt: new Date(started),
        recordsAdded: diff.added,
        recordsUpdated: diff.updated,
        recordsRemoved: diff.removed,
        recordsUnchanged: diff.unchanged,
        recordsSkipped: problems.skippedCount,
        problems: problems.toJson(),
      },
    });
    await tx.knownExploitedVulnerability.deleteMany({});
    await tx.knownExploitedVulnerability.createMany({ data: catalog.rows.map((row) => ({ ...row, snapshotId: snapshot.id })) });
    const finished = await tx.advisorySnapshot.update({ where: { id: snapshot.id }, data: { finishedAt: new Date() } });
    return { snapshot: finished, changedCveIds: diff.changedCveIds };
  }, transactionOptions);

  logger.info(
    { snapshot: result.snapshot.id, source: location, catalogVersion: catalog.catalogVersion, entries: catalog.rows.length, changed: result.changedCveIds.length, skipped: problems.skippedCount, durationMs: Date.now() - started },
    "KEV import finished",
  );
  return result;
}

/** Parses a JSON file that must be a KEV catalog, raising an AppError that names the file. */
export function parseJsonDocument(bytes: Uint8Array, location: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new AppError("INVALID_INPUT", `${location} is not valid JSON: ${(error as Error).message}. Give CISA's known_exploited_vulnerabilities.json file, downloaded in full.`, { cause: error });
  }
}

/** A stored row: the table allows nulls that a validated catalog entry never has. */
interface StoredKevRow {
  cveId: string;
  vendorProject: string | null;
  product: string | null;
  dateAdded: Date | null;
  knownRansomware: boolean;
}

function compareCatalogs(stored: StoredKevRow[], incoming: KevRow[]) {
  const previous = new Map(stored.map((row) => [row.cveId, row]));
  const current = new Set(incoming.map((row) => row.cveId));
  const changed: string[] = [];
  let added = 0;
  let updated = 0;
  let unchanged = 0;

  for (const row of incoming) {
    const before = previous.get(row.cveId);
    if (before === undefined) {
      added += 1;
      changed.push(row.cveId);
    } else if (sameRow(before, row)) {
      unchanged += 1;
    } else {
      updated += 1;
      changed.push(row.cveId);
    }
  }
  const removedIds = stored.map((row) => row.cveId).filter((cveId) => !current.has(cveId));
  changed.push(...removedIds);

  return { added, updated, removed: removedIds.length, unchanged, changedCveIds: changed.sort() };
}

function sameRow(stored: StoredKevRow, incoming: KevRow): boolean {
  return (
    stored.vendorProject === incoming.vendorProject &&
    stored.product === incoming.product &&
    stored.dateAdded?.getTime() === incoming.dateAdded.getTime() &&
    stored.knownRansomware === incoming.knownRansomware
  );
}
