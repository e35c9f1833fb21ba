import { afterEach, describe, expect, test } from "vitest";
import { sha256Digest } from "@/lib/registry/testing/push-image";
import { startStubServer, type StubServer } from "@/lib/registry/testing/stub-server";
import { readManifestTree } from "@/lib/sync/read-manifest-tree";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";

/**
 * Responses in the formats of the OCI distribution spec 1.1 ("Listing
 * Referrers") for an image with an SBOM attestation and an OpenVEX document
 * attached as referrers. Debian's docker-registry 2.8 has no referrers API,
 * so this path is tested against recorded responses.
 */
const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value));

const emptyConfig = encoder.encode("{}");
const imageConfig = json({ architecture: "amd64", os: "linux", config: { User: "app" }, rootfs: { type: "layers", diff_ids: [] } });
const imageManifest = json({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256Digest(imageConfig), size: imageConfig.byteLength },
  layers: [],
});
const subject = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256Digest(imageManifest), size: imageManifest.byteLength };

const sbomStatement = json({
  _type: "https://in-toto.io/Statement/v1",
  subject: [{ name: "acme/api", digest: { sha256: subject.digest.slice("sha256:".length) } }],
  predicateType: "https://spdx.dev/Document",
  predicate: { spdxVersion: "SPDX-2.3", name: "acme/api", packages: [{ SPDXID: "SPDXRef-Package-openssl", name: "openssl", versionInfo: "3.0.15" }] },
});
const sbomManifest = json({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  artifactType: "application/vnd.in-toto+json",
  config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256Digest(emptyConfig), size: emptyConfig.byteLength },
  layers: [{ mediaType: "application/vnd.in-toto+json", digest: sha256Digest(sbomStatement), size: sbomStatement.byteLength, annotations: { "in-toto.io/predicate-type": "https://spdx.dev/Document" } }],
  subject,
});

const vexDocument = json({
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/acme-api-1",
  author: "acme security",
  timestamp: "2026-12-01T00:00:00Z",
  version: 1,
  statements: [{ vulnerability: { name: "CVE-2024-0727" }, products: [{ "@id": "pkg:oci/api" }], status: "not_affected", justification: "vulnerable_code_not_in_execute_path" }],
});
const vexManifest = json({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  artifactType: "application/openvex+json",
  config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256Digest(emptyConfig), size: emptyConfig.byteLength },
  layers: [{ mediaType: "application/openvex+json", digest: sha256Digest(vexDocument), size: vexDocument.byteLength }],
  subject,
});

const referrersIndex = json({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.index.v1+json",
  manifests: [
    { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256Digest(sbomManifest), size: sbomManifest.byteLength, artifactType: "application/vnd.in-toto+json" },
    { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256Digest(vexManifest), size: vexManifest.byteLength, artifactType: "application/openvex+json" },
  ],
});

const manifests = new Map([imageManifest, sbomManifest, vexManifest].map((bytes) => [sha256Digest(bytes), bytes]));
const blobs = new Map([imageConfig, emptyConfig, sbomStatement, vexDocument].map((bytes) => [sha256Digest(bytes), bytes]));

