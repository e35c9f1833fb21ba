// Builds the analysis benchmark's synthetic image, a single gzip layer of a
// chosen size, and pushes it to a registry while it is generated. The layer is
// never held in memory or written to disk: the tar stream is gzip-compressed
// and uploaded in one chunked PATCH, hashed on the way for its digests.
import { createHash, randomFillSync } from "node:crypto";
import { PassThrough, pipeline, Readable, Transform } from "node:stream";
import { createGzip } from "node:zlib";

import tar from "tar-stream";

import { pushBlob, pushManifest, sha256Digest, type BasicAuth } from "@/lib/registry/testing/push-image";

export interface SyntheticImageOptions {
  /** Total size of the large data files, in bytes. */
  dataBytes: number;
  /** Number of data files the data is split across. */
  files: number;
  /** dpkg packages listed in `/var/lib/dpkg/status`, each with a copyright file. */
  packages: number;
}

export interface PushedSyntheticImage {
  manifestDigest: string;
  layerDigest: string;
  compressedBytes: number;
  uncompressedBytes: number;
  /** Time to generate, compress and upload the layer, in ms. */
  pushMs: number;
}

/** Bytes produced per call of the data generator. */
const CHUNK_BYTES = 1024 * 1024;
/** Each block of this size repeats the first half of the block before it, so gzip shrinks the data to about half. */
const BLOCK_BYTES = 8 * 1024;
const OS_RELEASE = [
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
  'NAME="Debian GNU/Linux"',
  'VERSION_ID="12"',
  'VERSION="12 (bookworm)"',
  "VERSION_CODENAME=bookworm",
  "ID=debian",
  "",
].join("\n");

/**
 * Pushes a one-layer OCI image to `<registry>/<repository>:<tag>`. The layer
 * contains a Debian os-release, a dpkg status file with copyright files, and
 * `files` data files under `/opt/data` totalling `dataBytes`. The data is
 * random bytes with every other half block repeated, which gzip (level 6, the
 * default of Docker and BuildKit) compresses to about 51%.
 */
export async function pushSyntheticImage(
  registry: { url: string },
  repository: string,
  tag: string,
  auth: BasicAuth,
  options: SyntheticImageOptions,
): Promise<PushedSyntheticImage> {
  const started = performance.now();
  const diffIdHash = createHash("sha256");
  const blobHash = createHash("sha256");
  let uncompressedBytes = 0;
  let compressedBytes = 0;

  const pack = tar.pack();
  const body = new PassThrough();
  pipeline(
    pack,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        diffIdHash.update(chunk);
        uncompressedBytes += chunk.byteLength;
        callback(null, chunk);
      },
    }),
    createGzip({ level: 6 }),
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        blobHash.update(chunk);
        compressedBytes += chunk.byteLength;
        callback(null, chunk);
      },
    }),
    body,
    (error) => {
      if (error) body.destroy(error);
    },
  );

  const writing = writeEntries(pack, options).catch((error: unknown) => {
    pack.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  const uploadUrl = await openUpload(registry, repository, auth);
  const uploading = streamUpload(uploadUrl, body, auth);
  const [, location] = await Promise.all([writing, uploading]);

  const layerDigest = `sha256:${blobHash.digest("hex")}`;
  await finishUpload(registry, location, layerDigest, auth);

  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: new Date().toISOString(),
      config: {},
      rootfs: { type: "layers", diff_ids: [`sha256:${diffIdHash.digest("hex")}`] },
    }),
  );
  const configDigest = await pushBlob(registry, repository, config, auth);
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.byteLength },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: compressedBytes }],
    }),
  );
  await pushManifest(registry, repository, tag, manifest, "application/vnd.oci.image.manifest.v1+json", auth);

  return { manifestDigest: sha256Digest(manifest), layerDigest, compressedBytes, uncompressedBytes, pushMs: performance.now() - started };
}

