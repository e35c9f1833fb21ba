import { createHash } from "node:crypto";

/**
 * Test helpers that write to a registry through the raw HTTP API (OCI
 * distribution spec, "Push"), independent of the client under test.
 */

export interface PushTarget {
  /** Registry base URL, e.g. a RegistryServer's `url`. */
  url: string;
}

export interface BasicAuth {
  username: string;
  password: string;
}

/** Returns the sha256 digest of `bytes`. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Uploads a blob in one request (POST to open an upload, then PUT with `?digest=`) and returns its digest. */
export async function pushBlob(registry: PushTarget, repository: string, bytes: Uint8Array, auth?: BasicAuth): Promise<string> {
  const digest = sha256Digest(bytes);
  const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, {
    method: "POST",
    headers: authHeaders(auth),
  });
  await expectStatus(start, 202, `opening an upload to ${repository}`);

  const location = start.headers.get("location");
  if (location === null) {
    throw new Error(`The registry opened an upload to ${repository} without a Location header.`);
  }
  // Location may be relative and already carries the upload state in its query.
  const uploadUrl = new URL(location, registry.url);
  uploadUrl.searchParams.set("digest", digest);

  const finish = await fetch(uploadUrl, {
    method: "PUT",
    headers: { ...authHeaders(auth), "content-type": "application/octet-stream", "content-length": String(bytes.byteLength) },
    body: Buffer.from(bytes),
  });
  await expectStatus(finish, 201, `uploading blob ${digest} to ${repository}`);
  return digest;
}

/** Uploads a manifest under a tag or digest and returns its digest. */
export async function pushManifest(
  registry: PushTarget,
  repository: string,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
  auth?: BasicAuth,
): Promise<string> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    method: "PUT",
    headers: { ...authHeaders(auth), "content-type": mediaType },
    body: Buffer.from(bytes),
  });
  await expectStatus(response, 201, `pushing manifest ${repository}:${reference}`);
  return sha256Digest(bytes);
}

/** Deletes a manifest by digest (the registry must run with `storage.delete.enabled`). */
export async function deleteManifest(registry: PushTarget, repository: string, digest: string, auth?: BasicAuth): Promise<void> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${digest}`, {
    method: "DELETE",
    headers: authHeaders(auth),
  });
  await expectStatus(response, 202, `deleting manifest ${repository}@${digest}`);
}

function authHeaders(auth: BasicAuth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` };
}

async function expectStatus(response: Response, expected: number, action: string): Promise<void> {
  if (response.status === expected) {
    await response.body?.cancel();
    return;
  }
  const body = await response.text();
  throw new Error(`${action} failed: expected HTTP ${expected}, got ${response.status}: ${body.slice(0, 500)}`);
}

/**
 * Attaches an artifact to a manifest as an OCI 1.1 referrer through the
 * referrers tag schema: pushes the content blob, an empty config, an
 * artifact manifest with `subject`, and an index of referrers under the tag
 * `sha256-<hex>` of the subject.
 */
export async function attachReferrer(
  registry: PushTarget,
  repository: string,
  subject: { digest: string; mediaType: string; bytes: Uint8Array },
  artifactType: string,
  content: Uint8Array,
  auth?: BasicAuth,
): Promise<string> {
  const emptyConfig = new TextEncoder().encode("{}");
  const configDigest = await pushBlob(registry, repository, emptyConfig, auth);
  const contentDigest = await pushBlob(registry, repository, content, auth);
  const manifestMediaType = "application/vnd.oci.image.manifest.v1+json";
  const artifact = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      artifactType,
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: configDigest, size: emptyConfig.byteLength },
      layers: [{ mediaType: artifactType, digest: contentDigest, size: content.byteLength }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.byteLength },
    }),
  );
  const artifactDigest = await pushManifest(registry, repository, sha256Digest(artifact), artifact, manifestMediaType, auth);
  const index = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{ mediaType: manifestMediaType, digest: artifactDigest, size: artifact.byteLength, artifactType }],
    }),
  );
  await pushManifest(registry, repository, subject.digest.replace(":", "-"), index, "application/vnd.oci.image.index.v1+json", auth);
  return artifactDigest;
}
