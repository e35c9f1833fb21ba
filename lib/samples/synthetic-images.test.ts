import { describe, expect, it } from "vitest";

import { findMissingReferences } from "@/lib/samples/find-missing-references";
import { decodeJson, type ImageConfigJson, type ManifestJson } from "@/lib/samples/oci-json";
import { buildSyntheticOrg } from "@/lib/samples/synthetic-images";

const manifestOf = (bytes: Uint8Array) => decodeJson<ManifestJson>(bytes);
const OPTIONS = { org: "bench", repositories: 4, tagsPerRepository: 3, seed: 42 };

describe("buildSyntheticOrg", () => {
  it("builds repositories times tags images", async () => {
    const set = await buildSyntheticOrg(OPTIONS);

    expect(set.tags).toHaveLength(12);
    expect(new Set(set.tags.map((tag) => tag.repository))).toEqual(
      new Set(["bench/service-000", "bench/service-001", "bench/service-002", "bench/service-003"]),
    );
    expect(set.tags.filter((tag) => tag.repository === "bench/service-002").map((tag) => tag.tag)).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
    expect(set.tags.map((tag) => tag.pushedOrder)).toEqual([...Array(12).keys()]);
    expect(findMissingReferences(set)).toEqual([]);
  });

  it("images share one base layer", async () => {
    const set = await buildSyntheticOrg(OPTIONS);
    const layers = set.tags.map((tag) => manifestOf(tag.bytes).layers.map((layer) => layer.digest));

    expect(new Set(layers.map((digests) => digests[0])).size).toBe(1);
    expect(new Set(layers.map((digests) => digests[1])).size).toBe(12);
    // One base layer, then a config and an application layer per image.
    expect(set.blobs.size).toBe(1 + 12 * 2);
  });

  it("keeps each image apart from the base to a few KiB", async () => {
    const set = await buildSyntheticOrg(OPTIONS);

    for (const tag of set.tags) {
      const manifest = manifestOf(tag.bytes);
      const ownBytes = tag.bytes.byteLength + manifest.config.size + (manifest.layers[1]?.size ?? Infinity);
      expect(ownBytes).toBeLessThan(4 * 1024);
    }
  });

  it("same seed gives the same digests", async () => {
    const first = await buildSyntheticOrg(OPTIONS);
    const second = await buildSyntheticOrg(OPTIONS);

    expect(second.tags.map((tag) => tag.digest)).toEqual(first.tags.map((tag) => tag.digest));
  });

  it("another seed gives other digests", async () => {
    const first = await buildSyntheticOrg(OPTIONS);
    const other = await buildSyntheticOrg({ ...OPTIONS, seed: "43" });

    expect(other.tags.map((tag) => tag.digest)).not.toContain(first.tags[0]!.digest);
  });

  it("mixes root and non-root users", async () => {
    const set = await buildSyntheticOrg({ ...OPTIONS, repositories: 10 });
    const users = new Set(
      set.tags.map((tag) => decodeJson<ImageConfigJson>(set.blobs.get(manifestOf(tag.bytes).config.digest)!).config.User ?? "(unset)"),
    );

    expect(users.size).toBeGreaterThan(2);
  });

  it.each([
    [{ org: "Bench" }, /Invalid organization "Bench"/],
    [{ repositories: 0 }, /Invalid repositories 0/],
    [{ tagsPerRepository: 1.5 }, /Invalid tagsPerRepository 1.5/],
  ])("rejects %o", async (override, message) => {
    await expect(buildSyntheticOrg({ ...OPTIONS, ...override })).rejects.toThrow(message);
  });
});