async function writeEntries(pack: tar.Pack, options: SyntheticImageOptions): Promise<void> {
  const names = Array.from({ length: options.packages }, (_, index) => `synthetic-${String(index).padStart(4, "0")}`);
  await writeFile(pack, "etc/os-release", Buffer.from(OS_RELEASE));
  await writeFile(pack, "var/lib/dpkg/status", Buffer.from(names.map(statusStanza).join("\n")));
  for (const name of names) await writeFile(pack, `usr/share/doc/${name}/copyright`, Buffer.from(copyrightFile(name)));

  const perFile = Math.floor(options.dataBytes / options.files);
  for (let index = 0; index < options.files; index += 1) {
    const size = index === options.files - 1 ? options.dataBytes - perFile * (options.files - 1) : perFile;
    await writeData(pack, `opt/data/part-${index}.bin`, size);
  }
  pack.finalize();
}

function statusStanza(name: string, index: number): string {
  return [
    `Package: ${name}`,
    "Status: install ok installed",
    "Priority: optional",
    "Architecture: amd64",
    ...(index % 3 === 0 ? [`Source: synthetic-source-${index % 7}`] : []),
    `Version: 1.${index}.0-1`,
    `Description: synthetic package ${index}`,
    "",
  ].join("\n");
}

function copyrightFile(name: string): string {
  return ["Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/", `Upstream-Name: ${name}`, "", "Files: *", "Copyright: 2024 Shipshape", "License: MIT", ""].join("\n");
}

async function writeFile(pack: tar.Pack, name: string, content: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    pack.entry({ name, size: content.byteLength, mode: 0o644 }, content, (error) => (error ? reject(error) : resolve()));
  });
}

/** Streams `size` generated bytes into one tar entry, waiting whenever the pack stream is full. */
async function writeData(pack: tar.Pack, name: string, size: number): Promise<void> {
  let entry!: ReturnType<tar.Pack["entry"]>;
  const finished = new Promise<void>((resolve, reject) => {
    entry = pack.entry({ name, size, mode: 0o644 }, (error) => (error ? reject(error) : resolve()));
  });

  for (let written = 0; written < size; ) {
    const chunk = generateChunk(Math.min(CHUNK_BYTES, size - written));
    written += chunk.byteLength;
    if (!entry.write(chunk)) await waitForDrain(entry);
  }
  entry.end(null);
  await finished;
}

function waitForDrain(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    // A destroyed stream never drains; the entry's callback then reports the error.
    stream.on("close", done);
  });
}

function generateChunk(size: number): Buffer {
  const chunk = randomFillSync(Buffer.allocUnsafe(size));
  for (let offset = BLOCK_BYTES; offset + BLOCK_BYTES / 2 <= size; offset += BLOCK_BYTES) {
    chunk.copy(chunk, offset, offset - BLOCK_BYTES, offset - BLOCK_BYTES / 2);
  }
  return chunk;
}

function authorization(auth: BasicAuth): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` };
}

async function openUpload(registry: { url: string }, repository: string, auth: BasicAuth): Promise<URL> {
  const response = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: "POST", headers: authorization(auth) });
  await response.body?.cancel();
  const location = response.headers.get("location");
  if (response.status !== 202 || location === null) throw new Error(`Opening an upload to ${repository} failed with HTTP ${response.status}.`);
  return new URL(location, registry.url);
}

/** Sends the whole stream in one PATCH with chunked transfer encoding, as the Docker daemon pushes layers; the CNCF registry 2.8 accepts it. */
async function streamUpload(url: URL, body: PassThrough, auth: BasicAuth): Promise<string> {
  const init: RequestInit & { duplex: "half" } = {
    method: "PATCH",
    headers: { ...authorization(auth), "content-type": "application/octet-stream" },
    body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
    // Node's fetch needs this to send a streamed request body.
    duplex: "half",
  };
  const response = await fetch(url, init);
  const text = await response.text();
  const location = response.headers.get("location");
  if (response.status !== 202 || location === null) throw new Error(`Uploading the layer to ${url.pathname} failed with HTTP ${response.status}: ${text.slice(0, 300)}`);
  return location;
}

async function finishUpload(registry: { url: string }, location: string, digest: string, auth: BasicAuth): Promise<void> {
  const url = new URL(location, registry.url);
  url.searchParams.set("digest", digest);
  const response = await fetch(url, { method: "PUT", headers: authorization(auth) });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`Completing the upload of ${digest} failed with HTTP ${response.status}: ${text.slice(0, 300)}`);
}
