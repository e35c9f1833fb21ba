import { createServer } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { DistributionClient, type RequestInfo } from "@/lib/registry/distribution-client";
import { MediaType } from "@/lib/registry/manifest";
import { RegistryError } from "@/lib/registry/registry-error";
import { createRegistrySource } from "@/lib/registry/registry-source";
import { deleteManifest, pushBlob, pushManifest, type BasicAuth } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";

const encoder = new TextEncoder();

interface PushedImage {
  digest: string;
  bytes: Uint8Array;
  mediaType: string;
  configDigest: string;
  config: Uint8Array;
  layerDigest: string;
  layer: Uint8Array;
}

/** Pushes a one-layer image (OCI or Docker media types) and tags it. */
async function pushImage(
  registry: RegistryServer,
  repository: string,
  tag: string,
  format: "oci" | "docker",
  architecture: string,
  auth?: BasicAuth,
): Promise<PushedImage> {
  const config = encoder.encode(
    JSON.stringify({
      architecture,
      os: "linux",
      created: "2025-01-01T00:00:00Z",
      config: { User: "app", Labels: { "org.example.repository": repository } },
      rootfs: { type: "layers", diff_ids: [`sha256:${"0".repeat(64)}`] },
      history: [{ created_by: `test layer for ${repository}:${tag}` }],
    }),
  );
  const layer = encoder.encode(`layer bytes of ${repository}:${tag} ${architecture}`);
  const configDigest = await pushBlob(registry, repository, config, auth);
  const layerDigest = await pushBlob(registry, repository, layer, auth);

  const mediaType = format === "oci" ? MediaType.ociManifest : MediaType.dockerManifest;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: format === "oci" ? MediaType.ociConfig : MediaType.dockerConfig, digest: configDigest, size: config.byteLength },
    layers: [{ mediaType: format === "oci" ? MediaType.ociLayerGzip : MediaType.dockerLayerGzip, digest: layerDigest, size: layer.byteLength }],
  };
  const bytes = encoder.encode(JSON.stringify(manifest));
  const digest = await pushManifest(registry, repository, tag, bytes, mediaType, auth);
  return { digest, bytes, mediaType, configDigest, config, layerDigest, layer };
}

