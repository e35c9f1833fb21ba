import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { pack, type Header } from "tar-stream";

import { AppError } from "@/lib/errors";

/** A regular file of a layer. `mode` defaults to 0644. */
export interface LayerFile {
  path: string;
  content: Uint8Array | string;
  mode?: number;
}

/** A symbolic link of a layer, stored as written (relative or absolute). */
export interface LayerSymlink {
  path: string;
  symlinkTarget: string;
}

/** A file or symbolic link at a path relative to the image's root. */
export type LayerEntry = LayerFile | LayerSymlink;

const DIRECTORY_MODE = 0o755;
const FILE_MODE = 0o644;
const EXECUTABLE_MODE = 0o755;
const SYMLINK_MODE = 0o777;

/**
 * Writes `entries` as a POSIX ustar archive (pax headers for long names) with
 * the same bytes for the same input: entries sorted by path, every parent
 * directory added, owner 0:0 without user or group names, and `mtime` on
 * every entry.
 */
export async function createLayerTar(entries: readonly LayerEntry[], mtime: Date): Promise<Uint8Array> {
  const headers = collectHeaders(entries, mtime);
  const archive = pack();
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of archive as AsyncIterable<Uint8Array>) chunks.push(chunk);
  })();

  for (const { header, content } of headers) {
    if (content === undefined) archive.entry(header);
    else archive.entry(header, content);
  }
  archive.finalize();
  await collected;

  return Buffer.concat(chunks);
}

/**
 * Lists the regular files and symbolic links under `rootDir` as layer
 * entries. File modes are reduced to 0755 when any execute bit is set and
 * 0644 otherwise, so the result does not depend on the umask of the checkout.
 */
export async function readLayerEntries(rootDir: string): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [];
  await collectEntries(rootDir, "", entries);
  return entries;
}

async function collectEntries(rootDir: string, relativeDir: string, entries: LayerEntry[]): Promise<void> {
  const names = (await readdir(join(rootDir, relativeDir))).sort();

  for (const name of names) {
    const relativePath = relativeDir === "" ? name : `${relativeDir}/${name}`;
    const absolutePath = join(rootDir, relativePath);
    const stats = await lstat(absolutePath);

    if (stats.isDirectory()) {
      await collectEntries(rootDir, relativePath, entries);
    } else if (stats.isSymbolicLink()) {
      entries.push({ path: relativePath, symlinkTarget: await readlink(absolutePath) });
    } else if (stats.isFile()) {
      const mode = (stats.mode & 0o111) !== 0 ? EXECUTABLE_MODE : FILE_MODE;
      entries.push({ path: relativePath, content: await readFile(absolutePath), mode });
    } else {
      throw new AppError(
        "INVALID_INPUT",
        `Unsupported file type at "${absolutePath}": a layer root may contain only directories, regular files and symbolic links.`,
      );
    }
  }
}

interface TarRecord {
  header: Partial<Header> & Pick<Header, "name">;
  content?: Buffer;
}

function collectHeaders(entries: readonly LayerEntry[], mtime: Date): TarRecord[] {
  const records = new Map<string, TarRecord>();
  const owner = { uid: 0, gid: 0, uname: "", gname: "", mtime };

  for (const entry of entries) {
    const path = normalizeEntryPath(entry.path);
    if (records.has(path)) {
      throw new AppError("INVALID_INPUT", `Duplicate layer path "${path}": give each path once.`);
    }

    if ("symlinkTarget" in entry) {
      records.set(path, {
        header: { ...owner, name: path, type: "symlink", mode: SYMLINK_MODE, linkname: entry.symlinkTarget },
      });
    } else {
      const content = typeof entry.content === "string" ? Buffer.from(entry.content, "utf8") : toBuffer(entry.content);
      records.set(path, {
        header: { ...owner, name: path, type: "file", mode: entry.mode ?? FILE_MODE, size: content.byteLength },
        content,
      });
    }
  }

  for (const path of [...records.keys()]) {
    const parts = path.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      const parent = parts.slice(0, depth).join("/");
      const existing = records.get(parent);
      if (existing === undefined) {
        records.set(parent, { header: { ...owner, name: `${parent}/`, type: "directory", mode: DIRECTORY_MODE } });
      } else if (existing.header.type !== "directory") {
        throw new AppError("INVALID_INPUT", `Layer path "${parent}" is both a file and the parent directory of "${path}".`);
      }
    }
  }

  // A directory sorts before its contents because its path is their prefix.
  const paths = [...records.keys()].sort();
  return paths.map((path) => records.get(path) as TarRecord);
}

function normalizeEntryPath(rawPath: string): string {
  const path = rawPath.replace(/^(\.?\/)+/, "").replace(/\/+$/, "");
  const parts = path.split("/");
  if (path === "" || parts.some((part) => part === "" || part === "." || part === "..")) {
    throw new AppError(
      "INVALID_INPUT",
      `Invalid layer path "${rawPath}": use a relative path without empty, "." or ".." components.`,
    );
  }
  return path;
}

// tar-stream only treats Node Buffers as entry bodies.
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
