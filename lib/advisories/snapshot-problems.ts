/**
 * A record an import skipped, or the error that stopped the import, as stored in
 * `AdvisorySnapshot.problems`.
 */
// A type alias rather than an interface, so the list is assignable to Prisma's JSON input type.
export type SnapshotProblem = {
  /** The record's id (an OSV id or a CVE id), or null when the input has none. */
  id: string | null;
  /** The file, zip entry or catalog position the record came from, or null for the whole import. */
  file: string | null;
  reason: string;
};

/** Maximum number of problems stored per snapshot. `recordsSkipped` still counts every skipped record. */
export const maxStoredProblems = 1000;

/** The problems of one import: every skipped record is counted, the first `maxStoredProblems` are kept. */
export class SnapshotProblems {
  readonly #kept: SnapshotProblem[] = [];
  #skipped = 0;

  /** Counts a skipped record and keeps its problem while there is room. */
  addSkipped(problem: SnapshotProblem): void {
    this.#skipped += 1;
    if (this.#kept.length < maxStoredProblems) this.#kept.push(problem);
  }

  /** Keeps the error that stopped the import, even when the list is full. */
  addFailure(reason: string): void {
    this.#kept.push({ id: null, file: null, reason });
  }

  get skippedCount(): number {
    return this.#skipped;
  }

  toJson(): SnapshotProblem[] {
    return [...this.#kept];
  }
}

/** Reads the problems of a stored snapshot, which Prisma types as any JSON value. */
export function problemsOf(snapshot: { problems: unknown }): SnapshotProblem[] {
  return Array.isArray(snapshot.problems) ? (snapshot.problems as SnapshotProblem[]) : [];
}
