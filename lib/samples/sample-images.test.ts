import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";

import { findMissingReferences } from "@/lib/samples/find-missing-references";
import type { InTotoStatement } from "@/lib/samples/in-toto-statement";
import { decodeJson, type DescriptorJson, type ImageConfigJson, type IndexJson, type ManifestJson } from "@/lib/samples/oci-json";
import type { SlsaProvenanceV02 } from "@/lib/samples/provenance-statement";
import { readTarEntries } from "@/lib/samples/read-tar-entries";
import { buildSampleImages, type SampleSet, type SampleTag } from "@/lib/samples/sample-images";
import type { SpdxDocument } from "@/lib/samples/sbom-statement";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const ATTESTATION_TYPE = "vnd.docker.reference.type";
const BUILDKIT_METADATA = "https://mobyproject.org/buildkit@v1#metadata";

type Statement = InTotoStatement<unknown>;

let samples: SampleSet;

beforeAll(async () => {
  samples = await buildSampleImages();
});

function tag(reference: string): SampleTag {
  const found = samples.tags.find((entry) => `${entry.repository}:${entry.tag}` === reference);
  if (found === undefined) throw new Error(`sample tag ${reference} is missing`);
  return found;
}

function manifestJson(digest: string): ManifestJson {
  const manifest = samples.manifests.get(digest);
  if (manifest === undefined) throw new Error(`manifest ${digest} is missing`);
  return decodeJson<ManifestJson>(manifest.bytes);
}

function indexOf(reference: string): IndexJson {
  return decodeJson<IndexJson>(tag(reference).bytes);
}

function platformImages(index: IndexJson): DescriptorJson[] {
  return index.manifests.filter((entry) => entry.annotations?.[ATTESTATION_TYPE] !== "attestation-manifest");
}

function attestationEntries(index: IndexJson): DescriptorJson[] {
  return index.manifests.filter((entry) => entry.annotations?.[ATTESTATION_TYPE] === "attestation-manifest");
}

function configOf(manifest: ManifestJson): ImageConfigJson {
  return decodeJson<ImageConfigJson>(samples.blobs.get(manifest.config.digest)!);
}

function statementsOf(attestation: DescriptorJson | undefined): Statement[] {
  return manifestJson(attestation!.digest).layers.map((layer) => decodeJson<Statement>(samples.blobs.get(layer.digest)!));
}

// The first platform image of an index tag, or the image a manifest tag names.
function firstImageOf(entry: SampleTag): ManifestJson {
  if (entry.mediaType.includes("index") || entry.mediaType.includes("list")) {
    return manifestJson(platformImages(decodeJson<IndexJson>(entry.bytes))[0]!.digest);
  }
  return decodeJson<ManifestJson>(entry.bytes);
}

