import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { MediaType, parseImageConfig, parseManifest } from "@/lib/registry/manifest";

const WHERE = { repository: "acme/api", digest: `sha256:${"f".repeat(64)}` };
const DIGEST_A = `sha256:${"a".repeat(64)}`;
const DIGEST_B = `sha256:${"b".repeat(64)}`;

function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
}

const ociManifest = {
  schemaVersion: 2,
  mediaType: MediaType.ociManifest,
  config: { mediaType: MediaType.ociConfig, digest: DIGEST_A, size: 100 },
  layers: [{ mediaType: MediaType.ociLayerGzip, digest: DIGEST_B, size: 2000, annotations: { "org.example": "x" } }],
  annotations: { "org.opencontainers.image.base.name": "docker.io/library/alpine:3.20" },
};

const dockerManifest = {
  schemaVersion: 2,
  mediaType: MediaType.dockerManifest,
  config: { mediaType: MediaType.dockerConfig, digest: DIGEST_A, size: 100 },
  layers: [{ mediaType: MediaType.dockerLayerGzip, digest: DIGEST_B, size: 2000 }],
};

const ociIndex = {
  schemaVersion: 2,
  mediaType: MediaType.ociIndex,
  manifests: [
    { mediaType: MediaType.ociManifest, digest: DIGEST_A, size: 500, platform: { architecture: "arm64", os: "linux", variant: "v8" } },
    {
      mediaType: MediaType.ociManifest,
      digest: DIGEST_B,
      size: 600,
      platform: { architecture: "unknown", os: "unknown" },
      annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": DIGEST_A },
    },
  ],
};

const dockerList = {
  schemaVersion: 2,
  mediaType: MediaType.dockerManifestList,
  manifests: [{ mediaType: MediaType.dockerManifest, digest: DIGEST_A, size: 500, platform: { architecture: "amd64", os: "linux" } }],
};

