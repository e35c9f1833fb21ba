import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import {
  buildImage,
  buildIndex,
  buildLayer,
  DEFAULT_LAYER_MTIME,
  type BuildImageInput,
  type BuiltImage,
  type Layer,
} from "@/lib/samples/image-builder";
import type { InTotoStatement } from "@/lib/samples/in-toto-statement";
import { decodeJson, type ImageConfigJson, type IndexJson, type ManifestJson } from "@/lib/samples/oci-json";
import { readTarEntries } from "@/lib/samples/read-tar-entries";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const readFixture = <T>(path: string) => decodeJson<T>(readFileSync(join(SAMPLES_TESTDATA_DIR, "attestations", path)));

const DPKG_STATUS = readFileSync(join(SAMPLES_TESTDATA_DIR, "debian-12/var/lib/dpkg/status"), "utf8");
const AMD64 = { os: "linux", architecture: "amd64" };
const ARM64 = { os: "linux", architecture: "arm64", variant: "v8" };

let smallLayer: Layer;
let debianLayer: Layer;

beforeAll(async () => {
  smallLayer = await buildLayer([{ path: "app/hello.txt", content: "hello\n" }]);
  debianLayer = await buildLayer(join(SAMPLES_TESTDATA_DIR, "debian-12"));
});

function imageInput(overrides: Partial<BuildImageInput> = {}): BuildImageInput {
  return {
    layers: [debianLayer, smallLayer],
    config: { ...AMD64, created: "2025-01-02T03:04:05Z", user: "10001", cmd: ["/app/start"] },
    mediaTypes: "oci",
    ...overrides,
  };
}

function attestedEntry(image: BuiltImage, mode: "min" | "max") {
  return {
    image,
    attestations: {
      sbom: { dpkgStatus: DPKG_STATUS, distro: { id: "debian", versionId: "12" }, created: "2025-01-02T03:04:05Z" },
      provenance: {
        mode,
        invocationId: "test-build",
        startedOn: "2025-01-02T03:00:00Z",
        finishedOn: "2025-01-02T03:04:05Z",
        dockerfile: "FROM debian:12-slim\nCOPY app/ /app/\n",
        baseImage: { name: "debian", tag: "12-slim", digest: sha256(new Uint8Array([1])), layerCount: 1 },
      },
    },
  };
}

