import { PackageURL } from "packageurl-js";
import parseSpdxExpression from "spdx-expression-parse";

import { normalizeLicense } from "@/lib/analysis/licenses";
import { AppError } from "@/lib/errors";

/**
 * Parsing of the in-toto attestations BuildKit attaches to an image: the SPDX
 * SBOM predicate and SLSA provenance v0.2 and v1. The parsers read the fields
 * Shipshape grades on. A malformed field is skipped and reported as a problem,
 * and only input that is not the expected kind of document at all is rejected.
 */

export const SPDX_DOCUMENT_PREDICATE = "https://spdx.dev/Document";
export const SLSA_PROVENANCE_V02 = "https://slsa.dev/provenance/v0.2";
export const SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";

export type ProvenancePredicateType = typeof SLSA_PROVENANCE_V02 | typeof SLSA_PROVENANCE_V1;

/** The DSSE `payloadType` of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

const IN_TOTO_STATEMENT_TYPES = ["https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1"];

/** The key under a v0.2 predicate's `metadata` where BuildKit puts its own build details. */
const BUILDKIT_METADATA_V02 = "https://mobyproject.org/buildkit@v1#metadata";

/** A field that was skipped or could not be read, named by its JSON path. The rest of the document is still used. */
export interface PredicateProblem {
  path: string;
  message: string;
}

export interface InTotoSubject {
  name: string;
  digest: Record<string, string>;
}

export interface InTotoStatement {
  /** The statement's `_type`, null when missing. */
  type: string | null;
  predicateType: string;
  subjects: InTotoSubject[];
  predicate: unknown;
  /** True when the statement came from the base64 payload of a DSSE envelope. Its signatures are not verified. */
  fromEnvelope: boolean;
  problems: PredicateProblem[];
}

/** One package of an SPDX SBOM predicate. */
export interface SpdxPredicatePackage {
  spdxId: string | null;
  name: string;
  version: string | null;
  purl: string | null;
  /** Normalised SPDX license expression, or null when the document states NOASSERTION or NONE or gives no license. */
  license: string | null;
  /** True for the packages the document describes (usually the image or distribution itself) rather than contains. */
  described: boolean;
}

export interface SpdxPredicate {
  /** `spdxVersion` as written, e.g. "SPDX-2.2". */
  spdxVersion: string | null;
  name: string | null;
  packages: SpdxPredicatePackage[];
  problems: PredicateProblem[];
}

/** A build input: `materials` in SLSA v0.2, `resolvedDependencies` in v1. */
export interface ProvenanceMaterial {
  uri: string;
  /** Algorithm to lowercase hex, e.g. `{ sha256: "8914…" }`. */
  digest: Record<string, string>;
  /**
   * Layer digests of this image as BuildKit recorded them in max mode (the
   * compressed blobs of its manifest), base layer first. Absent when the
   * provenance does not map the material to an LLB step with layers.
   */
  layers?: string[];
}

export interface Provenance {
  predicateType: ProvenancePredicateType;
  /** BuildKit's `--provenance=mode=`; "max" when the build definition is included. */
  mode: "max" | "min";
  buildType: string | null;
  builderId: string | null;
  /** The gateway frontend image from the request's `source` argument (`docker/dockerfile:1`); null for the built-in frontend. */
  frontendImage: string | null;
  materials: ProvenanceMaterial[];
  buildConfigPresent: boolean;
  /** Timestamps as written in the predicate (RFC 3339). */
  startedOn: string | null;
  finishedOn: string | null;
  subjects: InTotoSubject[];
  problems: PredicateProblem[];
}

type JsonObject = Record<string, unknown>;

/**
 * Reads an in-toto statement, unwrapping a DSSE envelope whose base64 payload
 * is the statement. Raises AppError INVALID_INPUT when the value is neither.
 */