/** Returns a port on 127.0.0.1 that nothing listens on. */
async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
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

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("DistributionClient against docker-registry", () => {
  let registry: RegistryServer;
  let ociImage: PushedImage;
  let dockerImage: PushedImage;
  let armImage: PushedImage;
  let workerImage: PushedImage;
  let indexDigest: string;
  const requests: RequestInfo[] = [];
  let client: DistributionClient;

  beforeAll(async () => {
    registry = await startRegistryServer();
    ociImage = await pushImage(registry, "acme/api", "1.0", "oci", "amd64");
    dockerImage = await pushImage(registry, "acme/api", "1.1-docker", "docker", "amd64");
    armImage = await pushImage(registry, "acme/api", "1.0-arm64", "oci", "arm64");
    workerImage = await pushImage(registry, "acme/worker", "latest", "docker", "amd64");

    const index = encoder.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          { mediaType: MediaType.ociManifest, digest: ociImage.digest, size: ociImage.bytes.byteLength, platform: { architecture: "amd64", os: "linux" } },
          { mediaType: MediaType.ociManifest, digest: armImage.digest, size: armImage.bytes.byteLength, platform: { architecture: "arm64", os: "linux", variant: "v8" } },
        ],
      }),
    );
    indexDigest = await pushManifest(registry, "acme/api", "multi", index, MediaType.ociIndex);

    client = new DistributionClient({ url: registry.url, insecure: true, onRequest: (info) => requests.push(info) });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it("pings anonymously", async () => {
    expect(await client.ping()).toEqual({ authScheme: "none" });
  });

  it("lists the catalog page by page", async () => {
    const before = requests.length;
    const repositories: string[] = [];
    for await (const repository of client.listRepositories({ pageSize: 1 })) {
      repositories.push(repository);
    }

    expect(repositories).toEqual(["acme/api", "acme/worker"]);
    const catalogRequests = requests.slice(before).filter((request) => request.url.includes("/v2/_catalog"));
    expect(catalogRequests.length).toBeGreaterThanOrEqual(2);
    expect(catalogRequests[0]?.url).toContain("n=1");
    expect(catalogRequests[1]?.url).toContain("last=acme%2Fapi");
  });

  it("lists tags", async () => {
    expect((await client.listTags("acme/api", { pageSize: 1 })).sort()).toEqual(["1.0", "1.0-arm64", "1.1-docker", "multi"]);
    expect(await client.listTags("acme/worker")).toEqual(["latest"]);
  });

  it("raises NOT_FOUND for tags of an unknown repository", async () => {
    const error = await caught(client.listTags("acme/missing"));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toContain("acme/missing");
    expect((error as RegistryError).registryErrors[0]?.code).toBe("NAME_UNKNOWN");
  });

  it("heads manifests by tag and digest", async () => {
    const before = requests.length;
    expect(await client.headManifest("acme/api", "1.0")).toEqual({ digest: ociImage.digest, mediaType: MediaType.ociManifest, size: ociImage.bytes.byteLength });
    expect(await client.headManifest("acme/api", "1.1-docker")).toEqual({
      digest: dockerImage.digest,
      mediaType: MediaType.dockerManifest,
      size: dockerImage.bytes.byteLength,
    });
    expect((await client.headManifest("acme/api", indexDigest))?.mediaType).toBe(MediaType.ociIndex);

    const headRequests = requests.slice(before);
    expect(headRequests.map((request) => request.method)).toEqual(["HEAD", "HEAD", "HEAD"]);
  });

  it("returns null when heading a missing tag", async () => {
    expect(await client.headManifest("acme/api", "no-such-tag")).toBeNull();
  });

  it("gets an OCI manifest by tag", async () => {
    const result = await client.getManifest("acme/api", "1.0");
    expect(result.digest).toBe(ociImage.digest);
    expect(result.mediaType).toBe(MediaType.ociManifest);
    expect(result.bytes).toEqual(ociImage.bytes);
    expect(result.manifest.kind).toBe("manifest");
    if (result.manifest.kind === "manifest") {
      expect(result.manifest.config.digest).toBe(ociImage.configDigest);
      expect(result.manifest.layers[0]?.digest).toBe(ociImage.layerDigest);
    }
  });

  it("gets a Docker manifest by digest", async () => {
    const result = await client.getManifest("acme/api", dockerImage.digest);
    expect(result.digest).toBe(dockerImage.digest);
    expect(result.mediaType).toBe(MediaType.dockerManifest);
  });

  it("gets an index with platforms", async () => {
    const result = await client.getManifest("acme/api", "multi");
    expect(result.digest).toBe(indexDigest);
    expect(result.manifest.kind).toBe("index");
    if (result.manifest.kind === "index") {
      expect(result.manifest.manifests.map((entry) => entry.platform?.architecture)).toEqual(["amd64", "arm64"]);
      expect(result.manifest.manifests[1]?.platform?.variant).toBe("v8");
    }
  });

  it("raises NOT_FOUND for a missing manifest", async () => {
    const error = await caught(client.getManifest("acme/api", "no-such-tag"));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toContain("acme/api:no-such-tag");
  });

  it("gets a config blob", async () => {
    expect(await client.getBlob("acme/worker", workerImage.configDigest)).toEqual(workerImage.config);
  });

  it("raises NOT_FOUND for a missing blob", async () => {
    const error = await caught(client.getBlob("acme/api", `sha256:${"9".repeat(64)}`));
    expect(error.code).toBe("NOT_FOUND");
  });

  it("streams a layer blob", async () => {
    const blob = await client.openBlob("acme/api", armImage.layerDigest, { size: armImage.layer.byteLength });
    expect(blob.size).toBe(armImage.layer.byteLength);
    expect(await readAll(blob.stream)).toEqual(armImage.layer);
  });

  it("rejects a manifest over the size cap", async () => {
    const small = new DistributionClient({ url: registry.url, insecure: true, maxManifestBytes: 64 });
    const error = await caught(small.getManifest("acme/api", "1.0"));
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toContain("acme/api:1.0");
    expect((error as RegistryError).url).toBe(`${registry.url}/v2/acme/api/manifests/1.0`);
  });

  it("rejects a blob over maxBytes", async () => {
    const error = await caught(client.getBlob("acme/api", ociImage.configDigest, { maxBytes: 10 }));
    expect(error.code).toBe("TOO_LARGE");
  });

  it("sees a deleted manifest as missing", async () => {
    const extra = await pushImage(registry, "acme/worker", "to-delete", "oci", "amd64");
    expect(await client.headManifest("acme/worker", "to-delete")).not.toBeNull();
    await deleteManifest(registry, "acme/worker", extra.digest);
    expect(await client.headManifest("acme/worker", "to-delete")).toBeNull();
    expect(await client.headManifest("acme/worker", extra.digest)).toBeNull();
  });

  it("rejects invalid input before any request", async () => {
    const before = requests.length;
    expect((await caught(client.listTags("Acme/API"))).code).toBe("INVALID_INPUT");
    expect((await caught(client.getManifest("acme/api", "-bad"))).code).toBe("INVALID_INPUT");
    expect((await caught(client.getBlob("acme/api", "sha256:../../etc/passwd"))).code).toBe("INVALID_INPUT");
    expect(requests.length).toBe(before);
  });

  it("is created through createRegistrySource", async () => {
    const source = createRegistrySource({ kind: "distribution", url: registry.url, insecure: true });
    expect(await source.listTags("acme/worker")).toEqual(["latest"]);
  });

  it("rejects an http URL unless insecure", () => {
    expect(() => createRegistrySource({ kind: "distribution", url: registry.url })).toThrow(/REGISTRY_INSECURE=true/);
  });
});

