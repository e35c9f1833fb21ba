import type { SourceEntry } from "@/lib/advisories/open-advisory-source";
import type { SnapshotProblem } from "@/lib/advisories/snapshot-problems";
import type { Prisma } from "@/generated/prisma/client";
import { normalizePackageName, type OsvRecord, parseOsvRecord } from "@/scoring/advisories";

/** An ecosystem and package name as the reverse index stores them. */
export interface PackageRef {
  /** OSV ecosystem as the record writes it, e.g. "Debian:12". */
  ecosystem: string;
  /** The name in its ecosystem's normal form (PEP 503 for PyPI), the form `advisoryNamesFor` looks up. */
  name: string;
}

/** A valid OSV record ready to be written, with the fields the Advisory table indexes. */
export interface OsvRow {
  id: string;
  modified: Date;
  published: Date | null;
  aliases: string[];
  withdrawn: boolean;
  /** The record as imported, with every field, including those `parseOsvRecord` drops. */
  document: Prisma.InputJsonObject;
  /** The affected packages, without duplicates. */
  packages: PackageRef[];
  /** The file or zip entry it came from. */
  file: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes and validates one file as an OSV record, or returns why it must be skipped. */
export function readOsvEntry(entry: SourceEntry): { row: OsvRow } | { problem: SnapshotProblem } {
  const file = entry.name;
  if ("problem" in entry) return { problem: { id: null, file, reason: entry.problem } };

  let document: unknown;
  try {
    document = JSON.parse(utf8.decode(entry.bytes));
  } catch (error) {
    // JSON.parse quotes the start of the text with its line breaks, so whitespace is collapsed to keep the reason on one line.
    const message = (error as Error).message.replace(/\s+/g, " ");
    const reason = error instanceof SyntaxError ? `invalid JSON: ${message}` : `invalid UTF-8 text: ${message}`;
    return { problem: { id: null, file, reason } };
  }
  // parseOsvRecord reads a string as JSON text, so a file that contains a JSON string would be parsed twice.
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { problem: { id: null, file, reason: `invalid OSV record: the file must hold one JSON object, not ${Array.isArray(document) ? "an array" : typeof document}` } };
  }

  const parsed = parseOsvRecord(document);
  if ("problem" in parsed) return { problem: { id: parsed.problem.id, file, reason: parsed.problem.reason } };

  const record = parsed.record;
  const modified = new Date(record.modified);
  const published = record.published === undefined ? null : new Date(record.published);
  if (Number.isNaN(modified.getTime()) || (published !== null && Number.isNaN(published.getTime()))) {
    return { problem: { id: record.id, file, reason: "invalid OSV record: modified or published is not a real date" } };
  }

  return {
    row: {
      id: record.id,
      modified,
      published,
      aliases: record.aliases,
      withdrawn: record.withdrawn !== undefined,
      document: document as Prisma.InputJsonObject,
      packages: affectedPackages(record),
      file,
    },
  };
}

/** Affected entries without a package (some carry only GIT ranges) name nothing to index. */
function affectedPackages(record: OsvRecord): PackageRef[] {
  const seen = new Map<string, PackageRef>();
  for (const affected of record.affected) {
    if (affected.package === undefined) continue;
    const ref = { ecosystem: affected.package.ecosystem, name: normalizePackageName(affected.package.ecosystem, affected.package.name) };
    seen.set(packageKey(ref), ref);
  }
  return [...seen.values()];
}

/** Returns a string key for sets and maps of package refs. */
export function packageKey(ref: PackageRef): string {
  return JSON.stringify([ref.ecosystem, ref.name]);
}
