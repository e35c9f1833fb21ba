import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { AppError } from "@/lib/errors";
import { encodeJson } from "@/lib/samples/encode-json";
import { mediaTypes } from "@/lib/samples/media-types";
import type { SampleSet } from "@/lib/samples/sample-set";
import { digestHex, sha256Digest } from "@/lib/samples/sha256-digest";

/** Annotation in `index.json` naming a tag; the samples write `<repository>:<tag>`. */
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

const IMAGE_LAYOUT_VERSION = "1.0.0";

/**
 * Writes `samples` as an OCI image layout in `dir`, creating it if needed:
 * `oci-layout`, `blobs/sha256/<hex>` for every blob and manifest, and
 * `index.json` with one entry per tag in push order. Rewriting a layout
 * replaces its `index.json` and keeps blobs that are no longer referenced.
 * Each file is written under a temporary name and renamed, and `index.json`
 * last, so a reader never sees a partial file or a tag whose blobs are missing.
 */
export async function writeOciLayout(dir: string, samples: SampleSet): Promise<void> {
  await checkExistingLayout(dir);
  const blobDir = join(dir, "blobs", "sha256");
  await mkdir(blobDir, { recursive: true });

  const contents: [string, Uint8Array][] = [
    ...samples.blobs,
    ...[...samples.manifests].map(([digest, manifest]): [string, Uint8Array] => [digest, manifest.bytes]),
    ...samples.tags.map((tag): [string, Uint8Array] => [tag.digest, tag.bytes]),
  ];
  for (const [digest, bytes] of contents) {
    const actual = sha256Digest(bytes);
    if (actual !== digest) {
      throw new AppError("DIGEST_MISMATCH", `Sample content listed as ${digest} has digest ${actual}: rebuild the sample set.`);
    }
    await writeFileAtomically(join(blobDir, digestHex(digest)), bytes);
  }

  await writeFileAtomically(join(dir, "oci-layout"), encodeJson({ imageLayoutVersion: IMAGE_LAYOUT_VERSION }));

  const tags = [...samples.tags].sort((a, b) => a.pushedOrder - b.pushedOrder);
  const index = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociIndex,
    manifests: tags.map((tag) => ({
      mediaType: tag.mediaType,
      digest: tag.digest,
      size: tag.bytes.byteLength,
      annotations: { [REF_NAME_ANNOTATION]: `${tag.repository}:${tag.tag}` },
    })),
  };
  await writeFileAtomically(join(dir, "index.json"), encodeJson(index));
}

// Refuses to write into a layout of another version rather than mixing formats.
async function checkExistingLayout(dir: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(join(dir, "oci-layout"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }

  let version: unknown;
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch (error) {
    throw new AppError("CONFLICT", `Invalid oci-layout file in ${dir}: it is not JSON. Remove it or choose an empty directory.`, {
      cause: error,
    });
  }
  if (version !== IMAGE_LAYOUT_VERSION) {
    throw new AppError(
      "CONFLICT",
      `${dir} holds an OCI layout of version ${JSON.stringify(version)}, not ${IMAGE_LAYOUT_VERSION}: choose an empty directory.`,
    );
  }
}

async function writeFileAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.partial-${process.pid}`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}
