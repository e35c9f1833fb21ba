import { catalogImage, readStaleLayer, type AnalysedPackage, type AnalysisProblem } from "@/lib/analysis/analyze-image";
import { catalogers } from "@/lib/analysis/catalogers";
import type { LayerCache } from "@/lib/analysis/layer-cache";
import type { OsRelease } from "@/lib/analysis/types";
import type { RegistrySource } from "@/lib/registry/registry-source";

/** The layer cap the fuzz run gives the reader, in bytes, so a decompression bomb stops within seconds. */
export const FUZZ_MAX_UNCOMPRESSED_LAYER_BYTES = 256 * 1024 * 1024;

export interface FuzzLayer {
  digest: string;
  bytes: Uint8Array;
}

/**
 * Runs layers through the steps `analyzeImage` runs after loading the cache:
 * each layer blob is read for every cataloger, then the layers are merged and
 * cataloged. Only the database reads and writes are left out.
 */
export async function analyseLayers(layers: readonly FuzzLayer[]): Promise<{ os: OsRelease | null; packages: AnalysedPackage[]; problems: AnalysisProblem[] }> {
  const cache: LayerCache = new Map();
  for (const layer of layers) {
    const entries = await readStaleLayer(
      blobSource(layer.bytes),
      "fuzz/image",
      { digest: layer.digest, mediaType: "application/vnd.oci.image.layer.v1.tar", size: BigInt(layer.bytes.length) },
      { filesystem: true, catalogers: [...catalogers] },
      FUZZ_MAX_UNCOMPRESSED_LAYER_BYTES,
    );
    cache.set(layer.digest, new Map(entries.map((entry) => [entry.cataloger, entry])));
  }
  return catalogImage(
    layers.map((layer) => layer.digest),
    cache,
    catalogers,
  );
}

/** A registry source whose only blob is `bytes`, streamed in 64 KiB chunks as a registry response arrives. */
function blobSource(bytes: Uint8Array): RegistrySource {
  const chunkBytes = 64 * 1024;
  const openBlob: RegistrySource["openBlob"] = async () => {
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.subarray(offset, offset + chunkBytes));
        offset += chunkBytes;
      },
    });
    return { stream, size: bytes.length };
  };
  // Only openBlob is called while a layer is read.
  return { openBlob } as unknown as RegistrySource;
}
