import { beforeAll, describe, expect, it } from "vitest";

import { findMissingReferences } from "@/lib/samples/find-missing-references";
import { buildImage, buildIndex, buildLayer, type BuiltImage } from "@/lib/samples/image-builder";
import { addSampleTag, createSampleSet } from "@/lib/samples/sample-set";

let image: BuiltImage;

beforeAll(async () => {
  const layer = await buildLayer([{ path: "hello.txt", content: "hello\n" }]);
  image = buildImage({
    layers: [layer],
    config: { os: "linux", architecture: "amd64", created: "2025-01-01T00:00:00Z" },
    mediaTypes: "oci",
  });
});

describe("addSampleTag", () => {
  it("adds an image's blobs and numbers pushes", () => {
    const set = createSampleSet();
    const first = addSampleTag(set, "demo/app", "1", image);
    const second = addSampleTag(set, "demo/app", "2", image);

    expect([first.pushedOrder, second.pushedOrder]).toEqual([0, 1]);
    expect(first.digest).toBe(image.manifest.digest);
    expect([...set.blobs.keys()]).toEqual([...image.blobs.keys()]);
    expect(set.manifests.size).toBe(0);
  });

  it("adds an index's child manifests", () => {
    const set = createSampleSet();
    const index = buildIndex([{ image }], { mediaTypes: "oci" });
    addSampleTag(set, "demo/app", "multi", index);

    expect([...set.manifests.keys()]).toEqual([image.manifest.digest]);
    expect(findMissingReferences(set)).toEqual([]);
  });

  it.each([
    ["Demo/app", "1", /Invalid repository name/],
    ["demo/app", ".hidden", /Invalid tag/],
    ["demo//app", "1", /Invalid repository name/],
  ])("rejects %s:%s", (repository, tag, message) => {
    expect(() => addSampleTag(createSampleSet(), repository, tag, image)).toThrow(message);
  });

  it("rejects the same tag twice", () => {
    const set = createSampleSet();
    addSampleTag(set, "demo/app", "1", image);

    expect(() => addSampleTag(set, "demo/app", "1", image)).toThrow(/already in the sample set/);
  });
});

describe("findMissingReferences", () => {
  it("reports a missing layer and child manifest", () => {
    const set = createSampleSet();
    addSampleTag(set, "demo/app", "multi", buildIndex([{ image }], { mediaTypes: "oci" }));
    const layerDigest = image.layers[0]!.digest;
    set.blobs.delete(layerDigest);

    expect(findMissingReferences(set)).toEqual([{ from: image.manifest.digest, field: "layers", digest: layerDigest }]);

    set.manifests.clear();
    expect(findMissingReferences(set)).toEqual([{ from: expect.any(String), field: "manifests", digest: image.manifest.digest }]);
  });
});