export function readStatement(value: unknown): InTotoStatement {
  const problems: PredicateProblem[] = [];
  let statement = value;
  let fromEnvelope = false;

  if (isRecord(value) && typeof value.payload === "string" && "payloadType" in value) {
    statement = decodeEnvelope(value);
    fromEnvelope = true;
  }
  if (!isRecord(statement)) {
    throw new AppError("INVALID_INPUT", "Invalid attestation: expected an in-toto statement or a DSSE envelope, a JSON object.");
  }
  if (typeof statement.predicateType !== "string" || statement.predicateType === "") {
    throw new AppError("INVALID_INPUT", "Invalid in-toto statement: predicateType is missing or not a string.");
  }

  const type = typeof statement._type === "string" ? statement._type : null;
  if (type === null || !IN_TOTO_STATEMENT_TYPES.includes(type)) {
    problems.push({ path: "_type", message: `expected one of ${IN_TOTO_STATEMENT_TYPES.join(", ")}, found ${describe(statement._type)}` });
  }

  return {
    type,
    predicateType: statement.predicateType,
    subjects: readSubjects(statement.subject, problems),
    predicate: statement.predicate,
    fromEnvelope,
    problems,
  };
}

/**
 * Parses the SPDX 2.x JSON document that BuildKit's SBOM attestation carries
 * as its predicate. Raises AppError INVALID_INPUT unless it is a JSON object.
 */
export function parseSpdxPredicate(predicate: unknown): SpdxPredicate {
  if (!isRecord(predicate)) {
    throw new AppError("INVALID_INPUT", "Invalid SPDX predicate: expected an SPDX JSON document, a JSON object.");
  }
  const problems: PredicateProblem[] = [];

  const spdxVersion = optionalString(predicate, "spdxVersion", "spdxVersion", problems);
  if (spdxVersion === null) {
    problems.push({ path: "spdxVersion", message: "missing, so the document is read as SPDX 2.x" });
  } else if (!/^SPDX-2\.\d+$/.test(spdxVersion)) {
    problems.push({ path: "spdxVersion", message: `"${spdxVersion}" is not an SPDX 2.x version, so the document is read as SPDX 2.x` });
  }

  const licenseTexts = readExtractedLicenseTexts(predicate.hasExtractedLicensingInfos);
  const described = describedIds(predicate);

  const packages: SpdxPredicatePackage[] = [];
  if (!Array.isArray(predicate.packages)) {
    if (predicate.packages !== undefined) {
      problems.push({ path: "packages", message: `expected an array, found ${describe(predicate.packages)}` });
    }
  } else {
    predicate.packages.forEach((entry, index) => {
      const parsed = readSpdxPackage(entry, `packages[${index}]`, licenseTexts, described, problems);
      if (parsed !== null) packages.push(parsed);
    });
  }

  return { spdxVersion, name: optionalString(predicate, "name", "name", problems), packages, problems };
}

/**
 * Parses a SLSA provenance statement (v0.2 or v1), also inside a DSSE
 * envelope. Raises AppError INVALID_INPUT when the input is not a statement
 * or its predicate type is not SLSA provenance v0.2 or v1.
 */
export function parseProvenance(statement: unknown): Provenance {
  const read = readStatement(statement);
  const provenance = parseProvenancePredicate(read.predicateType, read.predicate);
  return { ...provenance, subjects: read.subjects, problems: [...read.problems, ...provenance.problems] };
}

/**
 * Parses a bare SLSA provenance predicate, as `docker buildx imagetools
 * inspect --format "{{json .Provenance.SLSA}}"` prints it. The result has no
 * subjects. Raises AppError INVALID_INPUT for another predicate type or a
 * predicate that is not a JSON object.
 */
export function parseProvenancePredicate(predicateType: string, predicate: unknown): Provenance {
  if (predicateType !== SLSA_PROVENANCE_V02 && predicateType !== SLSA_PROVENANCE_V1) {
    throw new AppError(
      "INVALID_INPUT",
      `Unsupported provenance predicate type "${predicateType}": expected ${SLSA_PROVENANCE_V02} or ${SLSA_PROVENANCE_V1}.`,
    );
  }
  if (!isRecord(predicate)) {
    throw new AppError("INVALID_INPUT", `Invalid ${predicateType} predicate: expected a JSON object, found ${describe(predicate)}.`);
  }
  return predicateType === SLSA_PROVENANCE_V02 ? parseProvenanceV02(predicate) : parseProvenanceV1(predicate);
}

