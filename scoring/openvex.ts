/**
 * OpenVEX documents (https://github.com/openvex/spec, OPENVEX-SPEC.md): statements that
 * a product is or is not affected by a vulnerability. A `not_affected` statement about
 * an image or one of its packages suppresses the matching findings, like an exception.
 */
import { z } from "zod";
import { parsePackageUrl } from "./package-url";
import type { VulnerabilityFinding } from "./types";

export const vexStatuses = ["not_affected", "affected", "fixed", "under_investigation"] as const;
export type VexStatus = (typeof vexStatuses)[number];

/** The justification labels of a `not_affected` statement, from the VEX working group's Status Justifications (2022). */
export const vexJustifications = [
  "component_not_present",
  "vulnerable_code_not_present",
  "vulnerable_code_not_in_execute_path",
  "vulnerable_code_cannot_be_controlled_by_adversary",
  "inline_mitigations_already_exist",
] as const;
export type VexJustification = (typeof vexJustifications)[number];

/** A product of a statement: its identifiers and those of the subcomponents the statement is about. */
export interface VexProduct {
  /** The product's @id, its `identifiers` values (purl, cpe) and its SHA-256 hash as "sha256:<hex>". */
  ids: string[];
  /** The identifiers of every subcomponent; empty when the statement covers the whole product. */
  subcomponentIds: string[];
}

/** One statement, with what it inherits from its document already filled in. */
export interface VexStatement {
  /** The vulnerability's name, @id and aliases, plus the id at the end of an @id URL. */
  vulnerabilityIds: string[];
  products: VexProduct[];
  status: VexStatus;
  justification: VexJustification | null;
  impactStatement: string | null;
  /** When the statement was made, ISO 8601: its own timestamp, else its document's. */
  timestamp: string;
}

/** One thing wrong with a document: the path of the field ("" for the whole) and what is wrong. */
export interface VexProblem {
  path: string;
  message: string;
}

export type ParseOpenVexResult = { statements: VexStatement[] } | { problems: VexProblem[] };

/** Makes a zod error message that also reports a missing value, e.g. "is missing; it must be …". */
const mustBe = (rule: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `is missing; it ${rule}` : rule);

const nonEmptyString = (description: string) =>
  z.string({ error: mustBe(`must be ${description}`) }).min(1, { error: `must be ${description}, not empty` });

const timestampSchema = z.iso.datetime({ offset: true, error: mustBe("must be an RFC 3339 time such as 2023-01-08T18:02:03Z") });

const stringMap = (description: string) => z.record(z.string(), z.string(), { error: `must be an object of ${description}` });

const componentFields = {
  "@id": nonEmptyString("an IRI such as a package URL").optional(),
  identifiers: stringMap('identifiers such as { "purl": "pkg:deb/debian/curl@7.88.1-10" }').optional(),
  hashes: stringMap('hashes such as { "sha-256": "…" }').optional(),
};

// OpenVEX v0.0.1 wrote products as bare identifier strings; later versions use objects.
const subcomponentSchema = z.union([nonEmptyString("an identifier"), z.object(componentFields)], {
  error: 'must be an object such as { "@id": "pkg:deb/debian/curl" } or an identifier string',
});

const productSchema = z.union(
  [
    nonEmptyString("an identifier"),
    z.object({ ...componentFields, subcomponents: z.array(subcomponentSchema, { error: "must be an array" }).optional() }),
  ],
  { error: 'must be an object such as { "@id": "pkg:oci/app@sha256:…" } or an identifier string' },
);

// v0.0.1 wrote the vulnerability as a bare id string.
const vulnerabilitySchema = z.union(
  [
    nonEmptyString("a vulnerability id"),
    z
      .object({
        "@id": nonEmptyString("an IRI").optional(),
        name: nonEmptyString("a vulnerability id such as CVE-2023-12345").optional(),
        aliases: z.array(nonEmptyString("a vulnerability id"), { error: "must be an array of ids" }).optional(),
      })
      .refine((vulnerability) => vulnerability.name !== undefined || vulnerability["@id"] !== undefined, {
        error: 'must have a "name" such as CVE-2023-12345 or an "@id"',
      }),
  ],
  { error: 'must be an object such as { "name": "CVE-2023-12345" }' },
);

const statementSchema = z
  .object({
    vulnerability: vulnerabilitySchema,
    products: z.array(productSchema, { error: "must be an array of products" }).optional(),
    status: z.enum(vexStatuses, { error: mustBe(`must be one of ${vexStatuses.join(", ")}`) }),
    justification: z.enum(vexJustifications, { error: `must be one of ${vexJustifications.join(", ")}` }).optional(),
    impact_statement: z.string({ error: "must be a string" }).optional(),
    timestamp: timestampSchema.optional(),
  })
  .refine((statement) => statement.status !== "not_affected" || statement.justification !== undefined || statement.impact_statement !== undefined, {
    // The VEX minimum requirements make one of the two mandatory for not_affected.
    error: 'has status "not_affected" but neither a justification nor an impact_statement; add one saying why',
    path: ["justification"],
  });

