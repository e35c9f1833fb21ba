/**
 * Names BuildKit uses for attestation manifests and their in-toto layers.
 * Statements themselves are parsed by lib/analysis/attestation-predicates.
 */

export const predicateTypeAnnotation = "in-toto.io/predicate-type";
export const attestationReferenceType = "vnd.docker.reference.type";
export const attestationReferenceDigest = "vnd.docker.reference.digest";
export const inTotoMediaType = "application/vnd.in-toto+json";
export const dsseMediaType = "application/vnd.dsse.envelope.v1+json";

const provenancePrefix = "https://slsa.dev/provenance/";

export function isProvenance(predicateType: string): boolean {
  return predicateType.startsWith(provenancePrefix);
}

/** OpenVEX predicates are versioned URLs such as `https://openvex.dev/ns/v0.2.0`. */
export function isOpenVex(predicateType: string): boolean {
  return predicateType.startsWith("https://openvex.dev/ns");
}
