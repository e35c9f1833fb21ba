import { decodeJson, type IndexJson, type ManifestJson } from "@/lib/samples/oci-json";
import type { SampleSet } from "@/lib/samples/sample-set";

/** A descriptor in a sample manifest whose content is not in the sample set. */
export interface MissingReference {
  /** Digest of the manifest or index that contains the descriptor. */
  from: string;
  /** JSON field of the descriptor: `config`, `layers`, `manifests` or `subject`. */
  field: string;
  digest: string;
}

/**
 * Lists every descriptor in the set's tags and child manifests whose target
 * is missing: configs and layers must be in `blobs`, index entries and
 * subjects in `manifests`. An empty list means the set can be pushed in full.
 */
export function findMissingReferences(set: SampleSet): MissingReference[] {
  const missing: MissingReference[] = [];
  const documents: [string, Uint8Array][] = [
    ...set.tags.map((tag): [string, Uint8Array] => [tag.digest, tag.bytes]),
    ...[...set.manifests].map(([digest, manifest]): [string, Uint8Array] => [digest, manifest.bytes]),
  ];

  for (const [from, bytes] of documents) {
    const manifest = decodeJson<Partial<ManifestJson> & Partial<IndexJson>>(bytes);
    const check = (field: string, digest: string, store: ReadonlyMap<string, unknown>) => {
      if (!store.has(digest)) missing.push({ from, field, digest });
    };

    if (manifest.config !== undefined) check("config", manifest.config.digest, set.blobs);
    for (const layer of manifest.layers ?? []) check("layers", layer.digest, set.blobs);
    for (const child of manifest.manifests ?? []) check("manifests", child.digest, set.manifests);
    if (manifest.subject !== undefined) check("subject", manifest.subject.digest, set.manifests);
  }

  return missing;
}
