import { z } from "zod";

import { findAdvisoriesByPackage } from "@/lib/advisories/find-advisories-by-package";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { cveIdsOf, parseOsvRecord } from "@/scoring/advisories";
import { hasControlCharacter } from "@/lib/data/settings/form-text";

/** Maximum package names in one advisory query. An image with more packages is queried in several requests. */
export const MAX_QUERY_PACKAGES = 5000;

/** Largest advisory query body read, in bytes: MAX_QUERY_PACKAGES names of typical length fit with room to spare. */
export const MAX_QUERY_BODY_BYTES = 2 * 1024 * 1024;

/** Maximum length of an ecosystem or package name in a query, in characters. */
const MAX_NAME_LENGTH = 512;

const packageField = z
  .string()
  .trim()
  .min(1)
  .max(MAX_NAME_LENGTH)
  .refine((value) => !hasControlCharacter(value), "must not contain control characters such as NUL; no ecosystem or package name has one");

export const advisoryQuerySchema = z.strictObject({
  packages: z
    .array(
      z.strictObject({
        ecosystem: packageField,
        name: packageField,
      }),
    )
    .min(1)
    .max(MAX_QUERY_PACKAGES),
});

export type AdvisoryQuery = z.infer<typeof advisoryQuerySchema>;

export interface AdvisoryQueryResult {
  /** The newest finished advisory import, which score reports record as their advisory snapshot. Null before the first import. */
  snapshotId: string | null;
  /** Each stored OSV record filed under one of the packages, as imported, sorted by id. */
  advisories: { id: string; published: string | null; record: unknown }[];
  /** The CVE ids of those records that are in CISA's Known Exploited Vulnerabilities catalog, sorted. */
  knownExploited: string[];
}

/**
 * Validates an advisory query body, naming the first bad field and the limit.
 * Throws INVALID_INPUT.
 */
export function parseAdvisoryQuery(body: unknown): AdvisoryQuery {
  const parsed = advisoryQuerySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.length === 0 ? "the body" : issue.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("").replace(/^\./, "");
  throw new AppError(
    "INVALID_INPUT",
    `The advisory query is invalid at ${path}: ${issue.message}. Send {"packages": [{"ecosystem": "Debian:12", "name": "openssl"}]} with 1 to ${MAX_QUERY_PACKAGES} packages.`,
  );
}

/**
 * Returns the stored advisories that name any of the packages, in the form the
 * matching code reads (OSV records, matched with scoring's matchPackages), the
 * known-exploited CVEs among them and the advisory snapshot they come from.
 * Advisories are not organization data, so every authenticated user may query them.
 */
export async function findAdvisoriesForPackages(query: AdvisoryQuery): Promise<AdvisoryQueryResult> {
  const prisma = getPrisma();
  const [{ rows }, snapshot] = await Promise.all([
    findAdvisoriesByPackage(prisma, query.packages),
    prisma.advisorySnapshot.findFirst({ where: { finishedAt: { not: null } }, orderBy: { finishedAt: "desc" }, select: { id: true } }),
  ]);

  const cveIds = new Set<string>();
  for (const row of rows) {
    const parsed = parseOsvRecord(row.record);
    if ("record" in parsed) for (const id of cveIdsOf(parsed.record)) cveIds.add(id);
  }
  const exploited = await prisma.knownExploitedVulnerability.findMany({ where: { cveId: { in: [...cveIds] } }, orderBy: { cveId: "asc" }, select: { cveId: true } });

  return {
    snapshotId: snapshot?.id ?? null,
    advisories: rows.map((row) => ({ id: row.id, published: row.published?.toISOString() ?? null, record: row.record })),
    knownExploited: exploited.map((row) => row.cveId),
  };
}