describe("DistributionClient with htpasswd auth", () => {
  const auth = { username: "ci-bot", password: "correct horse battery" };
  let registry: RegistryServer;
  let image: PushedImage;

  beforeAll(async () => {
    registry = await startRegistryServer({ htpasswd: auth });
    image = await pushImage(registry, "acme/secure", "1.0", "oci", "amd64", auth);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it("works with the right credentials", async () => {
    const client = new DistributionClient({ url: registry.url, insecure: true, ...auth });
    expect(await client.ping()).toEqual({ authScheme: "basic" });
    expect(await client.listTags("acme/secure")).toEqual(["1.0"]);
    expect((await client.getManifest("acme/secure", "1.0")).digest).toBe(image.digest);
    expect(await client.getBlob("acme/secure", image.configDigest)).toEqual(image.config);
  });

  it("rejects wrong credentials", async () => {
    const requests: RequestInfo[] = [];
    const client = new DistributionClient({
      url: registry.url,
      insecure: true,
      username: auth.username,
      password: "wrong password",
      onRequest: (info) => requests.push(info),
    });
    const error = await caught(client.listTags("acme/secure"));

    expect(error.code).toBe("REGISTRY_AUTH_FAILED");
    expect(error.message).toContain(`Registry rejected the credentials for user ${auth.username} at ${registry.url}/v2/`);
    expect(error.message).toContain("check the credentials (REGISTRY_USERNAME and REGISTRY_PASSWORD, or those of the registry on /admin/registries)");
    expect(error.message).not.toContain("wrong password");
    expect(requests.map((request) => request.status)).toEqual([401, 401]);
  });

  it("asks for credentials when none are set", async () => {
    const client = new DistributionClient({ url: registry.url, insecure: true });
    const error = await caught(client.ping());
    expect(error.code).toBe("REGISTRY_AUTH_FAILED");
    expect(error.message).toMatch(/requires credentials.*set REGISTRY_USERNAME and REGISTRY_PASSWORD/);
  });
});

describe("DistributionClient without a registry", () => {
  it("raises REGISTRY_UNREACHABLE for a closed port", async () => {
    const port = await unusedPort();
    const requests: RequestInfo[] = [];
    const client = new DistributionClient({
      url: `http://127.0.0.1:${port}`,
      insecure: true,
      retries: 2,
      retryBaseDelayMs: 1,
      onRequest: (info) => requests.push(info),
    });
    const error = await caught(client.ping());

    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe("REGISTRY_UNREACHABLE");
    expect(error.message).toContain(`http://127.0.0.1:${port}/v2/`);
    expect(error.message).toContain("ECONNREFUSED");
    expect(requests).toEqual(Array.from({ length: 3 }, () => ({ method: "GET", url: `http://127.0.0.1:${port}/v2/`, status: 0 })));
  });
});
