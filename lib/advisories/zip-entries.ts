/**
 * Streaming reader of zip archives such as OSV's per-ecosystem `all.zip`. It walks the
 * local file headers in stream order, so a download is imported while it arrives, and
 * then only checks that the central directory ends with its end record. The format is PKWARE's APPNOTE.TXT (sections 4.3.7 local
 * file header, 4.3.9 data descriptor, 4.5.3 Zip64 extra field).
 *
 * fflate's streaming `Unzip` (0.8.3) is not used, for two reasons. It keeps one array per
 * entry and prepends to that list, so walking 320 000 small entries took 77 s on a 2-core VM.
 * It also recurses once per entry within a pushed chunk, so a chunk that contains thousands
 * of small entries overflows the stack.
 *
 * NOTE: entries are taken from the local headers without reading the central directory,
 * so an entry that an archive tool replaced in place would be read twice.
 */
import { crc32, inflateRawSync } from "node:zlib";
import { ByteQueue } from "@/lib/advisories/byte-queue";
import { AppError } from "@/lib/errors";

/** A JSON file of the archive, or the reason it was skipped. */
export type ZipEntry = { name: string; bytes: Uint8Array } | { name: string; problem: string };

export interface ZipReadOptions {
  /** The archive's path or URL, for messages. */
  location: string;
  /** Largest entry read, compressed or uncompressed, in bytes. */
  maxFileBytes: number;
}

const localFileSignature = 0x04034b50;
const centralDirectorySignature = 0x02014b50;
const endOfCentralDirectorySignature = 0x06054b50;
const zip64EndOfCentralDirectorySignature = 0x06064b50;
const dataDescriptorSignature = 0x08074b50;

const localHeaderLength = 30;
const zip64ExtraFieldId = 0x0001;
const uint32Max = 0xffffffff;

const flagEncrypted = 0x0001;
const flagDataDescriptor = 0x0008;
const flagUtf8Name = 0x0800;

const compressionStored = 0;
const compressionDeflate = 8;

interface LocalHeader {
  name: string;
  flags: number;
  compression: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Whether the header has a Zip64 extra field, which makes a data descriptor's sizes 8 bytes long. */
  zip64: boolean;
}

/**
 * Yields the `.json` files of a zip archive in stream order. A damaged, encrypted, oversized
 * or unsupported entry comes back with a problem and the walk goes on. The walk stops with an
 * AppError when the archive itself is broken: no local file header where one must be, or a
 * stream that ends before the central directory.
 */
export async function* readZipEntries(chunks: AsyncIterable<Uint8Array>, options: ZipReadOptions): AsyncGenerator<ZipEntry> {
  const input = new ByteQueue(chunks);
  try {
    for (;;) {
      if (!(await input.fill(4))) throw truncatedArchive(options.location, input.position);

      const signature = readUint32(input.peek(4), 0);
      if (signature === centralDirectorySignature || signature === endOfCentralDirectorySignature || signature === zip64EndOfCentralDirectorySignature) {
        await expectEndOfCentralDirectory(input, options.location);
        return;
      }
      if (signature !== localFileSignature) {
        throw new AppError(
          "INVALID_INPUT",
          `${options.location} is not a valid zip archive: byte ${input.position} starts no local file header (signature 0x${signature.toString(16).padStart(8, "0")}). Download or copy the archive again.`,
        );
      }

      const header = await readLocalHeader(input, options.location);
      const entry = await readEntry(input, header, options);
      if (entry !== null) yield entry;
    }
  } finally {
    await input.close();
  }
}

/** Reads one entry's data. Returns null for a folder or a file that is not `.json`. */
async function readEntry(input: ByteQueue, header: LocalHeader, options: ZipReadOptions): Promise<ZipEntry | null> {
  const isJsonFile = !header.name.endsWith("/") && header.name.toLowerCase().endsWith(".json");

  if (header.flags & flagDataDescriptor) {
    // The sizes and CRC follow the data, so the data must be read to find its end.
    const found = await readUntilDataDescriptor(input, header, options);
    if (!isJsonFile) return null;
    return decodeEntry({ ...header, ...found.descriptor }, found.data, options.maxFileBytes);
  }

  const tooLarge = header.compressedSize > options.maxFileBytes || header.uncompressedSize > options.maxFileBytes;
  if (!isJsonFile || tooLarge) {
    if (!(await input.skip(header.compressedSize))) throw truncatedArchive(options.location, input.position);
    return isJsonFile ? { name: header.name, problem: `is larger than the limit of ${options.maxFileBytes} bytes` } : null;
  }

  if (!(await input.fill(header.compressedSize))) throw truncatedArchive(options.location, input.position);
  return decodeEntry(header, input.take(header.compressedSize), options.maxFileBytes);
}

