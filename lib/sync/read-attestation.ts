/**
 * Reading BuildKit attestations: which predicate types an attestation manifest
 * carries, and whether a SLSA provenance statement was written in max mode.
 */

export const predicateTypeAnnotation = "in-toto.io/predicate-type";
export const attestationReferenceType = "vnd.docker.reference.type";
export const attestationReferenceDigest = "vnd.docker.reference.digest";
export const inTotoMediaType = "application/vnd.in-toto+json";
export const dsseMediaType = "application/vnd.dsse.envelope.v1+json";

const provenancePrefix = "https://slsa.dev/provenance/";
const buildkitMetadataKey = "https://mobyproject.org/buildkit@v1#metadata";

export function isProvenance(predicateType: string): boolean {
  return predicateType.startsWith(provenancePrefix);
}

export interface InTotoStatement {
  predicateType: string;
  predicate: unknown;
}

/**
 * Parses an in-toto statement, also when wrapped in a DSSE envelope (the
 * payload is base64). Returns null for anything that is not a statement.
 */
export function parseStatement(bytes: Uint8Array): InTotoStatement | null {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (isRecord(value) && typeof value.payload === "string" && typeof value.payloadType === "string") {
    return parseStatement(Buffer.from(value.payload, "base64"));
  }
  if (!isRecord(value) || typeof value.predicateType !== "string") return null;
  return { predicateType: value.predicateType, predicate: value.predicate };
}

/**
 * Tells BuildKit's max-mode provenance from min mode. Max mode adds the build
 * definition: in SLSA v0.2 `buildConfig` and the BuildKit metadata `source` and
 * `layers`; in v1 `internalParameters.buildConfig` and the same metadata under
 * `runDetails.metadata.buildkit_metadata`.
 */
export function provenanceMode(statement: InTotoStatement): "max" | "min" {
  const predicate = isRecord(statement.predicate) ? statement.predicate : {};
  if (statement.predicateType.endsWith("/v0.2")) {
    const metadata = isRecord(predicate.metadata) ? predicate.metadata : {};
    const buildkit = isRecord(metadata[buildkitMetadataKey]) ? (metadata[buildkitMetadataKey] as Record<string, unknown>) : {};
    return predicate.buildConfig !== undefined || buildkit.source !== undefined || buildkit.layers !== undefined ? "max" : "min";
  }
  const definition = isRecord(predicate.buildDefinition) ? predicate.buildDefinition : {};
  const internal = isRecord(definition.internalParameters) ? definition.internalParameters : {};
  const runDetails = isRecord(predicate.runDetails) ? predicate.runDetails : {};
  const runMetadata = isRecord(runDetails.metadata) ? runDetails.metadata : {};
  const buildkit = isRecord(runMetadata.buildkit_metadata) ? runMetadata.buildkit_metadata : {};
  return internal.buildConfig !== undefined || buildkit.source !== undefined || buildkit.layers !== undefined ? "max" : "min";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
