import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, open, readFile, realpath, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { extract } from "tar-stream";
import { AppError } from "@/lib/errors";
import { normalizeLayerPath } from "@/lib/analysis/layer-reader";
import { OciLayoutSource, REF_NAME_ANNOTATION } from "@/lib/registry/oci-layout-source";
import type { RegistrySource } from "@/lib/registry/registry-source";
import { mediaTypes } from "@/lib/samples/media-types";

/** A local image made readable through the OCI layout reader, with the temporary folder to remove afterwards. */
export interface StagedImage {
  source: RegistrySource;
  repository: string;
  /** Digest of the image's top manifest or index. */
  digest: string;
  cleanup(): Promise<void>;
}

/** The repository name the staged layout files the image under; it never leaves this process. */
const STAGED_REPOSITORY = "local/image";

interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/**
 * Stages `oci:DIR[:TAG]` for reading: finds the tag in DIR/index.json, whose
 * `org.opencontainers.image.ref.name` may be the bare tag (skopeo, `docker
 * save`) or `repository:tag`, and writes a one-entry index beside a link to
 * DIR/blobs, because the layout reader looks images up by `repository:tag`.
 * Without a tag the layout must contain exactly one image.
 */
export async function stageOciLayout(directory: string, tag: string | null, inputText = `oci:${directory}`): Promise<StagedImage> {
  const entries = await readLayoutIndex(directory, inputText);
  const entry = selectEntry(entries, tag, inputText);
  const staging = await mkdtemp(path.join(tmpdir(), "shipshape-cli-"));
  try {
    await symlink(await blobsFolder(directory, inputText), path.join(staging, "blobs"));
    await writeStagedIndex(staging, entry);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return stagedImage(staging, entry.digest);
}

/**
 * Stages a `docker save` tarball. Docker 25 and later write an OCI layout
 * inside it (`oci-layout`, `index.json`, `blobs/`), which is read as such.
 * Older Docker writes only `manifest.json` with a config file and uncompressed
 * layer tars, so an OCI manifest is built from those. Entries escaping the
 * archive root are ignored.
 */
export async function stageDockerArchive(file: string, inputText = `docker-archive:${file}`): Promise<StagedImage> {
  await requireFile(file, inputText);
  const extracted = await mkdtemp(path.join(tmpdir(), "shipshape-archive-"));
  try {
    await extractTar(file, extracted, inputText);
    const hasLayout = await exists(path.join(extracted, "oci-layout"));
    if (hasLayout && (await exists(path.join(extracted, "index.json")))) {
      const staged = await stageOciLayout(extracted, null, inputText);
      return { ...staged, cleanup: async () => Promise.all([staged.cleanup(), rm(extracted, { recursive: true, force: true })]).then(() => undefined) };
    }
    const staged = await stageLegacyArchive(extracted, inputText);
    await rm(extracted, { recursive: true, force: true });
    return staged;
  } catch (error) {
    await rm(extracted, { recursive: true, force: true });
    throw error;
  }
}

async function blobsFolder(directory: string, inputText: string): Promise<string> {
  try {
    return await realpath(path.join(directory, "blobs"));
  } catch (error) {
    throw new AppError("NOT_FOUND", `${inputText}: the folder ${path.join(directory, "blobs")} was not found. Copy the whole OCI layout, blobs included.`, { cause: error });
  }
}

async function readLayoutIndex(directory: string, inputText: string): Promise<IndexEntry[]> {
  let text: string;
  try {
    text = await readFile(path.join(directory, "index.json"), "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    const problem = missing ? `${path.join(directory, "index.json")} was not found` : `reading ${path.join(directory, "index.json")} failed (${(error as Error).message})`;
    throw new AppError("NOT_FOUND", `${inputText}: ${problem}. Name a folder written by \`skopeo copy … oci:DIR:TAG\` or \`docker buildx build --output type=oci,tar=false,dest=DIR\`.`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new AppError("INVALID_INPUT", `${inputText}: index.json is not valid JSON (${(error as Error).message}). Copy the layout again.`, { cause: error });
  }
  const manifests = (document as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) throw new AppError("INVALID_INPUT", `${inputText}: index.json has no "manifests" list. Copy the layout again.`);
  return manifests.filter((entry): entry is IndexEntry => typeof entry?.digest === "string" && typeof entry?.mediaType === "string" && typeof entry?.size === "number");
}

/** Returns the tag part of a ref.name annotation: "1.0" for "1.0", "acme/api:1.0" and "docker.io/acme/api:1.0". */
function tagOfRefName(name: string): string {
  const separator = name.lastIndexOf(":");
  return separator >= 0 && !name.slice(separator + 1).includes("/") ? name.slice(separator + 1) : name;
}

function selectEntry(entries: IndexEntry[], tag: string | null, inputText: string): IndexEntry {
  const named = entries.map((entry) => ({ entry, name: entry.annotations?.[REF_NAME_ANNOTATION] ?? null }));
  const listed = named.map(({ name }) => name).filter((name) => name !== null);
  if (tag === null) {
    if (entries.length === 1) return entries[0]!;
    throw new AppError(
      "INVALID_INPUT",
      `${inputText} contains ${entries.length} images, so name one: ${entries.length === 0 ? "the layout is empty" : `write ${inputText}:TAG with TAG one of ${listed.join(", ") || "(none is tagged)"}`}.`,
    );
  }
  const matches = named.filter(({ name }) => name !== null && (name === tag || tagOfRefName(name) === tag));
  if (matches.length === 0) {
    throw new AppError("NOT_FOUND", `The tag "${tag}" is not in the OCI layout of ${inputText}. Its tags are: ${listed.join(", ") || "none"}.`);
  }
  if (matches.length > 1) {
    throw new AppError("INVALID_INPUT", `The tag "${tag}" names ${matches.length} images in ${inputText} (${matches.map(({ name }) => name).join(", ")}). Write the full name after "oci:DIR:".`);
  }
  return matches[0]!.entry;
}

async function writeStagedIndex(staging: string, entry: Omit<IndexEntry, "annotations">): Promise<void> {
  const index = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociIndex,
    manifests: [{ mediaType: entry.mediaType, digest: entry.digest, size: entry.size, annotations: { [REF_NAME_ANNOTATION]: `${STAGED_REPOSITORY}:staged` } }],
  };
  await writeFile(path.join(staging, "index.json"), JSON.stringify(index));
  await writeFile(path.join(staging, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
}

function stagedImage(staging: string, digest: string): StagedImage {
  return {
    source: new OciLayoutSource({ path: staging }),
    repository: STAGED_REPOSITORY,
    digest,
    cleanup: () => rm(staging, { recursive: true, force: true }),
  };
}

async function requireFile(file: string, inputText: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw new AppError("NOT_FOUND", `${inputText}: the file ${file} was not found. Write it with \`docker save IMAGE -o ${file}\` or \`skopeo copy … docker-archive:${file}\`.`, { cause: error });
  }
  if (!info.isFile()) throw new AppError("INVALID_INPUT", `${inputText}: ${file} is not a file. For an OCI layout folder write oci:${file}.`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Extracts the regular files of an uncompressed tar, skipping paths that escape the root. */
async function extractTar(file: string, destination: string, inputText: string): Promise<void> {
  const reader = extract();
  const done = (async () => {
    for await (const entry of reader) {
      const relative = entry.header.type === "file" ? normalizeLayerPath(entry.header.name) : null;
      if (relative === null) {
        entry.resume();
        continue;
      }
      const target = path.join(destination, relative);
      await mkdir(path.dirname(target), { recursive: true });
      await pipeline(entry, createWriteStream(target));
    }
  })();
  try {
    await Promise.all([pipeline(createReadStream(file), reader), done]);
  } catch (error) {
    throw new AppError("INVALID_INPUT", `${inputText} is not a readable tar archive (${(error as Error).message}). Give the output of \`docker save\`, uncompressed.`, { cause: error });
  }
}

interface LegacyManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

async function stageLegacyArchive(extracted: string, inputText: string): Promise<StagedImage> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(path.join(extracted, "manifest.json"), "utf8"));
  } catch (error) {
    throw new AppError(
      "INVALID_INPUT",
      `${inputText} is not a docker archive: it has no readable manifest.json or OCI layout. Give the output of \`docker save\` or \`skopeo copy … docker-archive:FILE\`.`,
      { cause: error },
    );
  }
  const entries = Array.isArray(document) ? (document as LegacyManifestEntry[]) : [];
  if (entries.length !== 1 || typeof entries[0]?.Config !== "string" || !Array.isArray(entries[0]?.Layers)) {
    throw new AppError("INVALID_INPUT", `${inputText}: manifest.json must list exactly one image with Config and Layers, but lists ${entries.length}. Save one image per archive.`);
  }
  const entry = entries[0]!;

  const staging = await mkdtemp(path.join(tmpdir(), "shipshape-cli-"));
  try {
    const blobs = path.join(staging, "blobs", "sha256");
    await mkdir(blobs, { recursive: true });
    // A member listed twice (two identical layers) was moved by its first use, so its result is kept.
    const storedMembers = new Map<string, { digest: string; size: number }>();
    const store = async (member: string) => {
      const stored = storedMembers.get(member) ?? (await storeBlob(extracted, member, blobs, inputText));
      storedMembers.set(member, stored);
      return stored;
    };
    const config = await store(entry.Config);
    const layers = [];
    for (const layer of entry.Layers) {
      const stored = await store(layer);
      layers.push({ mediaType: await layerMediaType(path.join(blobs, stored.digest.slice("sha256:".length))), digest: stored.digest, size: stored.size });
    }
    const manifest = new TextEncoder().encode(
      JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { mediaType: mediaTypes.ociConfig, ...config }, layers }),
    );
    const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
    await writeFile(path.join(blobs, digest.slice("sha256:".length)), manifest);
    await writeStagedIndex(staging, { mediaType: mediaTypes.ociManifest, digest, size: manifest.byteLength });
    return stagedImage(staging, digest);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Copies one archive member into blobs/sha256 under its digest. */
async function storeBlob(extracted: string, member: string, blobs: string, inputText: string): Promise<{ digest: string; size: number }> {
  const relative = normalizeLayerPath(member);
  const file = relative === null ? null : path.join(extracted, relative);
  if (file === null || !(await exists(file))) {
    throw new AppError("INVALID_INPUT", `${inputText}: manifest.json names ${member}, which the archive does not contain. Save the image again.`);
  }
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  const digest = `sha256:${hash.digest("hex")}`;
  const target = path.join(blobs, digest.slice("sha256:".length));
  if (await exists(target)) await rm(file);
  else await rename(file, target);
  return { digest, size };
}

/** Picks the layer media type from the first bytes: gzip and zstd magic numbers, else plain tar. */
async function layerMediaType(file: string): Promise<string> {
  const handle = await open(file, "r");
  try {
    const head = new Uint8Array(4);
    await handle.read(head, 0, 4, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return mediaTypes.ociLayerGzip;
    if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "application/vnd.oci.image.layer.v1.tar+zstd";
    return mediaTypes.ociLayerTar;
  } finally {
    await handle.close();
  }
}
