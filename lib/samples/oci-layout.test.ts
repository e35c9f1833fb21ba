import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { OciLayoutSource } from "@/lib/registry/oci-layout-source";
import { writeOciLayout } from "@/lib/samples/oci-layout";
import { decodeJson, type IndexJson } from "@/lib/samples/oci-json";
import { buildSampleImages, type SampleSet } from "@/lib/samples/sample-images";

const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let samples: SampleSet;
let dir: string;

beforeAll(async () => {
  samples = await buildSampleImages();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipshape-oci-layout-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readIndex(): Promise<IndexJson> {
  return decodeJson<IndexJson>(await readFile(join(dir, "index.json")));
}

describe("writeOciLayout", () => {
  it("writes the layout version file", async () => {
    await writeOciLayout(dir, samples);

    expect(JSON.parse(await readFile(join(dir, "oci-layout"), "utf8"))).toEqual({ imageLayoutVersion: "1.0.0" });
  });

  it("index names every tag", async () => {
    await writeOciLayout(dir, samples);
    const index = await readIndex();

    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(index.manifests.map((entry) => entry.annotations?.["org.opencontainers.image.ref.name"])).toEqual(
      samples.tags.map((tag) => `${tag.repository}:${tag.tag}`),
    );
    expect(index.manifests[0]?.annotations?.["org.opencontainers.image.ref.name"]).toBe("demo/web:1.0");
    for (const [position, entry] of index.manifests.entries()) {
      const tag = samples.tags[position]!;
      expect(entry).toMatchObject({ mediaType: tag.mediaType, digest: tag.digest, size: tag.bytes.byteLength });
    }
  });

  it("every blob file is named by its sha256", async () => {
    await writeOciLayout(dir, samples);
    const names = await readdir(join(dir, "blobs", "sha256"));

    expect(names.length).toBe(new Set([...samples.blobs.keys(), ...samples.manifests.keys(), ...samples.tags.map((tag) => tag.digest)]).size);
    for (const name of names) {
      expect(sha256Hex(await readFile(join(dir, "blobs", "sha256", name)))).toBe(name);
    }
  });

  it("every referenced digest has a blob file", async () => {
    await writeOciLayout(dir, samples);
    const names = new Set(await readdir(join(dir, "blobs", "sha256")));
    const referenced = [...samples.blobs.keys(), ...samples.manifests.keys(), ...samples.tags.map((tag) => tag.digest)];

    for (const digest of referenced) expect(names.has(digest.slice("sha256:".length))).toBe(true);
  });

  it("rewrites an existing layout", async () => {
    await writeOciLayout(dir, samples);
    const first = await readFile(join(dir, "index.json"));
    await writeOciLayout(dir, samples);
    const files = await readdir(join(dir, "blobs", "sha256"));

    expect(Buffer.compare(await readFile(join(dir, "index.json")), first)).toBe(0);
    expect(files.filter((name) => name.includes(".partial"))).toEqual([]);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(["blobs", "index.json", "oci-layout"]));
  });

  it("rejects a layout of another version", async () => {
    await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "2.0.0" }));

    await expect(writeOciLayout(dir, samples)).rejects.toThrow(/version "2.0.0", not 1.0.0/);
  });

  it("rejects content whose digest does not match", async () => {
    const [digest] = samples.blobs.keys();
    const corrupted: SampleSet = { ...samples, blobs: new Map([[digest!, new Uint8Array([1, 2, 3])]]) };

    await expect(writeOciLayout(dir, corrupted)).rejects.toThrow(/has digest sha256:/);
  });

  it("Shipshape's layout reader reads every tag back", async () => {
    await writeOciLayout(dir, samples);
    const source = new OciLayoutSource({ path: dir });
    const repositories: string[] = [];
    for await (const repository of source.listRepositories()) repositories.push(repository);

    await source.ping();
    expect(repositories).toEqual(["demo/alpine-tools", "demo/multi-arch", "demo/web", "demo/worker"]);
    expect((await source.listTags("demo/worker")).sort()).toEqual(["2.0", "2.1"]);
    for (const tag of samples.tags) {
      const content = await source.getManifest(tag.repository, tag.tag);
      expect(content.digest).toBe(tag.digest);
      expect(content.mediaType).toBe(tag.mediaType);
    }
    for (const [digest, manifest] of samples.manifests) {
      const repository = samples.tags.find((tag) => Buffer.from(tag.bytes).includes(digest))!.repository;
      expect((await source.getManifest(repository, digest)).mediaType).toBe(manifest.mediaType);
    }
  });
});