function parseProvenanceV02(predicate: JsonObject): Provenance {
  const problems: PredicateProblem[] = [];
  const builder = optionalRecord(predicate, "builder", "predicate.builder", problems);
  const invocation = optionalRecord(predicate, "invocation", "predicate.invocation", problems);
  const parameters = invocation === null ? null : optionalRecord(invocation, "parameters", "predicate.invocation.parameters", problems);
  const metadata = optionalRecord(predicate, "metadata", "predicate.metadata", problems);
  const buildkit = metadata === null ? null : optionalRecord(metadata, BUILDKIT_METADATA_V02, `predicate.metadata["${BUILDKIT_METADATA_V02}"]`, problems);
  const buildConfig = predicate.buildConfig ?? null;

  const materials = readMaterials(predicate.materials, "predicate.materials", problems);
  attachMaterialLayers(materials, buildConfig, buildkit, `predicate.metadata["${BUILDKIT_METADATA_V02}"].layers`, problems);

  return {
    predicateType: SLSA_PROVENANCE_V02,
    mode: buildkitMode(buildConfig, buildkit),
    buildType: optionalString(predicate, "buildType", "predicate.buildType", problems),
    builderId: builder === null ? null : nonEmpty(optionalString(builder, "id", "predicate.builder.id", problems)),
    frontendImage: frontendImage(parameters, "predicate.invocation.parameters", problems),
    materials,
    buildConfigPresent: buildConfig !== null,
    startedOn: metadata === null ? null : optionalString(metadata, "buildStartedOn", "predicate.metadata.buildStartedOn", problems),
    finishedOn: metadata === null ? null : optionalString(metadata, "buildFinishedOn", "predicate.metadata.buildFinishedOn", problems),
    subjects: [],
    problems,
  };
}

function parseProvenanceV1(predicate: JsonObject): Provenance {
  const problems: PredicateProblem[] = [];
  const definition = optionalRecord(predicate, "buildDefinition", "predicate.buildDefinition", problems);
  const external = definition === null ? null : optionalRecord(definition, "externalParameters", "predicate.buildDefinition.externalParameters", problems);
  const request = external === null ? null : optionalRecord(external, "request", "predicate.buildDefinition.externalParameters.request", problems);
  const internal = definition === null ? null : optionalRecord(definition, "internalParameters", "predicate.buildDefinition.internalParameters", problems);
  const runDetails = optionalRecord(predicate, "runDetails", "predicate.runDetails", problems);
  const builder = runDetails === null ? null : optionalRecord(runDetails, "builder", "predicate.runDetails.builder", problems);
  const metadata = runDetails === null ? null : optionalRecord(runDetails, "metadata", "predicate.runDetails.metadata", problems);
  const buildkit = metadata === null ? null : optionalRecord(metadata, "buildkit_metadata", "predicate.runDetails.metadata.buildkit_metadata", problems);
  const buildConfig = internal?.buildConfig ?? null;

  if (definition === null) {
    problems.push({ path: "predicate.buildDefinition", message: "missing, although SLSA v1 requires it" });
  }
  const materials =
    definition === null ? [] : readMaterials(definition.resolvedDependencies, "predicate.buildDefinition.resolvedDependencies", problems);
  attachMaterialLayers(materials, buildConfig, buildkit, "predicate.runDetails.metadata.buildkit_metadata.layers", problems);

  return {
    predicateType: SLSA_PROVENANCE_V1,
    mode: buildkitMode(buildConfig, buildkit),
    buildType: definition === null ? null : optionalString(definition, "buildType", "predicate.buildDefinition.buildType", problems),
    builderId: builder === null ? null : nonEmpty(optionalString(builder, "id", "predicate.runDetails.builder.id", problems)),
    frontendImage: frontendImage(request, "predicate.buildDefinition.externalParameters.request", problems),
    materials,
    buildConfigPresent: buildConfig !== null,
    startedOn: metadata === null ? null : optionalString(metadata, "startedOn", "predicate.runDetails.metadata.startedOn", problems),
    finishedOn: metadata === null ? null : optionalString(metadata, "finishedOn", "predicate.runDetails.metadata.finishedOn", problems),
    subjects: [],
    problems,
  };
}

/**
 * Tells BuildKit's max mode from min mode. Max mode adds the build definition
 * (`buildConfig`) and the BuildKit metadata `source` and `layers`, per
 * BuildKit's docs/attestations/slsa-definitions.md. Provenance from other
 * builders has none of them and reads as min.
 */