describe("buildSampleImages", () => {
  it("lists the demo tags in push order", () => {
    expect(samples.tags.map((entry) => `${entry.repository}:${entry.tag}`)).toEqual([
      "demo/web:1.0",
      "demo/web:1.1",
      "demo/web:1.2-rc",
      "demo/alpine-tools:3.4",
      "demo/multi-arch:latest",
      "demo/worker:2.0",
      "demo/worker:2.1",
    ]);
    expect(samples.tags.map((entry) => entry.pushedOrder)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("every referenced blob and manifest is present", () => {
    expect(findMissingReferences(samples)).toEqual([]);
  });

  it("every digest is the sha256 of its bytes", () => {
    for (const [digest, bytes] of samples.blobs) expect(sha256(bytes)).toBe(digest);
    for (const [digest, manifest] of samples.manifests) expect(sha256(manifest.bytes)).toBe(digest);
    for (const entry of samples.tags) expect(sha256(entry.bytes)).toBe(entry.digest);
  });

  it("builds the same digests twice", async () => {
    const again = await buildSampleImages();

    expect(again.tags.map((entry) => entry.digest)).toEqual(samples.tags.map((entry) => entry.digest));
    expect([...again.blobs.keys()]).toEqual([...samples.blobs.keys()]);
    expect([...again.manifests.keys()]).toEqual([...samples.manifests.keys()]);
  });

  it("later pushes have later created times", () => {
    const created = samples.tags.map((entry) => Date.parse(configOf(firstImageOf(entry)).created ?? ""));

    for (let index = 1; index < created.length; index++) {
      expect(created[index]).toBeGreaterThan(created[index - 1]!);
    }
  });

  it("web:1.0 is a root OCI image without attestations", () => {
    const web = tag("demo/web:1.0");
    const manifest = decodeJson<ManifestJson>(web.bytes);
    const config = configOf(manifest);

    expect(web.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(config.config).not.toHaveProperty("User");
    expect(config).toMatchObject({ os: "linux", architecture: "amd64" });
    expect(manifest.layers).toHaveLength(2);
    expect(config.history?.filter((entry) => entry.empty_layer !== true)).toHaveLength(2);
  });

  it("web:1.1 has an SBOM and max provenance", () => {
    const index = indexOf("demo/web:1.1");
    const [image] = platformImages(index);
    const [attestation] = attestationEntries(index);
    const statements = statementsOf(attestation);
    const provenance = statements[1] as InTotoStatement<SlsaProvenanceV02>;

    expect(configOf(manifestJson(image!.digest)).config.User).toBe("10001:10001");
    expect(attestation?.annotations?.["vnd.docker.reference.digest"]).toBe(image?.digest);
    expect(statements.map((statement) => statement.predicateType)).toEqual([
      "https://spdx.dev/Document",
      "https://slsa.dev/provenance/v0.2",
    ]);
    expect(provenance.predicate).toHaveProperty("buildConfig.llbDefinition");
    expect(provenance.predicate.metadata[BUILDKIT_METADATA]).toHaveProperty("layers");
    for (const statement of statements) expect(statement.subject[0]?.digest.sha256).toBe(image?.digest.slice(7));
  });

  it("web:1.2-rc has min provenance in the oci-artifact layout", () => {
    const index = indexOf("demo/web:1.2-rc");
    const [image] = platformImages(index);
    const [attestation] = attestationEntries(index);
    const manifest = manifestJson(attestation!.digest);
    const provenance = statementsOf(attestation)[1] as InTotoStatement<SlsaProvenanceV02>;

    expect(configOf(manifestJson(image!.digest)).config.User).toBe("10001:10001");
    expect(manifest.subject?.digest).toBe(image?.digest);
    expect(provenance.predicateType).toBe("https://slsa.dev/provenance/v0.2");
    expect(provenance.predicate).not.toHaveProperty("buildConfig");
    expect(provenance.predicate.metadata[BUILDKIT_METADATA]).not.toHaveProperty("source");
    expect(provenance.predicate.metadata[BUILDKIT_METADATA]).not.toHaveProperty("layers");
  });

  it("provenance names the Debian stand-in base", () => {
    const provenance = statementsOf(attestationEntries(indexOf("demo/web:1.1"))[0])[1] as InTotoStatement<SlsaProvenanceV02>;
    const material = provenance.predicate.materials[0];

    expect(material?.uri).toBe("pkg:docker/debian@12-slim?platform=linux%2Famd64");
    expect(material?.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("SBOM lists the Debian layer's packages", () => {
    const sbom = statementsOf(attestationEntries(indexOf("demo/web:1.1"))[0])[0] as InTotoStatement<SpdxDocument>;

    expect(sbom.predicate.packages).toHaveLength(39);
    expect(sbom.predicate.packages.map((pkg) => pkg.name)).toContain("openssl");
  });

  it("alpine-tools:3.4 uses Docker media types and root", async () => {
    const alpine = tag("demo/alpine-tools:3.4");
    const manifest = decodeJson<ManifestJson>(alpine.bytes);
    const config = configOf(manifest);
    const tar = gunzipSync(samples.blobs.get(manifest.layers[0]!.digest)!);
    const files = new Map((await readTarEntries(tar)).map((entry) => [entry.name, entry.content.toString("utf8")]));

    expect(alpine.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    expect(manifest.config.mediaType).toBe("application/vnd.docker.container.image.v1+json");
    expect(manifest.layers[0]?.mediaType).toBe("application/vnd.docker.image.rootfs.diff.tar.gzip");
    expect(config.config.User).toBe("root");
    expect(config.config.Labels?.["org.opencontainers.image.base.name"]).toBe("docker.io/library/alpine:3.4");
    expect(files.get("lib/apk/db/installed")).toBe(readFileSync(join(SAMPLES_TESTDATA_DIR, "alpine/lib/apk/db/installed"), "utf8"));
    expect(files.get("etc/os-release")).toContain("VERSION_ID=3.4.6");
    expect(files.get("etc/alpine-release")).toBe("3.4.6\n");
  });

  it("multi-arch:latest has two platforms with their own attestations", () => {
    const index = indexOf("demo/multi-arch:latest");
    const images = platformImages(index);
    const attestations = attestationEntries(index);
    const users = images.map((image) => configOf(manifestJson(image.digest)).config.User);

    expect(images.map((image) => image.platform)).toEqual([
      { architecture: "amd64", os: "linux" },
      { architecture: "arm64", os: "linux", variant: "v8" },
    ]);
    expect(users).toEqual(["nobody", undefined]);
    expect(attestations.map((entry) => entry.annotations?.["vnd.docker.reference.digest"])).toEqual(
      images.map((image) => image.digest),
    );
    for (const [position, attestation] of attestations.entries()) {
      const statements = statementsOf(attestation);
      expect(statements.map((statement) => statement.predicateType)).toEqual([
        "https://spdx.dev/Document",
        "https://slsa.dev/provenance/v0.2",
      ]);
      expect(statements[1]?.predicate).toHaveProperty("buildConfig");
      expect(statements[1]?.subject[0]?.digest.sha256).toBe(images[position]?.digest.slice(7));
    }
  });

  it("worker 2.1 is pushed and created after 2.0", () => {
    const older = tag("demo/worker:2.0");
    const newer = tag("demo/worker:2.1");
    const olderConfig = configOf(decodeJson<ManifestJson>(older.bytes));
    const newerConfig = configOf(decodeJson<ManifestJson>(newer.bytes));

    expect(newer.pushedOrder).toBeGreaterThan(older.pushedOrder);
    expect(newer.digest).not.toBe(older.digest);
    expect(Date.parse(newerConfig.created ?? "")).toBeGreaterThan(Date.parse(olderConfig.created ?? ""));
    expect(newerConfig.config.User).toBe("app");
    expect(olderConfig.config.User).toBe("app");
  });

  it("worker layers install npm packages", async () => {
    const npmPackages = async (reference: string) => {
      const manifest = decodeJson<ManifestJson>(tag(reference).bytes);
      const tar = gunzipSync(samples.blobs.get(manifest.layers[1]!.digest)!);
      const entries = (await readTarEntries(tar)).filter((entry) => entry.name.endsWith("/package.json"));
      return entries.map((entry) => ({ path: entry.name, manifest: JSON.parse(entry.content.toString("utf8")) as unknown }));
    };

    // mixin-deep 1.3.1 and marky-markdown match the OSV records GHSA-fhjf-83wg-r2j9 and GHSA-pxmp-fwjc-4x7q.
    expect(await npmPackages("demo/worker:2.0")).toEqual([
      { path: "app/node_modules/marky-markdown/package.json", manifest: { name: "marky-markdown", version: "11.3.5", license: "ISC" } },
      { path: "app/node_modules/mixin-deep/package.json", manifest: { name: "mixin-deep", version: "1.3.1", license: "MIT" } },
    ]);
    expect(await npmPackages("demo/worker:2.1")).toEqual([
      { path: "app/node_modules/mixin-deep/package.json", manifest: { name: "mixin-deep", version: "1.3.2", license: "MIT" } },
    ]);
  });

  it("Debian images share the base layer", () => {
    const baseLayer = (entry: SampleTag) => firstImageOf(entry).layers[0]?.digest;
    const debianTags = samples.tags.filter((entry) => entry.repository !== "demo/alpine-tools");

    expect(new Set(debianTags.map(baseLayer)).size).toBe(1);
  });
});