const documentSchema = z.object(
  {
    "@context": z
      .string({ error: mustBe('must be the OpenVEX context URL, such as "https://openvex.dev/ns/v0.2.0"') })
      .startsWith("https://openvex.dev/ns", { error: 'must be the OpenVEX context URL, such as "https://openvex.dev/ns/v0.2.0"' }),
    "@id": nonEmptyString("the document's IRI"),
    author: nonEmptyString("the author's name or e-mail address"),
    timestamp: timestampSchema,
    version: z.int({ error: mustBe("must be a whole number") }).min(0, { error: "must be a whole number of at least 0" }),
    statements: z.array(statementSchema, { error: mustBe("must be an array of statements") }),
  },
  { error: "must be a JSON object" },
);

/** An in-toto statement whose predicate is an OpenVEX document, the form of a VEX attestation attached to an image. */
const inTotoSchema = z.object({
  predicateType: z.string().startsWith("https://openvex.dev/ns"),
  subject: z.array(z.object({ digest: z.record(z.string(), z.string()) })),
  predicate: z.unknown(),
});

type ParsedDocument = z.output<typeof documentSchema>;
type ParsedStatement = ParsedDocument["statements"][number];
type ParsedComponent = Exclude<z.output<typeof subcomponentSchema>, string>;

/**
 * Validates an OpenVEX document, given as parsed JSON or JSON text, and returns its
 * statements with the document's timestamp filled in. It also accepts an in-toto
 * statement whose predicate is an OpenVEX document. There, a statement without products
 * is about the in-toto subjects, so their SHA-256 digests become its products.
 * A malformed document returns every problem found and no statements.
 *
 * NOTE: a signed DSSE envelope must be verified and its payload decoded by the caller.
 */
export function parseOpenVex(json: unknown): ParseOpenVexResult {
  let input = json;
  if (typeof json === "string") {
    try {
      input = JSON.parse(json);
    } catch (error) {
      return { problems: [{ path: "", message: `is not valid JSON: ${(error as Error).message}` }] };
    }
  }

  let subjectDigests: string[] = [];
  let pathPrefix = "";
  const envelope = inTotoSchema.safeParse(input);
  if (envelope.success) {
    subjectDigests = envelope.data.subject.flatMap((subject) => (subject.digest.sha256 === undefined ? [] : [`sha256:${subject.digest.sha256.toLowerCase()}`]));
    input = envelope.data.predicate;
    pathPrefix = "predicate";
  }

  const result = documentSchema.safeParse(input);
  if (!result.success) {
    return { problems: result.error.issues.map((issue) => ({ path: formatPath([pathPrefix, ...issue.path]), message: issue.message })) };
  }
  const document = result.data;
  const inherited: VexProduct[] = subjectDigests.length === 0 ? [] : [{ ids: subjectDigests, subcomponentIds: [] }];
  return { statements: document.statements.map((statement) => toStatement(statement, document.timestamp, inherited)) };
}

function toStatement(statement: ParsedStatement, documentTimestamp: string, inheritedProducts: VexProduct[]): VexStatement {
  // NOTE: a statement without products outside an in-toto statement has products: [] and
  // matches nothing, because its products come from an encapsulating document that parseOpenVex does not receive.
  const products = statement.products === undefined ? inheritedProducts : statement.products.map(toProduct);
  return {
    vulnerabilityIds: vulnerabilityIdsOf(statement.vulnerability),
    products,
    status: statement.status,
    justification: statement.justification ?? null,
    impactStatement: statement.impact_statement ?? null,
    timestamp: statement.timestamp ?? documentTimestamp,
  };
}

function toProduct(product: z.output<typeof productSchema>): VexProduct {
  if (typeof product === "string") return { ids: [product], subcomponentIds: [] };
  const subcomponentIds = (product.subcomponents ?? []).flatMap((subcomponent) =>
    typeof subcomponent === "string" ? [subcomponent] : componentIds(subcomponent),
  );
  return { ids: componentIds(product), subcomponentIds };
}

/** Returns the identifiers of a component: @id, every `identifiers` value, and a SHA-256 hash as a digest. */
function componentIds(component: ParsedComponent): string[] {
  const ids = [component["@id"], ...Object.values(component.identifiers ?? {})];
  const sha256 = component.hashes?.["sha-256"] ?? component.hashes?.sha256;
  if (sha256 !== undefined) ids.push(`sha256:${sha256.toLowerCase()}`);
  return ids.filter((id): id is string => id !== undefined && id !== "");
}

/**
 * Returns the ids a statement gives the vulnerability. An @id URL such as
 * "https://nvd.nist.gov/vuln/detail/CVE-2021-44228" also contributes its last path segment
 * when that looks like an id (letters, a dash, then more).
 */