async function readLocalHeader(input: ByteQueue, location: string): Promise<LocalHeader> {
  if (!(await input.fill(localHeaderLength))) throw truncatedArchive(location, input.position);
  const fixed = input.peek(localHeaderLength);
  const nameLength = readUint16(fixed, 26);
  const extraLength = readUint16(fixed, 28);

  const headerLength = localHeaderLength + nameLength + extraLength;
  if (!(await input.fill(headerLength))) throw truncatedArchive(location, input.position);
  const bytes = input.take(headerLength);

  const flags = readUint16(bytes, 6);
  const nameBytes = bytes.subarray(localHeaderLength, localHeaderLength + nameLength);
  // Without the UTF-8 flag a name is CP437. OSV ids are ASCII, where both agree, so latin1 is close enough for messages.
  const name = new TextDecoder(flags & flagUtf8Name ? "utf-8" : "latin1").decode(nameBytes);
  const header: LocalHeader = {
    name,
    flags,
    compression: readUint16(bytes, 8),
    crc: readUint32(bytes, 14),
    compressedSize: readUint32(bytes, 18),
    uncompressedSize: readUint32(bytes, 22),
    zip64: false,
  };
  applyZip64Sizes(header, bytes.subarray(localHeaderLength + nameLength, headerLength));
  return header;
}

/** Replaces 0xFFFFFFFF sizes with the 8-byte sizes of the Zip64 extra field, when there is one. */
function applyZip64Sizes(header: LocalHeader, extra: Uint8Array): void {
  let offset = 0;
  while (offset + 4 <= extra.byteLength) {
    const id = readUint16(extra, offset);
    const size = readUint16(extra, offset + 2);
    const field = extra.subarray(offset + 4, offset + 4 + size);
    offset += 4 + size;
    if (id !== zip64ExtraFieldId) continue;

    header.zip64 = true;
    // A local header's Zip64 field carries both sizes, uncompressed first. Some writers
    // include only the sizes that overflowed, so fall back to reading those in order.
    if (field.byteLength >= 16) {
      header.uncompressedSize = readUint64(field, 0);
      header.compressedSize = readUint64(field, 8);
      return;
    }
    let position = 0;
    if (header.uncompressedSize === uint32Max && position + 8 <= field.byteLength) {
      header.uncompressedSize = readUint64(field, position);
      position += 8;
    }
    if (header.compressedSize === uint32Max && position + 8 <= field.byteLength) {
      header.compressedSize = readUint64(field, position);
    }
    return;
  }
}

interface DescriptorFields {
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
}

/**
 * Reads the data of an entry whose sizes come after it. The end is the first offset where a
 * data descriptor (signature optional) records exactly the number of bytes read so far and
 * the next record's signature follows it. Both checks must hold, so compressed bytes that
 * happen to look like a signature do not end the entry.
 */
async function readUntilDataDescriptor(input: ByteQueue, header: LocalHeader, options: ZipReadOptions): Promise<{ data: Uint8Array; descriptor: DescriptorFields }> {
  const sizeLength = header.zip64 ? 8 : 4;
  const shortDescriptorLength = 4 + 2 * sizeLength;
  // Bytes needed after a candidate end: the descriptor with its optional signature, then the next record's signature.
  const lookahead = 4 + shortDescriptorLength + 4;

  let buffer = new Uint8Array(64 * 1024);
  let used = 0;
  let scanned = 0;
  for (;;) {
    if (input.length === 0 && !(await input.pull())) throw truncatedArchive(options.location, input.position);
    const chunk = input.take(input.length);
    if (used + chunk.byteLength > buffer.byteLength) {
      const grown = new Uint8Array(Math.max(buffer.byteLength * 2, used + chunk.byteLength));
      grown.set(buffer.subarray(0, used));
      buffer = grown;
    }
    buffer.set(chunk, used);
    used += chunk.byteLength;

    for (; scanned + lookahead <= used; scanned++) {
      const found = matchDataDescriptor(buffer, scanned, sizeLength);
      if (found === null) continue;
      input.unshift(buffer.slice(scanned + found.length, used));
      return { data: buffer.subarray(0, scanned), descriptor: found.fields };
    }

    if (scanned > options.maxFileBytes) {
      throw new AppError(
        "TOO_LARGE",
        `${options.location}: the entry ${header.name} is larger than the limit of ${options.maxFileBytes} bytes and stores its size after its data, so the rest of the archive cannot be found. Unzip the archive and import the folder instead.`,
      );
    }
  }
}