function buildkitMode(buildConfig: unknown, buildkit: JsonObject | null): "max" | "min" {
  if (buildConfig !== null) return "max";
  if (buildkit !== null && (buildkit.source !== undefined || buildkit.layers !== undefined)) return "max";
  return "min";
}

function frontendImage(request: JsonObject | null, path: string, problems: PredicateProblem[]): string | null {
  if (request === null) return null;
  const args = optionalRecord(request, "args", `${path}.args`, problems);
  if (args === null) return null;
  return nonEmpty(optionalString(args, "source", `${path}.args.source`, problems));
}

function readMaterials(value: unknown, path: string, problems: PredicateProblem[]): ProvenanceMaterial[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ path, message: `expected an array, found ${describe(value)}` });
    return [];
  }

  const materials: ProvenanceMaterial[] = [];
  value.forEach((entry, index) => {
    const entryPath = `${path}[${index}]`;
    if (!isRecord(entry)) {
      problems.push({ path: entryPath, message: `expected an object, found ${describe(entry)}, so the material was skipped` });
      return;
    }
    if (typeof entry.uri !== "string" || entry.uri === "") {
      problems.push({ path: `${entryPath}.uri`, message: "missing or not a string, so the material was skipped" });
      return;
    }
    materials.push({ uri: entry.uri, digest: readDigestSet(entry.digest, `${entryPath}.digest`, problems) });
  });
  return materials;
}

function readDigestSet(value: unknown, path: string, problems: PredicateProblem[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.push({ path, message: `expected an object of algorithm to hex digest, found ${describe(value)}` });
    return {};
  }

  const digest: Record<string, string> = {};
  for (const [algorithm, hex] of Object.entries(value)) {
    if (typeof hex === "string" && /^[0-9a-fA-F]+$/.test(hex)) {
      digest[algorithm] = hex.toLowerCase();
    } else {
      problems.push({ path: `${path}.${algorithm}`, message: `expected a hex string, found ${describe(hex)}, so the digest was skipped` });
    }
  }
  return digest;
}

/**
 * Gives each `pkg:docker` material the layers BuildKit recorded for it. In max
 * mode an LLB source step `docker-image://<name>@<digest>` pulls the image,
 * and the metadata `layers` maps that step's output (`<step>:0`) to the
 * layer descriptors. The step's digest is compared with both the material's
 * digest and the purl's `digest` qualifier, because the published samples do
 * not show which of the two BuildKit writes when they differ.
 */
function attachMaterialLayers(
  materials: ProvenanceMaterial[],
  buildConfig: unknown,
  buildkit: JsonObject | null,
  layersPath: string,
  problems: PredicateProblem[],
): void {
  if (!isRecord(buildConfig) || !Array.isArray(buildConfig.llbDefinition) || buildkit === null || !isRecord(buildkit.layers)) {
    return;
  }
  const layerMap = buildkit.layers;

  const layersByDigest = new Map<string, string[]>();
  for (const step of buildConfig.llbDefinition) {
    if (!isRecord(step) || typeof step.id !== "string") continue;
    const digest = imageSourceDigest(step);
    if (digest === null) continue;

    const chains = layerMap[`${step.id}:0`];
    if (chains === undefined) continue;
    // NOTE: BuildKit writes one inner array per layer chain of the output, and only the
    // first is used. In the published samples every chain of an image source is the same.
    const digests = firstChainDigests(chains);
    if (digests === null) {
      problems.push({ path: `${layersPath}["${step.id}:0"]`, message: "expected arrays of layer descriptors with a digest, so the step's layers were ignored" });
      continue;
    }
    layersByDigest.set(digest, digests);
  }

  for (const material of materials) {
    const candidates: string[] = [];
    if (material.digest.sha256 !== undefined) candidates.push(`sha256:${material.digest.sha256}`);
    const pinned = purlDigestQualifier(material.uri);
    if (pinned !== null) candidates.push(pinned);

    const layers = candidates.map((candidate) => layersByDigest.get(candidate)).find((found) => found !== undefined);
    if (layers !== undefined) material.layers = layers;
  }
}