describe("buildLayer", () => {
  it("gives the same digest on every build", async () => {
    const again = await buildLayer([{ path: "app/hello.txt", content: "hello\n" }]);

    expect(again.digest).toBe(smallLayer.digest);
    expect(again.diffId).toBe(smallLayer.diffId);
    expect((await buildLayer(join(SAMPLES_TESTDATA_DIR, "debian-12"))).digest).toBe(debianLayer.digest);
  });

  it("digest is the sha256 of the blob", () => {
    expect(smallLayer.digest).toBe(sha256(smallLayer.bytes));
    expect(smallLayer.size).toBe(smallLayer.bytes.byteLength);
    expect(smallLayer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
  });

  it("stored gzip of a fixed layer has a known digest", async () => {
    const layer = await buildLayer([{ path: "hello.txt", content: "hello\n" }], { compression: "gzip-stored" });

    expect(layer.digest).toBe(sha256(layer.bytes));
    expect(layer.digest).toBe("sha256:0230851231528b7bc4a58b8245680f5ce709978b341f8ec5c8e0e5aa8e25a041");
    expect(layer.diffId).toBe("sha256:d9b4f9a7d416c184b5af98885c1e9cbb6ae59de13e5156a603c2f58c8698868c");
  });

  it("diffId is the sha256 of the decompressed blob", () => {
    for (const layer of [smallLayer, debianLayer]) {
      expect(sha256(gunzipSync(layer.bytes))).toBe(layer.diffId);
    }
  });

  it("uncompressed layer digest equals its diffId", async () => {
    const layer = await buildLayer([{ path: "a", content: "a" }], { compression: "none" });

    expect(layer.digest).toBe(layer.diffId);
    expect(layer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar");
    expect(sha256(layer.bytes)).toBe(layer.digest);
  });

  it("tar holds the root directory's files at their paths", async () => {
    const entries = await readTarEntries(gunzipSync(debianLayer.bytes));
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    const status = byName.get("var/lib/dpkg/status");

    expect(status?.type).toBe("file");
    expect(status?.content.toString("utf8")).toBe(DPKG_STATUS);
    expect(byName.get("usr/lib/os-release")?.content.toString("utf8")).toContain('VERSION_CODENAME=bookworm');
    expect(byName.get("etc/os-release")).toMatchObject({ type: "symlink", linkname: "../usr/lib/os-release" });
    expect(byName.get("etc/debian_version")?.content.toString("utf8")).toBe(
      readFileSync(join(SAMPLES_TESTDATA_DIR, "debian-12/etc/debian_version"), "utf8"),
    );
    expect(status?.mtime.toISOString()).toBe(DEFAULT_LAYER_MTIME.toISOString());
  });
});

describe("buildImage", () => {
  it("config lists the layers' diff ids and the settings", () => {
    const image = buildImage(
      imageInput({
        config: {
          ...AMD64,
          created: "2025-01-02T03:04:05Z",
          user: "10001",
          env: ["A=1"],
          cmd: ["/app/start"],
          labels: { "z.label": "last", "a.label": "first" },
          history: [
            { created: "2025-01-01T00:00:00Z", createdBy: "ADD rootfs /" },
            { created: "2025-01-02T03:04:05Z", createdBy: "COPY app /app" },
            { created: "2025-01-02T03:04:05Z", createdBy: "USER 10001", emptyLayer: true },
          ],
        },
      }),
    );
    const config = decodeJson<ImageConfigJson>(image.config.bytes);

    expect(config.rootfs).toEqual({ type: "layers", diff_ids: [debianLayer.diffId, smallLayer.diffId] });
    expect(config.config).toEqual({ User: "10001", Env: ["A=1"], Cmd: ["/app/start"], Labels: { "a.label": "first", "z.label": "last" } });
    expect(Object.keys(config.config.Labels ?? {})).toEqual(["a.label", "z.label"]);
    expect(config.history?.[2]).toEqual({ created: "2025-01-02T03:04:05Z", created_by: "USER 10001", empty_layer: true });
    expect(Object.keys(config)).toEqual(["created", "architecture", "os", "config", "rootfs", "history"]);
  });

  it("config leaves out an unset User", () => {
    const image = buildImage(imageInput({ config: { ...ARM64, created: "2025-01-02T03:04:05Z" } }));
    const config = decodeJson<ImageConfigJson>(image.config.bytes);

    expect(config.config).toEqual({});
    expect(config.variant).toBe("v8");
  });

  it("OCI manifest references the config and layers", () => {
    const image = buildImage(imageInput());
    const manifest = decodeJson<ManifestJson>(image.manifest.bytes);

    expect(image.manifest.digest).toBe(sha256(image.manifest.bytes));
    expect(image.config.digest).toBe(sha256(image.config.bytes));
    expect(manifest.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(manifest.config).toEqual({
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: image.config.digest,
      size: image.config.bytes.byteLength,
    });
    expect(manifest.layers.map((layer) => layer.digest)).toEqual([debianLayer.digest, smallLayer.digest]);
    expect([...image.blobs.keys()].sort()).toEqual([image.config.digest, debianLayer.digest, smallLayer.digest].sort());
    for (const [digest, bytes] of image.blobs) expect(sha256(bytes)).toBe(digest);
  });

  it("Docker manifest uses schema 2 media types", () => {
    const image = buildImage(imageInput({ mediaTypes: "docker" }));
    const manifest = decodeJson<ManifestJson>(image.manifest.bytes);

    expect(image.manifest.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    expect(manifest.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    expect(manifest.config.mediaType).toBe("application/vnd.docker.container.image.v1+json");
    expect(manifest.layers[0]?.mediaType).toBe("application/vnd.docker.image.rootfs.diff.tar.gzip");
    expect(Object.keys(manifest.layers[0] ?? {})).toEqual(["mediaType", "size", "digest"]);
  });

  it("builds the same manifest twice", () => {
    expect(buildImage(imageInput()).manifest.digest).toBe(buildImage(imageInput()).manifest.digest);
  });

  it("rejects history that does not match the layers", () => {
    const input = imageInput({
      config: { ...AMD64, created: "2025-01-02T03:04:05Z", history: [{ created: "2025-01-02T03:04:05Z", createdBy: "ADD / /" }] },
    });

    expect(() => buildImage(input)).toThrow(/history has 1 entries that add a layer but the image has 2 layers/);
  });

  it("rejects a created time that is not ISO 8601", () => {
    const input = imageInput({ config: { ...AMD64, created: "May 1, 2025" } });

    expect(() => buildImage(input)).toThrow(AppError);
  });

  it("rejects annotations on a Docker manifest", () => {
    expect(() => buildImage(imageInput({ mediaTypes: "docker", annotations: { a: "b" } }))).toThrow(/no annotations/);
  });
});

describe("buildIndex", () => {
  it("lists each platform image", () => {
    const amd64 = buildImage(imageInput());
    const arm64 = buildImage(imageInput({ config: { ...ARM64, created: "2025-01-02T03:04:05Z" } }));
    const index = buildIndex([{ image: amd64 }, { image: arm64 }], { mediaTypes: "oci" });
    const json = decodeJson<IndexJson>(index.manifest.bytes);

    expect(index.manifest.digest).toBe(sha256(index.manifest.bytes));
    expect(json.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(json.manifests).toEqual([
      { mediaType: amd64.manifest.mediaType, digest: amd64.manifest.digest, size: amd64.manifest.bytes.byteLength, platform: { architecture: "amd64", os: "linux" } },
      { mediaType: arm64.manifest.mediaType, digest: arm64.manifest.digest, size: arm64.manifest.bytes.byteLength, platform: { architecture: "arm64", os: "linux", variant: "v8" } },
    ]);
    expect([...index.manifests.keys()]).toEqual([amd64.manifest.digest, arm64.manifest.digest]);
  });

  it("Docker manifest list uses the list media type", () => {
    const image = buildImage(imageInput({ mediaTypes: "docker" }));
    const index = buildIndex([{ image }], { mediaTypes: "docker" });

    expect(index.manifest.mediaType).toBe("application/vnd.docker.distribution.manifest.list.v2+json");
    expect(decodeJson<IndexJson>(index.manifest.bytes).manifests[0]?.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
  });

  it("attestation manifest carries BuildKit's annotations", () => {
    const image = buildImage(imageInput());
    const index = buildIndex([attestedEntry(image, "max")], {
      mediaTypes: "oci",
      reference: { repository: "demo/web", tag: "1.1" },
    });
    const entries = decodeJson<IndexJson>(index.manifest.bytes).manifests;
    const attestation = entries[1];
    const [, fixture] = readFixture<IndexJson>("buildkit-docs/image-index-with-attestation-manifest.json").manifests;

    expect(entries).toHaveLength(2);
    expect(attestation?.annotations).toEqual({
      "vnd.docker.reference.digest": image.manifest.digest,
      "vnd.docker.reference.type": "attestation-manifest",
    });
    expect(attestation?.platform).toEqual({ architecture: "unknown", os: "unknown" });
    expect(Object.keys(attestation ?? {}).sort()).toEqual(Object.keys(fixture ?? {}).sort());
    expect(Object.keys(attestation?.annotations ?? {})).toEqual(Object.keys(fixture?.annotations ?? {}));
    expect(index.manifests.has(attestation?.digest ?? "")).toBe(true);
  });

  it("in-toto layers name their predicate type and subject", () => {
    const image = buildImage(imageInput());
    const index = buildIndex([attestedEntry(image, "max")], {
      mediaTypes: "oci",
      reference: { repository: "demo/web", tag: "1.1" },
    });
    const attestationDigest = decodeJson<IndexJson>(index.manifest.bytes).manifests[1]!.digest;
    const attestation = decodeJson<ManifestJson>(index.manifests.get(attestationDigest)!.bytes);

    expect(attestation.layers.map((layer) => layer.annotations?.["in-toto.io/predicate-type"])).toEqual([
      "https://spdx.dev/Document",
      "https://slsa.dev/provenance/v0.2",
    ]);
    for (const layer of attestation.layers) {
      expect(layer.mediaType).toBe("application/vnd.in-toto+json");
      const bytes = index.blobs.get(layer.digest)!;
      expect(sha256(bytes)).toBe(layer.digest);
      const statement = decodeJson<InTotoStatement<unknown>>(bytes);
      expect(statement._type).toBe("https://in-toto.io/Statement/v0.1");
      expect(statement.predicateType).toBe(layer.annotations?.["in-toto.io/predicate-type"]);
      expect(statement.subject).toEqual([
        { name: "pkg:docker/demo/web@1.1?platform=linux%2Famd64", digest: { sha256: image.manifest.digest.slice(7) } },
      ]);
    }
  });

  it("image-config layout matches BuildKit's", () => {
    const image = buildImage(imageInput());
    const index = buildIndex([attestedEntry(image, "max")], {
      mediaTypes: "oci",
      reference: { repository: "demo/web", tag: "1.1" },
      attestationLayout: "image-config",
    });
    const attestation = decodeJson<ManifestJson>([...index.manifests.values()][1]!.bytes);
    const config = decodeJson<ImageConfigJson>(index.blobs.get(attestation.config.digest)!);
    const fixture = readFixture<ManifestJson>("buildkit-docs/attestation-manifest-legacy.json");
    const fixtureConfig = readFixture<ImageConfigJson>("buildkit-docs/attestation-manifest-legacy-config.json");

    expect(Object.keys(attestation).sort()).toEqual(Object.keys(fixture).sort());
    expect(attestation.config.mediaType).toBe(fixture.config.mediaType);
    expect(Object.keys(config).sort()).toEqual(Object.keys(fixtureConfig).sort());
    expect(config).toMatchObject({ architecture: "unknown", os: "unknown", config: {} });
    expect(config.rootfs.diff_ids).toEqual(attestation.layers.map((layer) => layer.digest));
  });

  it("oci-artifact layout matches BuildKit's", () => {
    const image = buildImage(imageInput());
    const index = buildIndex([attestedEntry(image, "min")], {
      mediaTypes: "oci",
      reference: { repository: "demo/web", tag: "1.2-rc" },
      attestationLayout: "oci-artifact",
    });
    const attestation = decodeJson<ManifestJson>([...index.manifests.values()][1]!.bytes);
    const fixture = readFixture<ManifestJson>("buildkit-docs/attestation-manifest-in-toto-v1.json");

    expect(Object.keys(attestation).sort()).toEqual(Object.keys(fixture).sort());
    expect(attestation.artifactType).toBe("application/vnd.docker.attestation.manifest.v1+json");
    expect(attestation.config).toEqual(fixture.config);
    expect(Buffer.from(index.blobs.get(fixture.config.digest)!).toString()).toBe("{}");
    expect(attestation.subject).toEqual({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.bytes.byteLength,
    });
  });

  it("rejects attestations with Docker media types", () => {
    const image = buildImage(imageInput({ mediaTypes: "docker" }));
    const build = () => buildIndex([attestedEntry(image, "max")], { mediaTypes: "docker", reference: { repository: "demo/web", tag: "1" } });

    expect(build).toThrow(/Attestations need an OCI image index/);
  });

  it("rejects attestations without a reference", () => {
    const image = buildImage(imageInput());

    expect(() => buildIndex([attestedEntry(image, "max")], { mediaTypes: "oci" })).toThrow(/pass options.reference/);
  });

  it("rejects two images of one platform", () => {
    const image = buildImage(imageInput());
    const other = buildImage(imageInput({ config: { ...AMD64, created: "2025-02-02T00:00:00Z" } }));

    expect(() => buildIndex([{ image }, { image: other }], { mediaTypes: "oci" })).toThrow(/platform linux\/amd64/);
  });

  it("rejects images of the other media type family", () => {
    const image = buildImage(imageInput({ mediaTypes: "docker" }));

    expect(() => buildIndex([{ image }], { mediaTypes: "oci" })).toThrow(/uses docker media types/);
  });

  it("rejects an empty index", () => {
    expect(() => buildIndex([], { mediaTypes: "oci" })).toThrow(AppError);
  });
});
