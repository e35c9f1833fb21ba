import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { computeDigest } from "@/lib/registry/digest";
import { MediaType } from "@/lib/registry/manifest";
import { OciLayoutSource, REF_NAME_ANNOTATION } from "@/lib/registry/oci-layout-source";
import { createRegistrySource } from "@/lib/registry/registry-source";

const encoder = new TextEncoder();

interface Blob {
  digest: string;
  bytes: Uint8Array;
}

async function writeBlob(layout: string, content: string | Uint8Array): Promise<Blob> {
  const bytes = typeof content === "string" ? encoder.encode(content) : content;
  const digest = computeDigest(bytes);
  await writeFile(path.join(layout, "blobs", "sha256", digest.slice("sha256:".length)), bytes);
  return { digest, bytes };
}

async function writeImage(layout: string, architecture: string): Promise<{ manifest: Blob; config: Blob; layer: Blob }> {
  const config = await writeBlob(layout, JSON.stringify({ architecture, os: "linux", config: { User: "1000" } }));
  const layer = await writeBlob(layout, `layer for ${architecture}`);
  const manifest = await writeBlob(
    layout,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: config.digest, size: config.bytes.byteLength },
      layers: [{ mediaType: MediaType.ociLayer, digest: layer.digest, size: layer.bytes.byteLength }],
    }),
  );
  return { manifest, config, layer };
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("OciLayoutSource", () => {
  let directory: string;
  let layout: string;
  let amd64: Awaited<ReturnType<typeof writeImage>>;
  let arm64: Awaited<ReturnType<typeof writeImage>>;
  let index: Blob;
  let tampered: Blob;
  let source: OciLayoutSource;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "shipshape-oci-layout-"));
    layout = path.join(directory, "layout");
    await mkdir(path.join(layout, "blobs", "sha256"), { recursive: true });
    await writeFile(path.join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));

    amd64 = await writeImage(layout, "amd64");
    arm64 = await writeImage(layout, "arm64");
    index = await writeBlob(
      layout,
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          { mediaType: MediaType.ociManifest, digest: amd64.manifest.digest, size: amd64.manifest.bytes.byteLength, platform: { architecture: "amd64", os: "linux" } },
          { mediaType: MediaType.ociManifest, digest: arm64.manifest.digest, size: arm64.manifest.bytes.byteLength, platform: { architecture: "arm64", os: "linux" } },
        ],
      }),
    );

    // A blob whose file content does not match its name.
    tampered = { digest: computeDigest(encoder.encode("original")), bytes: encoder.encode("original") };
    await writeFile(path.join(layout, "blobs", "sha256", tampered.digest.slice(7)), "replaced");

    // A blob file that is a symbolic link to a file outside the layout.
    const outside = encoder.encode("a file outside the layout");
    await writeFile(path.join(directory, "outside.txt"), outside);
    await symlink(path.join(directory, "outside.txt"), path.join(layout, "blobs", "sha256", computeDigest(outside).slice(7)));

    const entry = (blob: Blob, mediaType: string, refName?: string) => ({
      mediaType,
      digest: blob.digest,
      size: blob.bytes.byteLength,
      ...(refName === undefined ? {} : { annotations: { [REF_NAME_ANNOTATION]: refName } }),
    });
    await writeFile(
      path.join(layout, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          entry(amd64.manifest, MediaType.ociManifest, "acme/api:1.0"),
          entry(index, MediaType.ociIndex, "acme/api:multi"),
          entry(arm64.manifest, MediaType.ociManifest, "acme/worker:latest"),
          entry(amd64.manifest, MediaType.ociManifest, "bare-tag"),
          entry(amd64.manifest, MediaType.ociManifest, "Acme/Upper:1"),
          entry(arm64.manifest, MediaType.ociManifest),
        ],
      }),
    );

    source = new OciLayoutSource({ path: layout });
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("pings a layout", async () => {
    expect(await source.ping()).toEqual({ authScheme: "none" });
  });

  it("rejects a directory that is not a layout", async () => {
    const error = await caught(new OciLayoutSource({ path: directory }).ping());
    expect(error.code).toBe("REGISTRY_UNREACHABLE");
    expect(error.message).toContain(path.join(directory, "oci-layout"));
  });

  it("lists repositories from ref.name annotations", async () => {
    const repositories: string[] = [];
    for await (const repository of source.listRepositories()) repositories.push(repository);
    expect(repositories).toEqual(["acme/api", "acme/worker"]);
  });

  it("lists tags", async () => {
    expect(await source.listTags("acme/api")).toEqual(["1.0", "multi"]);
    expect(await source.listTags("acme/worker")).toEqual(["latest"]);
  });

  it("raises NOT_FOUND for an unknown repository", async () => {
    expect((await caught(source.listTags("acme/missing"))).code).toBe("NOT_FOUND");
  });

  it("heads manifests by tag and digest", async () => {
    expect(await source.headManifest("acme/api", "1.0")).toEqual({ digest: amd64.manifest.digest, mediaType: MediaType.ociManifest, size: amd64.manifest.bytes.byteLength });
    expect(await source.headManifest("acme/api", index.digest)).toEqual({ digest: index.digest, mediaType: MediaType.ociIndex, size: index.bytes.byteLength });
    expect(await source.headManifest("acme/api", "missing")).toBeNull();
    expect(await source.headManifest("acme/api", `sha256:${"0".repeat(64)}`)).toBeNull();
    expect(await source.headManifest("acme/missing", "1.0")).toBeNull();
  });

  it("gets a manifest and an index", async () => {
    const manifest = await source.getManifest("acme/api", "1.0");
    expect(manifest.digest).toBe(amd64.manifest.digest);
    expect(manifest.manifest.kind).toBe("manifest");

    const multi = await source.getManifest("acme/api", "multi");
    expect(multi.digest).toBe(index.digest);
    expect(multi.manifest.kind).toBe("index");
    if (multi.manifest.kind === "index") {
      expect(multi.manifest.manifests.map((entry) => entry.platform?.architecture)).toEqual(["amd64", "arm64"]);
    }

    const child = await source.getManifest("acme/api", arm64.manifest.digest);
    expect(child.bytes).toEqual(arm64.manifest.bytes);
  });

  it("reads and streams blobs", async () => {
    expect(await source.getBlob("acme/api", amd64.config.digest)).toEqual(amd64.config.bytes);
    const blob = await source.openBlob("acme/api", amd64.layer.digest, { size: amd64.layer.bytes.byteLength });
    expect(blob.size).toBe(amd64.layer.bytes.byteLength);
    expect(new Uint8Array(await new Response(blob.stream).arrayBuffer())).toEqual(amd64.layer.bytes);
  });

  it("rejects a blob whose content does not match its digest", async () => {
    const error = await caught(source.getBlob("acme/api", tampered.digest));
    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.message).toContain(`acme/api@${tampered.digest}`);

    const stream = await source.openBlob("acme/api", tampered.digest);
    expect((await caught(new Response(stream.stream).arrayBuffer())).code).toBe("DIGEST_MISMATCH");
  });

  it("rejects a blob link that leaves the blobs directory", async () => {
    const outsideDigest = computeDigest(encoder.encode("a file outside the layout"));
    const error = await caught(source.getBlob("acme/api", outsideDigest));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain("outside the layout's blobs directory");
  });

  it("rejects digests that are not plain hex", async () => {
    expect((await caught(source.getBlob("acme/api", "sha256:../../../../etc/passwd"))).code).toBe("INVALID_INPUT");
  });

  it("raises NOT_FOUND for a missing blob", async () => {
    expect((await caught(source.getBlob("acme/api", `sha256:${"1".repeat(64)}`))).code).toBe("NOT_FOUND");
  });

  it("caps blob and manifest sizes", async () => {
    const small = new OciLayoutSource({ path: layout, maxBlobBytes: 4, maxManifestBytes: 20_000 });
    expect((await caught(small.getBlob("acme/api", amd64.config.digest))).code).toBe("TOO_LARGE");
    const tiny = new OciLayoutSource({ path: layout, maxManifestBytes: 50 });
    expect((await caught(tiny.getManifest("acme/api", "1.0"))).code).toBe("TOO_LARGE");
  });

  it("is created through createRegistrySource", async () => {
    const created = createRegistrySource({ kind: "oci-layout", path: layout });
    expect(await created.listTags("acme/worker")).toEqual(["latest"]);
  });
});
