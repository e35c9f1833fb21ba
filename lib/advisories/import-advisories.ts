import { type ImportOptions, resolveImportOptions } from "@/lib/advisories/import-options";
import { importKevDocument, type KevImportResult } from "@/lib/advisories/import-kev";
import { importOsvSource, type OsvImportResult } from "@/lib/advisories/import-osv";
import { isKevCatalog } from "@/lib/advisories/kev-catalog";
import { openAdvisorySource } from "@/lib/advisories/open-advisory-source";
import type { PrismaClient } from "@/lib/db";

export type AdvisoryImportResult = ({ kind: "osv" } & OsvImportResult) | ({ kind: "kev" } & KevImportResult);

/**
 * Imports a path or http(s) URL of advisories, choosing the importer by content: a JSON
 * file with `catalogVersion` and `vulnerabilities` is CISA's KEV catalog, and everything
 * else (a zip archive, a folder, any other JSON file) is OSV. The source is read once.
 * Raises an AppError naming the path and what to give instead when it is not found or is
 * not a zip, folder or JSON file.
 */
export async function importAdvisories(prisma: PrismaClient, source: string, options: ImportOptions = {}): Promise<AdvisoryImportResult> {
  const resolved = resolveImportOptions(options);
  const opened = await openAdvisorySource(source, resolved);
  try {
    if (opened.document !== null) {
      const document = parseOrNull(opened.document);
      if (isKevCatalog(document)) return { kind: "kev", ...(await importKevDocument(prisma, document, opened.location)) };
    }
    return { kind: "osv", ...(await importOsvSource(prisma, opened, resolved)) };
  } finally {
    await opened.close();
  }
}

/** Invalid JSON is left to the OSV importer, which records it as a skipped record. */
function parseOrNull(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}