describe("parseManifest", () => {
  it.each([
    { name: "OCI manifest", document: ociManifest, contentType: MediaType.ociManifest, kind: "manifest", mediaType: MediaType.ociManifest },
    { name: "Docker schema 2 manifest", document: dockerManifest, contentType: MediaType.dockerManifest, kind: "manifest", mediaType: MediaType.dockerManifest },
    { name: "OCI index", document: ociIndex, contentType: MediaType.ociIndex, kind: "index", mediaType: MediaType.ociIndex },
    { name: "Docker manifest list", document: dockerList, contentType: MediaType.dockerManifestList, kind: "index", mediaType: MediaType.dockerManifestList },
    { name: "content type with parameters", document: ociManifest, contentType: `${MediaType.ociManifest}; charset=utf-8`, kind: "manifest", mediaType: MediaType.ociManifest },
    { name: "generic content type", document: dockerList, contentType: "application/json", kind: "index", mediaType: MediaType.dockerManifestList },
    { name: "missing content type", document: ociIndex, contentType: null, kind: "index", mediaType: MediaType.ociIndex },
    { name: "manifest without mediaType", document: { ...ociManifest, mediaType: undefined }, contentType: MediaType.ociManifest, kind: "manifest", mediaType: MediaType.ociManifest },
    { name: "index without mediaType or content type", document: { ...ociIndex, mediaType: undefined }, contentType: null, kind: "index", mediaType: MediaType.ociIndex },
    { name: "manifest shape without any type", document: { ...ociManifest, mediaType: undefined }, contentType: "application/octet-stream", kind: "manifest", mediaType: MediaType.ociManifest },
  ])("parses $name", ({ document, contentType, kind, mediaType }) => {
    const parsed = parseManifest(bytes(document), contentType, WHERE);
    expect(parsed.kind).toBe(kind);
    expect(parsed.mediaType).toBe(mediaType);
  });

  it("keeps descriptors, platforms and annotations", () => {
    const index = parseManifest(bytes(ociIndex), MediaType.ociIndex, WHERE);
    if (index.kind !== "index") throw new Error("expected an index");
    expect(index.manifests[0]?.platform).toEqual({ architecture: "arm64", os: "linux", variant: "v8" });
    expect(index.manifests[1]?.annotations?.["vnd.docker.reference.type"]).toBe("attestation-manifest");

    const manifest = parseManifest(bytes(ociManifest), MediaType.ociManifest, WHERE);
    if (manifest.kind !== "manifest") throw new Error("expected a manifest");
    expect(manifest.config.digest).toBe(DIGEST_A);
    expect(manifest.layers[0]?.size).toBe(2000);
    expect(manifest.annotations?.["org.opencontainers.image.base.name"]).toBe("docker.io/library/alpine:3.20");
  });

  it.each([
    { name: "not JSON", body: bytes("<html>not json</html>"), contentType: MediaType.ociManifest, error: /not valid UTF-8 JSON/ },
    { name: "invalid UTF-8", body: new Uint8Array([0x7b, 0xff, 0x7d]), contentType: MediaType.ociManifest, error: /not valid UTF-8 JSON/ },
    { name: "JSON array", body: bytes([1, 2]), contentType: MediaType.ociManifest, error: /not a JSON object/ },
    { name: "schema 1 by version", body: bytes({ schemaVersion: 1, name: "acme/api", tag: "1", fsLayers: [] }), contentType: "application/json", error: /Docker schema 1 manifest/ },
    { name: "schema 1 signed", body: bytes({ schemaVersion: 1 }), contentType: MediaType.dockerSchema1Signed, error: /Docker schema 1 manifest/ },
    { name: "unknown media type", body: bytes({ schemaVersion: 2, mediaType: "application/vnd.example+json" }), contentType: null, error: /media type "application\/vnd.example\+json" is not one of/ },
    { name: "unknown shape", body: bytes({ schemaVersion: 2, hello: "world" }), contentType: "application/json", error: /has no mediaType and neither/ },
    { name: "type mismatch", body: bytes(ociIndex), contentType: MediaType.ociManifest, error: /does not match the Content-Type/ },
    { name: "missing layers", body: bytes({ ...ociManifest, layers: undefined }), contentType: MediaType.ociManifest, error: /layers/ },
    { name: "bad digest", body: bytes({ ...ociManifest, config: { ...ociManifest.config, digest: "nope" } }), contentType: null, error: /config\.digest/ },
    { name: "negative size", body: bytes({ ...dockerList, manifests: [{ ...dockerList.manifests[0], size: -1 }] }), contentType: null, error: /manifests\.0\.size/ },
    { name: "wrong schemaVersion", body: bytes({ ...ociManifest, schemaVersion: 3 }), contentType: null, error: /schemaVersion/ },
  ])("rejects $name", ({ body, contentType, error }) => {
    let caught: unknown;
    try {
      parseManifest(body, contentType, WHERE);
    } catch (thrown) {
      caught = thrown;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe("MALFORMED_MANIFEST");
    expect((caught as AppError).message).toContain(`acme/api@${WHERE.digest}`);
    expect((caught as AppError).message).toMatch(error);
  });
});

describe("parseImageConfig", () => {
  it("reads user, labels, history and platform", () => {
    const config = parseImageConfig(
      bytes({
        created: "2025-01-01T00:00:00Z",
        architecture: "arm",
        variant: "v7",
        os: "linux",
        config: { User: "app", Labels: { "org.opencontainers.image.source": "https://example.com" }, Env: null, ExposedPorts: { "80/tcp": {} } },
        rootfs: { type: "layers", diff_ids: [DIGEST_A] },
        history: [{ created_by: "ADD file", empty_layer: false }, { created_by: "USER app", empty_layer: true }],
      }),
      WHERE,
    );
    expect(config.config?.User).toBe("app");
    expect(config.config?.Labels?.["org.opencontainers.image.source"]).toBe("https://example.com");
    expect(config.history?.[1]?.empty_layer).toBe(true);
    expect(config.variant).toBe("v7");
    expect(config.rootfs?.diff_ids).toEqual([DIGEST_A]);
  });

  it("accepts null labels", () => {
    const config = parseImageConfig(bytes({ architecture: "amd64", os: "linux", config: { Labels: null } }), WHERE);
    expect(config.config?.Labels).toBeNull();
  });

  it("rejects a config without os", () => {
    expect(() => parseImageConfig(bytes({ architecture: "amd64" }), WHERE)).toThrow(/Invalid image config acme\/api@sha256:f+: os/);
  });
});
