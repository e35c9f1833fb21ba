/**
 * OSV vulnerability records (https://ossf.github.io/osv-schema/), validated with zod.
 * Only the fields that matching, severity and display use are kept, so references and
 * credits are dropped. Optional lists that a record omits or sets to null become [].
 */
import { z } from "zod";

/** Makes a zod error message that also reports a missing value, e.g. "is missing (it must be …)". */
const mustBe = (rule: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `is missing (it ${rule})` : rule);

/** RFC 3339 time stamp. The schema requires UTC ("Z"), but an explicit offset is accepted too. */
const timestampSchema = z.iso.datetime({ offset: true, error: mustBe("must be an RFC 3339 time stamp such as 2024-03-18T12:38:25Z") });

const nonEmptyString = (description: string) =>
  z.string({ error: mustBe(`must be ${description}`) }).min(1, { error: `must be ${description}, not empty` });

/** A list that may be missing or null, both read as empty. */
const optionalList = <T extends z.ZodType>(item: T) =>
  z
    .array(item, { error: "must be an array" })
    .nullish()
    .transform((list) => list ?? []);

const objectSchema = z.record(z.string(), z.unknown(), { error: "must be an object" });

const eventSchema = z.union(
  [
    z.strictObject({ introduced: nonEmptyString("a version") }),
    z.strictObject({ fixed: nonEmptyString("a version") }),
    z.strictObject({ last_affected: nonEmptyString("a version") }),
    z.strictObject({ limit: nonEmptyString("a version") }),
  ],
  { error: "must be an object with exactly one of introduced, fixed, last_affected or limit, each a version string" },
);

export const osvRangeTypes = ["ECOSYSTEM", "SEMVER", "GIT"] as const;

const rangeSchema = z
  .object({
    type: z.enum(osvRangeTypes, { error: mustBe(`must be one of ${osvRangeTypes.join(", ")}`) }),
    repo: z.string().optional(),
    events: z.array(eventSchema, { error: mustBe("must be an array of events") }),
    database_specific: objectSchema.optional(),
  })
  .refine((range) => range.type === "GIT" || range.events.some((event) => "introduced" in event), {
    // The schema requires an introduced event. Without one the evaluation algorithm
    // never marks a version affected, so such a range would silently match nothing.
    error: 'must have at least one "introduced" event',
    path: ["events"],
  });

const severitySchema = z.object({
  type: nonEmptyString("a severity type such as CVSS_V3"),
  score: nonEmptyString("a score or vector string"),
});

const packageSchema = z.object({
  ecosystem: nonEmptyString("an ecosystem such as Debian:12 or npm"),
  name: nonEmptyString("a package name"),
  purl: z.string().optional(),
});

const affectedSchema = z.object({
  // Optional because some records carry an entry with only GIT ranges and no package.
  // Such an entry never matches an installed package.
  package: packageSchema.optional(),
  severity: optionalList(severitySchema),
  ranges: optionalList(rangeSchema),
  versions: optionalList(z.string()),
  ecosystem_specific: objectSchema.optional(),
  database_specific: objectSchema.optional(),
});

export const osvRecordSchema = z.object(
  {
    schema_version: z.string().optional(),
    id: nonEmptyString("the record id, such as GHSA-xxxx-xxxx-xxxx"),
    modified: timestampSchema,
    published: timestampSchema.optional(),
    withdrawn: timestampSchema.optional(),
    aliases: optionalList(z.string()),
    upstream: optionalList(z.string()),
    related: optionalList(z.string()),
    summary: z.string().optional(),
    details: z.string().optional(),
    severity: optionalList(severitySchema),
    affected: optionalList(affectedSchema),
    database_specific: objectSchema.optional(),
  },
  { error: "must be a JSON object" },
);

export type OsvRecord = z.output<typeof osvRecordSchema>;
export type OsvAffected = OsvRecord["affected"][number];
export type OsvRange = OsvAffected["ranges"][number];
export type OsvEvent = OsvRange["events"][number];
export type OsvSeverity = OsvRecord["severity"][number];
export type OsvRangeType = (typeof osvRangeTypes)[number];

/** A rejected record: its id, or null when the input has no string id, and the reason. */
export interface OsvRecordProblem {
  id: string | null;
  reason: string;
}

export type ParseOsvRecordResult = { record: OsvRecord } | { problem: OsvRecordProblem };

/** Maximum number of schema issues a problem's reason lists. The rest are only counted. */
const maxListedIssues = 3;

/**
 * Validates one OSV record, given as parsed JSON or as JSON text. It does not throw on
 * JSON input: a malformed record comes back as a problem naming its id and what is
 * wrong, so an import can skip it and go on.
 */
export function parseOsvRecord(json: unknown): ParseOsvRecordResult {
  let input = json;
  if (typeof json === "string") {
    try {
      input = JSON.parse(json);
    } catch (error) {
      return { problem: { id: null, reason: `invalid JSON: ${(error as Error).message}` } };
    }
  }

  const result = osvRecordSchema.safeParse(input);
  if (result.success) return { record: result.data };

  return { problem: { id: recordIdOf(input), reason: describeIssues(result.error.issues) } };
}

function recordIdOf(input: unknown): string | null {
  if (typeof input !== "object" || input === null || !("id" in input)) return null;
  const id = (input as { id: unknown }).id;
  return typeof id === "string" && id !== "" ? id : null;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, maxListedIssues).map((issue) => `${formatPath(issue.path)} ${issue.message}`);
  const unlisted = issues.length - listed.length;
  const more = unlisted > 0 ? ` (and ${unlisted} more)` : "";
  return `invalid OSV record: ${listed.join("; ")}${more}`;
}

/** Writes a zod issue path as "affected[0].ranges[1].events", or "the record" for the root. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the record";
  return path.map((step, index) => (typeof step === "number" ? `[${step}]` : `${index === 0 ? "" : "."}${String(step)}`)).join("");
}
