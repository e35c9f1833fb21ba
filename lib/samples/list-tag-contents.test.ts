import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { listTagContents } from "@/lib/samples/list-tag-contents";
import { buildSampleImages, type SampleSet } from "@/lib/samples/sample-images";

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

let samples: SampleSet;
let registry: RegistryServer;

beforeAll(async () => {
  samples = await buildSampleImages();
  registry = await startRegistryServer();
});

afterAll(async () => {
  await registry?.stop();
});

describe("listTagContents", () => {
  it("lists an image's config and layers", () => {
    const web = samples.tags.find((tag) => tag.repository === "demo/web" && tag.tag === "1.0")!;
    const manifest = JSON.parse(Buffer.from(web.bytes).toString()) as { config: { digest: string }; layers: { digest: string }[] };

    expect(listTagContents(samples, web)).toEqual({
      blobs: [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)],
      manifests: [],
    });
  });

  it("lists an index's manifests in index order", () => {
    const multiArch = samples.tags.find((tag) => tag.repository === "demo/multi-arch")!;
    const index = JSON.parse(Buffer.from(multiArch.bytes).toString()) as { manifests: { digest: string }[] };

    expect(listTagContents(samples, multiArch).manifests).toEqual(index.manifests.map((entry) => entry.digest));
  });

  it("rejects an index whose manifest is missing", () => {
    const multiArch = samples.tags.find((tag) => tag.repository === "demo/multi-arch")!;
    const incomplete: SampleSet = { ...samples, manifests: new Map() };

    expect(() => listTagContents(incomplete, multiArch)).toThrow(/is not in the sample set/);
  });

  it("CNCF registry accepts every sample tag", async () => {
    for (const tag of [...samples.tags].sort((a, b) => a.pushedOrder - b.pushedOrder)) {
      const contents = listTagContents(samples, tag);
      for (const digest of contents.blobs) {
        await pushBlob(registry, tag.repository, samples.blobs.get(digest)!);
      }
      for (const digest of contents.manifests) {
        const manifest = samples.manifests.get(digest)!;
        await pushManifest(registry, tag.repository, digest, manifest.bytes, manifest.mediaType);
      }
      await pushManifest(registry, tag.repository, tag.tag, tag.bytes, tag.mediaType);
    }

    for (const tag of samples.tags) {
      const response = await fetch(`${registry.url}/v2/${tag.repository}/manifests/${tag.tag}`, { headers: { accept: ACCEPT } });
      const body = new Uint8Array(await response.arrayBuffer());

      expect(response.status).toBe(200);
      expect(response.headers.get("docker-content-digest")).toBe(tag.digest);
      expect(response.headers.get("content-type")).toBe(tag.mediaType);
      expect(Buffer.compare(Buffer.from(body), Buffer.from(tag.bytes))).toBe(0);
    }

    const tags = (await (await fetch(`${registry.url}/v2/demo/worker/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual(["2.0", "2.1"]);
  });
});
