/**
 * CISA's Known Exploited Vulnerabilities catalog, validated with zod. CISA publishes it as
 * JSON at https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json.
 */
import { z } from "zod";
import type { SnapshotProblem } from "@/lib/advisories/snapshot-problems";
import { AppError } from "@/lib/errors";

const missingOr = (rule: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `is missing (it must be ${rule})` : `must be ${rule}`);

/** The catalog's top level. Entries are checked one by one, so one bad entry does not reject the catalog. */
const catalogSchema = z.object(
  {
    title: z.string({ error: missingOr("a string") }),
    catalogVersion: z.string({ error: missingOr('a version string such as "2025.01.15"') }).min(1, { error: "must not be empty" }),
    dateReleased: z.string({ error: missingOr("a date-time string") }),
    count: z.number({ error: missingOr("the number of vulnerabilities") }).int({ error: "must be a whole number" }).nonnegative({ error: "must not be negative" }),
    vulnerabilities: z.array(z.unknown(), { error: missingOr("an array of vulnerabilities") }),
  },
  { error: "must be a JSON object" },
);

const isoDate = (field: string) => z.iso.date({ error: missingOr(`a date such as 2025-01-31 (${field})`) });

const entrySchema = z.object(
  {
    cveID: z.string({ error: missingOr("a CVE id such as CVE-2024-1234") }).regex(/^CVE-\d{4}-\d{4,}$/, { error: "must be a CVE id such as CVE-2024-1234" }),
    vendorProject: z.string({ error: missingOr("a string") }),
    product: z.string({ error: missingOr("a string") }),
    vulnerabilityName: z.string({ error: missingOr("a string") }),
    dateAdded: isoDate("the day CISA added it"),
    shortDescription: z.string({ error: missingOr("a string") }),
    requiredAction: z.string({ error: missingOr("a string") }),
    dueDate: isoDate("the remediation deadline"),
    // Newer fields, absent from early catalogs.
    knownRansomwareCampaignUse: z.string({ error: "must be a string" }).optional(),
    notes: z.string({ error: "must be a string" }).optional(),
  },
  { error: "must be a JSON object" },
);

/** One catalog entry as the KnownExploitedVulnerability table stores it. */
export interface KevRow {
  cveId: string;
  vendorProject: string;
  product: string;
  /** Midnight UTC of the day CISA added the CVE. */
  dateAdded: Date;
  /** True when CISA lists the CVE as used in ransomware campaigns ("Known"). */
  knownRansomware: boolean;
}

export interface KevCatalog {
  catalogVersion: string;
  rows: KevRow[];
  /** Entries that failed validation or repeat an earlier CVE id, which are skipped. */
  problems: SnapshotProblem[];
}

/** Returns true when a parsed JSON document has `catalogVersion` and `vulnerabilities`, the fields that tell a KEV catalog from an OSV record. */
export function isKevCatalog(document: unknown): boolean {
  return typeof document === "object" && document !== null && "catalogVersion" in document && "vulnerabilities" in document;
}

/**
 * Validates a parsed KEV catalog. Raises an AppError naming the field when the document is
 * not a catalog at all, or when `count` disagrees with the number of entries, because
 * importing a partial catalog would drop CVEs that are still listed. A single invalid entry
 * is skipped with a problem.
 */
export function parseKevCatalog(document: unknown, location: string): KevCatalog {
  const catalog = catalogSchema.safeParse(document);
  if (!catalog.success) {
    const fields = catalog.error.issues.slice(0, 3).map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "the document"} ${issue.message}`);
    throw new AppError(
      "INVALID_INPUT",
      `${location} is not a CISA KEV catalog: ${fields.join("; ")}. Give the known_exploited_vulnerabilities.json file from https://www.cisa.gov/known-exploited-vulnerabilities-catalog.`,
    );
  }

  const { count, vulnerabilities } = catalog.data;
  if (count !== vulnerabilities.length) {
    throw new AppError(
      "INVALID_INPUT",
      `${location} is incomplete: count is ${count}, but vulnerabilities has ${vulnerabilities.length} ${vulnerabilities.length === 1 ? "entry" : "entries"}. Download the catalog again; nothing was imported.`,
    );
  }

  const rows: KevRow[] = [];
  const problems: SnapshotProblem[] = [];
  const seen = new Set<string>();
  vulnerabilities.forEach((input, index) => {
    const file = `vulnerabilities[${index}]`;
    const entry = entrySchema.safeParse(input);
    if (!entry.success) {
      const reasons = entry.error.issues.slice(0, 3).map((issue) => `${issue.path.join(".") || "the entry"} ${issue.message}`);
      problems.push({ id: cveIdOf(input), file, reason: `invalid KEV entry: ${reasons.join("; ")}` });
      return;
    }
    if (seen.has(entry.data.cveID)) {
      problems.push({ id: entry.data.cveID, file, reason: "repeats a CVE id listed earlier in the catalog; the first entry is kept" });
      return;
    }
    seen.add(entry.data.cveID);
    rows.push({
      cveId: entry.data.cveID,
      vendorProject: entry.data.vendorProject,
      product: entry.data.product,
      dateAdded: new Date(`${entry.data.dateAdded}T00:00:00Z`),
      knownRansomware: entry.data.knownRansomwareCampaignUse === "Known",
    });
  });

  return { catalogVersion: catalog.data.catalogVersion, rows, problems };
}

function cveIdOf(input: unknown): string | null {
  if (typeof input !== "object" || input === null) return null;
  const id = (input as { cveID?: unknown }).cveID;
  return typeof id === "string" && id !== "" ? id : null;
}