let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** Starts a registry stub whose referrers API responds with `referrersStatus`: 200 with the index, 404, or a 503 error. */
async function startReferrersRegistry(referrersStatus: 200 | 404 | 503): Promise<StubServer> {
  return startStubServer((request, response, url) => {
    const send = (status: number, contentType: string, bytes?: Uint8Array) => {
      response.writeHead(status, bytes ? { "content-type": contentType, "content-length": String(bytes.byteLength), "docker-content-digest": sha256Digest(bytes) } : { "content-type": contentType });
      response.end(request.method === "HEAD" || !bytes ? undefined : Buffer.from(bytes));
    };
    const path = decodeURIComponent(url.pathname);
    if (path === "/v2/") return send(200, "application/json", json({}));
    if (path === `/v2/acme/api/referrers/${subject.digest}`) {
      if (referrersStatus === 404) return send(404, "text/plain");
      if (referrersStatus === 503) return send(503, "application/json", json({ errors: [{ code: "UNAVAILABLE", message: "try later" }] }));
      return send(200, "application/vnd.oci.image.index.v1+json", referrersIndex);
    }
    const manifest = /^\/v2\/acme\/api\/manifests\/(.+)$/.exec(path);
    if (manifest?.[1] && manifests.has(manifest[1])) return send(200, "application/vnd.oci.image.manifest.v1+json", manifests.get(manifest[1]));
    const blob = /^\/v2\/acme\/api\/blobs\/(.+)$/.exec(path);
    if (blob?.[1] && blobs.has(blob[1])) return send(200, "application/octet-stream", blobs.get(blob[1]));
    return send(404, "application/json", json({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }));
  });
}

describe("OCI referrers", () => {
  test("referrers API finds SBOM and VEX", async () => {
    stub = await startReferrersRegistry(200);
    const tree = await readManifestTree(testRegistrySource(stub.url), "acme/api", subject.digest, async () => null);

    expect(tree.images).toHaveLength(1);
    const attestations = tree.images[0]?.attestations ?? [];
    expect(attestations.map((attestation) => attestation.predicateType)).toEqual(["https://spdx.dev/Document", "https://openvex.dev/ns/v0.2.0"]);
    expect(attestations[0]?.details).toMatchObject({ spdxVersion: "SPDX-2.3", packages: 1 });
    expect(attestations[1]?.details).toMatchObject({ openvex: { statements: [{ status: "not_affected" }] } });
    const paths = stub.requests.map((request) => request.path);
    expect(paths).toContain(`/v2/acme/api/referrers/${subject.digest}`);
    expect(paths.some((path) => path.includes("/manifests/sha256-"))).toBe(false);
  });

  test("referrers 404 falls back to the tag", async () => {
    stub = await startReferrersRegistry(404);
    const tree = await readManifestTree(testRegistrySource(stub.url), "acme/api", subject.digest, async () => null);

    expect(tree.images[0]?.attestations).toEqual([]);
    const paths = stub.requests.map((request) => request.path);
    expect(paths).toContain(`/v2/acme/api/referrers/${subject.digest}`);
    expect(paths).toContain(`/v2/acme/api/manifests/${subject.digest.replace(":", "-")}`);
  });

  test("referrers 503 fails the image", async () => {
    stub = await startReferrersRegistry(503);
    const reading = readManifestTree(testRegistrySource(stub.url), "acme/api", subject.digest, async () => null);

    // Storing the image without its referrers would lose them for good, because a stored image is not read again.
    await expect(reading).rejects.toThrow(/HTTP 503 for the referrers of acme\/api@sha256:/);
  });

  test("unreadable referrer is skipped", async () => {
    stub = await startReferrersRegistry(200);
    blobs.delete(sha256Digest(sbomStatement));
    try {
      const tree = await readManifestTree(testRegistrySource(stub.url), "acme/api", subject.digest, async () => null);

      // The SBOM's statement blob is missing (404): the content is broken, not the connection, so only the SBOM is left out.
      expect(tree.images).toHaveLength(1);
      expect(tree.images[0]?.attestations.map((attestation) => attestation.predicateType)).toEqual(["https://openvex.dev/ns/v0.2.0"]);
    } finally {
      blobs.set(sha256Digest(sbomStatement), sbomStatement);
    }
  });

  test("referrers API error is raised", async () => {
    stub = await startStubServer((_request, response, url) => {
      response.writeHead(url.pathname.includes("/referrers/") ? 500 : 200, { "content-type": "application/json" });
      response.end("{}");
    });
    const source = testRegistrySource(stub.url);
    await expect(source.listReferrers?.("acme/api", subject.digest)).rejects.toThrow(/500/);
  });
});
