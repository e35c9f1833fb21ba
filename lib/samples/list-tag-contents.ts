import { AppError } from "@/lib/errors";
import { decodeJson, type IndexJson, type ManifestJson } from "@/lib/samples/oci-json";
import type { SampleSet, SampleTag } from "@/lib/samples/sample-set";

/** Content a registry needs in a tag's repository before the tag itself can be pushed. */
export interface TagContents {
  /** Config, layer and statement digests, each once. */
  blobs: string[];
  /** Digests of the manifests an index lists, in index order, to push by digest. */
  manifests: string[];
}

type ManifestOrIndex = Partial<ManifestJson> & Partial<IndexJson>;

/**
 * Lists the blobs and child manifests that `tag` reaches, so that a pusher can
 * upload them to the tag's repository in that order before the tag. Raises
 * NOT_FOUND when an index lists a manifest that `set.manifests` lacks.
 */
export function listTagContents(set: SampleSet, tag: SampleTag): TagContents {
  const blobs = new Set<string>();
  const manifests: string[] = [];
  const root = decodeJson<ManifestOrIndex>(tag.bytes);

  const addBlobs = (manifest: ManifestOrIndex) => {
    if (manifest.config !== undefined) blobs.add(manifest.config.digest);
    for (const layer of manifest.layers ?? []) blobs.add(layer.digest);
  };

  addBlobs(root);
  for (const child of root.manifests ?? []) {
    const content = set.manifests.get(child.digest);
    if (content === undefined) {
      throw new AppError("NOT_FOUND", `Manifest ${child.digest} listed by ${tag.repository}:${tag.tag} is not in the sample set.`);
    }
    manifests.push(child.digest);
    addBlobs(decodeJson<ManifestOrIndex>(content.bytes));
  }

  return { blobs: [...blobs], manifests };
}
