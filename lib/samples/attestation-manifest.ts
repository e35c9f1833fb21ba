import { encodeJson } from "@/lib/samples/encode-json";
import type { InTotoStatement } from "@/lib/samples/in-toto-statement";
import { mediaTypes } from "@/lib/samples/media-types";
import type { Descriptor } from "@/lib/samples/oci-descriptor";
import { sha256Digest } from "@/lib/samples/sha256-digest";

/**
 * The two layouts BuildKit writes for an attestation manifest:
 * - `image-config`: an image manifest whose config is an image config with
 *   platform unknown/unknown, BuildKit's layout without `oci-artifact=true`.
 * - `oci-artifact`: `artifactType` application/vnd.docker.attestation.manifest.v1+json,
 *   the OCI empty config and a `subject` naming the image manifest, which
 *   makes the attestation visible to the OCI 1.1 referrers API. BuildKit
 *   writes it with the image exporter option `oci-artifact=true`.
 */
export type AttestationLayout = "image-config" | "oci-artifact";

/** Annotation on an index entry that marks an attestation manifest. */
export const REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";
/** Annotation on an index entry naming the image manifest an attestation describes. */
export const REFERENCE_DIGEST_ANNOTATION = "vnd.docker.reference.digest";
/** Layer annotation carrying the statement's predicate type, so readers can skip other layers. */
export const PREDICATE_TYPE_ANNOTATION = "in-toto.io/predicate-type";

const EMPTY_JSON = encodeJson({});

/** An attestation manifest with the blobs it references (statements and config). */
export interface BuiltAttestationManifest {
  digest: string;
  bytes: Uint8Array;
  blobs: Map<string, Uint8Array>;
}

/**
 * Builds the manifest that stores `statements` as `application/vnd.in-toto+json`
 * layers for the image manifest `subject`, in the given layout.
 */
export function buildAttestationManifest(
  subject: Descriptor,
  statements: readonly InTotoStatement<unknown>[],
  layout: AttestationLayout,
): BuiltAttestationManifest {
  const blobs = new Map<string, Uint8Array>();

  const layers = statements.map((statement) => {
    const bytes = encodeJson(statement);
    const digest = sha256Digest(bytes);
    blobs.set(digest, bytes);
    return {
      mediaType: mediaTypes.inToto,
      digest,
      size: bytes.byteLength,
      annotations: { [PREDICATE_TYPE_ANNOTATION]: statement.predicateType },
    };
  });

  let manifest: Record<string, unknown>;
  if (layout === "oci-artifact") {
    const emptyDigest = sha256Digest(EMPTY_JSON);
    blobs.set(emptyDigest, EMPTY_JSON);
    manifest = {
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      artifactType: mediaTypes.dockerAttestationManifest,
      config: {
        mediaType: mediaTypes.ociEmpty,
        digest: emptyDigest,
        size: EMPTY_JSON.byteLength,
        data: Buffer.from(EMPTY_JSON).toString("base64"),
      },
      layers,
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    };
  } else {
    // The statements are not tar layers; BuildKit's config lists their digests as diff ids.
    const config = encodeJson({
      architecture: "unknown",
      os: "unknown",
      config: {},
      rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.digest) },
    });
    const configDigest = sha256Digest(config);
    blobs.set(configDigest, config);
    manifest = {
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: configDigest, size: config.byteLength },
      layers,
    };
  }

  const bytes = encodeJson(manifest);
  return { digest: sha256Digest(bytes), bytes, blobs };
}