function vulnerabilityIdsOf(vulnerability: z.output<typeof vulnerabilitySchema>): string[] {
  if (typeof vulnerability === "string") return [vulnerability];
  const ids = [vulnerability.name, vulnerability["@id"], ...(vulnerability.aliases ?? [])].filter((id): id is string => id !== undefined);
  const lastSegment = vulnerability["@id"]?.split(/[/#]/).pop();
  if (lastSegment !== undefined && /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]+$/.test(lastSegment)) ids.push(lastSegment);
  return [...new Set(ids)];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .filter((step) => step !== "")
    .map((step, index) => (typeof step === "number" ? `[${step}]` : `${index === 0 ? "" : "."}${String(step)}`))
    .join("");
}

const digestPattern = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/**
 * Returns the findings with `suppressed` set where an OpenVEX statement marks the image
 * or the package not_affected. A statement is about a finding when one of its vulnerability
 * ids equals the finding's vulnerabilityId or an alias (ignoring case), and one of its
 * products is either
 * - the image: a bare digest, an image reference ending in "@<digest>", or a pkg:oci or
 *   pkg:docker purl whose version is the digest, equal to one of `imageDigests` (pass the
 *   platform manifest digest and, for a multi-platform tag, the index digest). When that
 *   product lists subcomponents, one of them must be the finding's package.
 * - the finding's package: a purl with the same type, namespace and name. A product purl
 *   without a version covers every version, one with a version only that version.
 *   Qualifiers (arch, distro) and subpath are ignored.
 *
 * Later statements override earlier ones, as the spec says: of the statements about a
 * finding, the one with the latest timestamp decides (the last in the list on a tie),
 * and only `not_affected` suppresses. A finding that is already suppressed keeps its
 * suppression. The inputs are not changed; every finding is a new object.
 */
export function applyVex(
  findings: readonly VulnerabilityFinding[],
  statements: readonly VexStatement[],
  imageDigests: string | readonly string[],
): VulnerabilityFinding[] {
  const digests = new Set((typeof imageDigests === "string" ? [imageDigests] : imageDigests).map((digest) => digest.toLowerCase()));
  // Oldest first, so the last statement about a finding decides. An unreadable timestamp sorts first.
  const ordered = statements
    .map((statement, index) => ({ statement, index, time: Date.parse(statement.timestamp) }))
    .map((entry) => (Number.isNaN(entry.time) ? { ...entry, time: Number.NEGATIVE_INFINITY } : entry))
    .sort(byTimeThenPosition);

  return findings.map((finding) => {
    if (finding.suppressed !== null) return { ...finding };
    const ids = new Set([finding.vulnerabilityId, ...finding.aliases].map((id) => id.toUpperCase()));
    const about = ordered.filter(
      ({ statement }) =>
        statement.vulnerabilityIds.some((id) => ids.has(id.toUpperCase())) &&
        statement.products.some((product) => productCovers(product, finding.purl, digests)),
    );
    const deciding = about[about.length - 1]?.statement;
    if (deciding === undefined || deciding.status !== "not_affected") return { ...finding };
    return { ...finding, suppressed: { by: "vex", reason: reasonOf(deciding), expiresAt: null } };
  });
}

function byTimeThenPosition(a: { time: number; index: number }, b: { time: number; index: number }): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.index - b.index;
}

function productCovers(product: VexProduct, purl: string, imageDigests: ReadonlySet<string>): boolean {
  if (product.ids.some((id) => identifiesPackage(id, purl))) return true;
  if (!product.ids.some((id) => imageDigests.has(digestOf(id) ?? ""))) return false;
  return product.subcomponentIds.length === 0 || product.subcomponentIds.some((id) => identifiesPackage(id, purl));
}

/** Returns the image digest an identifier names, or null when it names none. */
function digestOf(id: string): string | null {
  const lower = id.toLowerCase();
  if (digestPattern.test(lower)) return lower;
  if (lower.startsWith("pkg:")) {
    const parts = parsePackageUrl(id);
    if (parts === null || (parts.type !== "oci" && parts.type !== "docker") || parts.version === null) return null;
    const version = parts.version.toLowerCase();
    return digestPattern.test(version) ? version : null;
  }
  // An image reference such as "registry.example/acme/api:1.2@sha256:…".
  const at = lower.lastIndexOf("@");
  if (at === -1) return null;
  const digest = lower.slice(at + 1);
  return digestPattern.test(digest) ? digest : null;
}

function identifiesPackage(id: string, purl: string): boolean {
  const product = parsePackageUrl(id);
  const installed = parsePackageUrl(purl);
  if (product === null || installed === null) return false;
  return (
    product.type === installed.type &&
    product.namespace === installed.namespace &&
    product.name === installed.name &&
    (product.version === null || product.version === installed.version)
  );
}

/** Returns the suppression reason: the justification label and the impact statement, whichever are given. */
function reasonOf(statement: VexStatement): string {
  const parts = [statement.justification, statement.impactStatement].filter((part) => part !== null && part !== "");
  return parts.length === 0 ? "not_affected" : parts.join(": ");
}