function matchDataDescriptor(buffer: Uint8Array, offset: number, sizeLength: number): { length: number; fields: DescriptorFields } | null {
  const withSignature = readUint32(buffer, offset) === dataDescriptorSignature;
  for (const start of withSignature ? [offset + 4, offset] : [offset]) {
    const compressedSize = readSize(buffer, start + 4, sizeLength);
    const end = start + 4 + 2 * sizeLength;
    if (compressedSize !== offset || !startsRecord(buffer, end)) continue;
    return {
      length: end - offset,
      fields: { crc: readUint32(buffer, start), compressedSize, uncompressedSize: readSize(buffer, start + 4 + sizeLength, sizeLength) },
    };
  }
  return null;
}

function startsRecord(buffer: Uint8Array, offset: number): boolean {
  const signature = readUint32(buffer, offset);
  return signature === localFileSignature || signature === centralDirectorySignature || signature === endOfCentralDirectorySignature || signature === zip64EndOfCentralDirectorySignature;
}

/** Decompresses an entry and checks its size and CRC-32 against the archive's record of them. */
function decodeEntry(header: LocalHeader, data: Uint8Array, maxFileBytes: number): ZipEntry {
  const name = header.name;
  if (header.flags & flagEncrypted) return { name, problem: "is encrypted, and the import reads only unencrypted archives" };
  if (data.byteLength > maxFileBytes || header.uncompressedSize > maxFileBytes) {
    return { name, problem: `is larger than the limit of ${maxFileBytes} bytes` };
  }

  let bytes: Uint8Array;
  if (header.compression === compressionStored) {
    bytes = data;
  } else if (header.compression === compressionDeflate) {
    try {
      // maxOutputLength stops a small entry that inflates to gigabytes.
      bytes = inflateRawSync(data, { maxOutputLength: maxFileBytes });
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return { name, problem: `is larger than the limit of ${maxFileBytes} bytes` };
      return { name, problem: `could not be decompressed: ${(error as Error).message}` };
    }
  } else {
    return { name, problem: `uses compression method ${header.compression}, but only stored (0) and deflate (8) are supported` };
  }

  if (bytes.byteLength !== header.uncompressedSize) {
    return { name, problem: `is damaged: it has ${bytes.byteLength} bytes, but the archive records ${header.uncompressedSize}` };
  }
  if (crc32(bytes) !== header.crc) return { name, problem: "is damaged: its CRC-32 does not match the archive's record" };
  return { name, bytes };
}

/** Maximum length of the end of central directory record: 22 bytes plus a comment of up to 65 535 bytes. */
const maxEndRecordLength = 22 + 0xffff;

/**
 * Reads the central directory to the end of the stream and checks that the end of central
 * directory record is there. Its absence means the archive was cut off, even though every
 * entry before the directory was complete.
 */
async function expectEndOfCentralDirectory(input: ByteQueue, location: string): Promise<void> {
  let tail = new Uint8Array(0);
  while (input.length > 0 || (await input.pull())) {
    const part = input.take(input.length);
    const joined = new Uint8Array(Math.min(tail.byteLength + part.byteLength, maxEndRecordLength));
    const fromTail = Math.max(0, joined.byteLength - part.byteLength);
    joined.set(tail.subarray(tail.byteLength - fromTail), 0);
    joined.set(part.subarray(part.byteLength - (joined.byteLength - fromTail)), fromTail);
    tail = joined;
  }
  for (let offset = tail.byteLength - 22; offset >= 0; offset -= 1) {
    if (readUint32(tail, offset) === endOfCentralDirectorySignature) return;
  }
  throw truncatedArchive(location, input.position);
}

function truncatedArchive(location: string, position: number): AppError {
  return new AppError("INVALID_INPUT", `${location} ends at byte ${position}, before the end of the zip archive's central directory, so it is truncated or damaged. Download or copy the archive again.`);
}

function readUint16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (readUint16(bytes, offset) | (readUint16(bytes, offset + 2) << 16)) >>> 0;
}

/** Reads a little-endian 64-bit size. Sizes above 2^53 lose precision, far beyond any download limit. */
function readUint64(bytes: Uint8Array, offset: number): number {
  return readUint32(bytes, offset) + readUint32(bytes, offset + 4) * 2 ** 32;
}

function readSize(bytes: Uint8Array, offset: number, length: number): number {
  return length === 8 ? readUint64(bytes, offset) : readUint32(bytes, offset);
}
