import { createReadStream } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { type Download, redactUrl, startDownload } from "@/lib/advisories/download";
import { readFolderEntries } from "@/lib/advisories/folder-entries";
import type { ResolvedImportOptions } from "@/lib/advisories/import-options";
import { readZipEntries } from "@/lib/advisories/zip-entries";
import { AppError } from "@/lib/errors";
import { hideUrlCredentials } from "@/lib/security/hide-credentials";

/** One JSON file of a source, or the reason it was skipped. `name` is the file name or zip entry name. */
export type SourceEntry = { name: string; bytes: Uint8Array } | { name: string; problem: string };

export type SourceFormat = "zip" | "folder" | "json";

/** An opened advisory source. The importer reads `entries` once and then calls `close`. */
export interface AdvisorySource {
  format: SourceFormat;
  /** The absolute path, or the URL without credentials, as snapshots and messages show it. */
  location: string;
  /** The whole file for the "json" format, read up front so an importer can look inside; null otherwise. */
  document: Uint8Array | null;
  entries: AsyncIterable<SourceEntry>;
  close(): Promise<void>;
}

/** Bytes a file is sniffed by: enough for the zip signature and leading JSON whitespace. */
const sniffLength = 512;

const supportedInputs = "Give an OSV all.zip archive, a folder of OSV .json files, one OSV .json record, CISA's KEV catalog JSON, or an http(s) URL of one of these files.";

/**
 * Opens a path or an http(s) URL of advisories and works out its format: a zip archive
 * (by its "PK" signature), a folder, or a JSON file (by a leading "{" or "[", or a .json
 * name). Raises an AppError, before any data is imported, when the path does not exist,
 * is not one of these, or the URL cannot be downloaded.
 */
export async function openAdvisorySource(source: string, options: ResolvedImportOptions): Promise<AdvisorySource> {
  if (/^https?:\/\//i.test(source)) return openUrl(source, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new AppError("INVALID_INPUT", `${source} uses an unsupported URL scheme. Give an http:// or https:// URL, or a local path.`);
  }
  return openPath(source, options);
}

async function openPath(source: string, options: ResolvedImportOptions): Promise<AdvisorySource> {
  const location = path.resolve(source);
  let info;
  try {
    info = await stat(location);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new AppError("NOT_FOUND", `Advisory source ${location} not found. Check the path. ${supportedInputs}`, { cause: error });
    }
    throw new AppError("INVALID_INPUT", `Advisory source ${location} cannot be read: ${(error as Error).message}. Check its permissions.`, { cause: error });
  }

  if (info.isDirectory()) {
    return { format: "folder", location, document: null, entries: readFolderEntries(location, options.maxFileBytes), close: async () => {} };
  }
  if (!info.isFile()) throw notSupported(location);

  const head = await readHead(location);
  if (isZip(head)) {
    const stream = createReadStream(location, { highWaterMark: 1024 * 1024 });
    return {
      format: "zip",
      location,
      document: null,
      entries: readZipEntries(stream, { location, maxFileBytes: options.maxFileBytes }),
      close: async () => {
        stream.destroy();
      },
    };
  }
  if (!looksLikeJson(head) && !location.toLowerCase().endsWith(".json")) throw notSupported(location);

  if (info.size > options.maxFileBytes) {
    throw new AppError("TOO_LARGE", `${location} is ${info.size} bytes, larger than the limit of ${options.maxFileBytes} bytes for one JSON file. Split the file into one record per file.`);
  }
  const document = await readFile(location);
  return jsonSource(location, path.basename(location), document);
}

async function openUrl(source: string, options: ResolvedImportOptions): Promise<AdvisorySource> {
  let url: URL;
  try {
    url = new URL(source);
  } catch (error) {
    throw new AppError("INVALID_INPUT", `${hideUrlCredentials(source)} is not a valid URL: ${(error as Error).message}. Check its spelling.`, { cause: error });
  }
  const location = redactUrl(url);
  const download = await startDownload(url, location, options);

  try {
    const head = await readDownloadHead(download);
    if (isZip(concatenate(head))) {
      return {
        format: "zip",
        location,
        document: null,
        entries: readZipEntries(downloadChunks(head, download), { location, maxFileBytes: options.maxFileBytes }),
        close: () => download.cancel(),
      };
    }

    const document = await readRest(head, download, location, options.maxFileBytes);
    const name = decodeURIComponent(url.pathname.split("/").pop() ?? "") || location;
    if (!looksLikeJson(document) && !url.pathname.toLowerCase().endsWith(".json")) throw notSupported(location);
    return jsonSource(location, name, document);
  } catch (error) {
    await download.cancel();
    throw error;
  }
}

function jsonSource(location: string, name: string, document: Uint8Array): AdvisorySource {
  return {
    format: "json",
    location,
    document,
    entries: (async function* () {
      yield { name, bytes: document };
    })(),
    close: async () => {},
  };
}

function notSupported(location: string): AppError {
  return new AppError("INVALID_INPUT", `${location} is not a zip, folder or JSON file. ${supportedInputs}`);
}

async function readHead(location: string): Promise<Uint8Array> {
  const file = await open(location, "r");
  try {
    const buffer = new Uint8Array(sniffLength);
    const { bytesRead } = await file.read(buffer, 0, sniffLength, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** Reads parts of the body until 4 bytes are in, enough to tell a zip archive. */
async function readDownloadHead(download: Download): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  let length = 0;
  while (length < 4) {
    const part = await download.read();
    if (part === null) break;
    parts.push(part);
    length += part.byteLength;
  }
  return parts;
}

async function* downloadChunks(head: Uint8Array[], download: Download): AsyncGenerator<Uint8Array> {
  yield* head;
  for (let part = await download.read(); part !== null; part = await download.read()) yield part;
}

async function readRest(head: Uint8Array[], download: Download, location: string, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  const add = (part: Uint8Array) => {
    length += part.byteLength;
    if (length > maxBytes) {
      throw new AppError("TOO_LARGE", `${location} is not a zip archive, and as a JSON file it is larger than the limit of ${maxBytes} bytes. Check that the URL names an OSV zip archive or one OSV record.`);
    }
    parts.push(part);
  };

  head.forEach(add);
  for (let part = await download.read(); part !== null; part = await download.read()) add(part);
  return concatenate(parts);
}

/** Returns true for the start of a zip archive: a local file header, or the end record of an empty archive. */
function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06));
}

/** Returns true when the first character after an optional UTF-8 byte order mark and whitespace opens a JSON object or array. */
function looksLikeJson(bytes: Uint8Array): boolean {
  let index = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (index < bytes.length && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[index] ?? 0)) index += 1;
  return bytes[index] === 0x7b || bytes[index] === 0x5b;
}

function concatenate(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const total = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    total.set(part, offset);
    offset += part.byteLength;
  }
  return total;
}