/** Returns the digests of the first layer chain, or null unless it is a non-empty array of descriptors with a string digest. */
function firstChainDigests(chains: unknown): string[] | null {
  if (!Array.isArray(chains)) return null;
  const chain: unknown = chains[0];
  if (!Array.isArray(chain) || chain.length === 0) return null;

  const digests: string[] = [];
  for (const descriptor of chain) {
    if (!isRecord(descriptor) || typeof descriptor.digest !== "string") return null;
    digests.push(descriptor.digest);
  }
  return digests;
}

/** Returns the digest pinned in an LLB source step `docker-image://<name>[:tag]@<digest>`, or null for other steps. */
function imageSourceDigest(step: JsonObject): string | null {
  const op = isRecord(step.op) && isRecord(step.op.Op) ? step.op.Op : null;
  const source = op !== null && isRecord(op.source) ? op.source : null;
  const identifier = source !== null && typeof source.identifier === "string" ? source.identifier : null;
  if (identifier === null || !identifier.startsWith("docker-image://")) return null;

  const at = identifier.lastIndexOf("@");
  if (at === -1) return null;
  const digest = identifier.slice(at + 1);
  return /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : null;
}

function purlDigestQualifier(uri: string): string | null {
  if (!uri.startsWith("pkg:")) return null;
  try {
    return PackageURL.fromString(uri).qualifiers?.digest ?? null;
  } catch {
    return null;
  }
}

function readSpdxPackage(
  entry: unknown,
  path: string,
  licenseTexts: ReadonlyMap<string, string>,
  described: ReadonlySet<string>,
  problems: PredicateProblem[],
): SpdxPredicatePackage | null {
  if (!isRecord(entry)) {
    problems.push({ path, message: `expected an object, found ${describe(entry)}, so the package was skipped` });
    return null;
  }
  const name = optionalString(entry, "name", `${path}.name`, problems);
  if (name === null || name === "") {
    problems.push({ path: `${path}.name`, message: "missing, so the package was skipped" });
    return null;
  }

  const spdxId = optionalString(entry, "SPDXID", `${path}.SPDXID`, problems);
  return {
    spdxId,
    name,
    version: nonEmpty(optionalString(entry, "versionInfo", `${path}.versionInfo`, problems)),
    purl: readPackagePurl(entry.externalRefs, `${path}.externalRefs`, problems),
    license: readPackageLicense(entry, path, licenseTexts, problems),
    described: spdxId !== null && described.has(spdxId),
  };
}

/** Returns the first valid purl among the external references. SPDX 2.2 JSON writes the category `PACKAGE_MANAGER`, 2.3 `PACKAGE-MANAGER`. */
function readPackagePurl(value: unknown, path: string, problems: PredicateProblem[]): string | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) {
    problems.push({ path, message: `expected an array, found ${describe(value)}` });
    return null;
  }

  for (const [index, reference] of value.entries()) {
    if (!isRecord(reference) || reference.referenceType !== "purl") continue;
    const locator = reference.referenceLocator;
    if (typeof locator !== "string") {
      problems.push({ path: `${path}[${index}].referenceLocator`, message: `expected a purl string, found ${describe(locator)}` });
      continue;
    }
    try {
      PackageURL.fromString(locator);
      return locator;
    } catch (error) {
      problems.push({ path: `${path}[${index}].referenceLocator`, message: `invalid purl "${locator}": ${errorMessage(error)}` });
    }
  }
  return null;
}

/**
 * Picks the concluded license, else the declared one, and normalises it. A
 * license that is a single `LicenseRef-` whose extracted text is itself a valid
 * SPDX expression (some generators write `GPL-2.0` that way) is replaced by
 * that expression, so license policies see the real id.
 */
function readPackageLicense(
  entry: JsonObject,
  path: string,
  licenseTexts: ReadonlyMap<string, string>,
  problems: PredicateProblem[],
): string | null {
  for (const field of ["licenseConcluded", "licenseDeclared"]) {
    const value = optionalString(entry, field, `${path}.${field}`, problems);
    if (value === null) continue;
    const trimmed = value.trim();
    if (trimmed === "" || trimmed === "NOASSERTION" || trimmed === "NONE") continue;

    const extracted = licenseTexts.get(trimmed);
    const expression = extracted !== undefined && isSpdxExpression(extracted) ? extracted : trimmed;
    if (!isSpdxExpression(expression)) {
      problems.push({ path: `${path}.${field}`, message: `"${expression}" is not a valid SPDX license expression and was normalised` });
    }
    return normalizeLicense([expression]);
  }
  return null;
}

