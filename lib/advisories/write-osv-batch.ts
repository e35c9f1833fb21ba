import { lockAdvisoryTable, transactionOptions } from "@/lib/advisories/lock-advisory-table";
import { type OsvRow, type PackageRef, packageKey } from "@/lib/advisories/read-osv-entry";
import type { Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";

export interface ImportCounts {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

/** A package named by changed records, with the ids of those records. */
export interface ChangedPackage extends PackageRef {
  advisoryIds: string[];
}

export interface BatchResult {
  counts: ImportCounts;
  /** Packages named by the records added, updated or removed, before and after the change. */
  changedPackages: ChangedPackage[];
}

/** Collects changed packages and the records that changed them, keyed by package. */
export class ChangedPackages {
  readonly #byKey = new Map<string, { ref: PackageRef; advisoryIds: Set<string> }>();

  add(ref: PackageRef, advisoryIds: Iterable<string>): void {
    const key = packageKey(ref);
    let entry = this.#byKey.get(key);
    if (!entry) this.#byKey.set(key, (entry = { ref: { ecosystem: ref.ecosystem, name: ref.name }, advisoryIds: new Set() }));
    for (const id of advisoryIds) entry.advisoryIds.add(id);
  }

  list(): ChangedPackage[] {
    return [...this.#byKey.values()].map(({ ref, advisoryIds }) => ({ ...ref, advisoryIds: [...advisoryIds].sort() }));
  }
}

/** Rows per createMany of reverse index rows, well under Postgres's 65 535 bind parameters at 3 per row. */
const packageRowsPerInsert = 5000;

/**
 * Writes OSV records in one transaction. A record whose `modified` is not later than the
 * stored one is left alone (unchanged). A later withdrawn record deletes the stored one
 * (removed), and a withdrawn record that is not stored is unchanged. Otherwise the record
 * is inserted (added) or overwritten (updated) with `snapshotId`, and its reverse index rows
 * are replaced. The ids in `rows` must be distinct.
 */
export async function writeOsvBatch(prisma: PrismaClient, rows: OsvRow[], snapshotId: string): Promise<BatchResult> {
  return prisma.$transaction(async (tx) => {
    await lockAdvisoryTable(tx, "Advisory");

    const stored = await tx.advisory.findMany({ where: { id: { in: rows.map((row) => row.id) } }, select: { id: true, modified: true } });
    const storedModified = new Map(stored.map((advisory) => [advisory.id, advisory.modified.getTime()]));

    const added: OsvRow[] = [];
    const updated: OsvRow[] = [];
    const removed: OsvRow[] = [];
    let unchanged = 0;
    for (const row of rows) {
      const previous = storedModified.get(row.id);
      if (previous !== undefined && row.modified.getTime() <= previous) unchanged += 1;
      else if (row.withdrawn && previous === undefined) unchanged += 1;
      else if (row.withdrawn) removed.push(row);
      else if (previous === undefined) added.push(row);
      else updated.push(row);
    }

    const changed = new ChangedPackages();
    const replacedIds = [...updated, ...removed].map((row) => row.id);
    if (replacedIds.length > 0) {
      const previousPackages = await tx.advisoryPackage.findMany({ where: { advisoryId: { in: replacedIds } }, select: { advisoryId: true, ecosystem: true, name: true } });
      for (const ref of previousPackages) changed.add(ref, [ref.advisoryId]);
      await tx.advisoryPackage.deleteMany({ where: { advisoryId: { in: replacedIds } } });
    }
    if (removed.length > 0) await tx.advisory.deleteMany({ where: { id: { in: removed.map((row) => row.id) } } });

    for (const row of updated) {
      await tx.advisory.update({ where: { id: row.id }, data: advisoryFields(row, snapshotId) });
    }
    if (added.length > 0) {
      await tx.advisory.createMany({ data: added.map((row) => ({ id: row.id, ...advisoryFields(row, snapshotId) })) });
    }

    const packageRows = [...added, ...updated].flatMap((row) => row.packages.map((ref) => ({ advisoryId: row.id, ecosystem: ref.ecosystem, name: ref.name })));
    for (let start = 0; start < packageRows.length; start += packageRowsPerInsert) {
      await tx.advisoryPackage.createMany({ data: packageRows.slice(start, start + packageRowsPerInsert) });
    }

    for (const row of [...added, ...updated, ...removed]) {
      for (const ref of row.packages) changed.add(ref, [row.id]);
    }
    return {
      counts: { added: added.length, updated: updated.length, removed: removed.length, unchanged },
      changedPackages: changed.list(),
    };
  }, transactionOptions);
}

function advisoryFields(row: OsvRow, snapshotId: string) {
  return {
    modified: row.modified,
    published: row.published,
    aliases: row.aliases,
    record: row.document satisfies Prisma.InputJsonObject,
    snapshotId,
  };
}
