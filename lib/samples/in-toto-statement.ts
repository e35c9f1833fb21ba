import { digestHex } from "@/lib/samples/sha256-digest";

/** The statement type that BuildKit writes for SBOM and SLSA v0.2 attestations. */
export const IN_TOTO_STATEMENT_V01 = "https://in-toto.io/Statement/v0.1";

/** The artifact a statement is about: for BuildKit, one platform's image manifest. */
export interface InTotoSubject {
  name: string;
  digest: { sha256: string };
}

/** An in-toto statement; BuildKit stores each one unsigned as an attestation layer. */
export interface InTotoStatement<Predicate> {
  _type: typeof IN_TOTO_STATEMENT_V01;
  predicateType: string;
  subject: InTotoSubject[];
  predicate: Predicate;
}

/**
 * Builds the subject BuildKit writes for an image: a `pkg:docker` purl of the
 * repository, tag and platform, and the manifest digest. `repository` is
 * `namespace/name` as pushed, for example `demo/web`.
 */
export function imageSubject(repository: string, tag: string, platform: string, manifestDigest: string): InTotoSubject {
  return {
    name: `pkg:docker/${repository}@${encodeURIComponent(tag)}?platform=${encodeURIComponent(platform)}`,
    digest: { sha256: digestHex(manifestDigest) },
  };
}