function readExtractedLicenseTexts(value: unknown): Map<string, string> {
  const texts = new Map<string, string>();
  if (!Array.isArray(value)) return texts;
  for (const info of value) {
    if (isRecord(info) && typeof info.licenseId === "string" && typeof info.extractedText === "string") {
      texts.set(info.licenseId, info.extractedText.trim());
    }
  }
  return texts;
}

/** SPDX ids the document describes: `documentDescribes` and DESCRIBES / DESCRIBED_BY relationships with the document. */
function describedIds(document: JsonObject): Set<string> {
  const documentId = typeof document.SPDXID === "string" ? document.SPDXID : "SPDXRef-DOCUMENT";
  const ids = new Set<string>();

  if (Array.isArray(document.documentDescribes)) {
    for (const id of document.documentDescribes) {
      if (typeof id === "string") ids.add(id);
    }
  }
  if (Array.isArray(document.relationships)) {
    for (const relationship of document.relationships) {
      if (!isRecord(relationship)) continue;
      const { spdxElementId, relatedSpdxElement, relationshipType } = relationship;
      if (typeof spdxElementId !== "string" || typeof relatedSpdxElement !== "string") continue;
      if (relationshipType === "DESCRIBES" && spdxElementId === documentId) ids.add(relatedSpdxElement);
      if (relationshipType === "DESCRIBED_BY" && relatedSpdxElement === documentId) ids.add(spdxElementId);
    }
  }
  return ids;
}

function readSubjects(value: unknown, problems: PredicateProblem[]): InTotoSubject[] {
  if (!Array.isArray(value)) {
    problems.push({ path: "subject", message: `expected an array, found ${describe(value)}` });
    return [];
  }

  const subjects: InTotoSubject[] = [];
  value.forEach((entry, index) => {
    if (!isRecord(entry) || typeof entry.name !== "string") {
      problems.push({ path: `subject[${index}]`, message: "expected an object with a name, so the subject was skipped" });
      return;
    }
    subjects.push({ name: entry.name, digest: readDigestSet(entry.digest, `subject[${index}].digest`, problems) });
  });
  return subjects;
}

/**
 * Decodes a DSSE envelope's payload (DSSE protocol v1: `payloadType`,
 * base64 `payload`, `signatures`). Standard and URL-safe base64 are accepted.
 */
function decodeEnvelope(envelope: JsonObject): unknown {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new AppError(
      "INVALID_INPUT",
      `Unsupported DSSE payloadType ${describe(envelope.payloadType)}: expected "${IN_TOTO_PAYLOAD_TYPE}".`,
    );
  }

  const payload = String(envelope.payload).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) {
    throw new AppError("INVALID_INPUT", "Invalid DSSE envelope: the payload is not base64.");
  }
  const text = Buffer.from(payload.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError("INVALID_INPUT", `Invalid DSSE envelope: the decoded payload is not JSON (${errorMessage(error)}).`, { cause: error });
  }
}

function isSpdxExpression(text: string): boolean {
  try {
    parseSpdxExpression(text);
    return true;
  } catch {
    return false;
  }
}

/** Reads `object[key]` as a string. An absent key or null reads as null, and a value of another type is reported and reads as null. */
function optionalString(object: JsonObject, key: string, path: string, problems: PredicateProblem[]): string | null {
  const value = object[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    problems.push({ path, message: `expected a string, found ${describe(value)}` });
    return null;
  }
  return value;
}

function optionalRecord(object: JsonObject, key: string, path: string, problems: PredicateProblem[]): JsonObject | null {
  const value = object[key];
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) {
    problems.push({ path, message: `expected an object, found ${describe(value)}` });
    return null;
  }
  return value;
}

function nonEmpty(value: string | null): string | null {
  return value === null || value.trim() === "" ? null : value;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value.length > 80 ? `${value.slice(0, 77)}...` : value}"`;
  return `a ${typeof value}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
