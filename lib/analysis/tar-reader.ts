// A push parser for tar streams, written for the layer reader. A layer has
// thousands of small entries whose bodies no cataloger reads, and a general tar
// library creates a stream object and promises per entry; this parser walks
// the headers synchronously inside each chunk it is given and skips bodies by
// counting bytes, so only the bodies a caller asks for are copied out.
//
// Formats read: POSIX ustar (with its name prefix), pax extended headers
// (`path`, `linkpath`, `size`), GNU long names and long link names (`L`, `K`),
// base-256 numeric fields, and pre-POSIX v7 headers. Global pax headers (`g`)
// are skipped, because none of their keys would change what the reader returns.

import { decodeUtf8 } from "@/lib/analysis/utf8";

/** The kind of an entry, by its type flag. Devices, FIFOs and unknown types are "other". */
export type TarEntryType = "file" | "link" | "symlink" | "directory" | "other";

export interface TarEntry {
  /** Entry name as written, after pax and GNU long-name overrides, without normalisation. */
  path: string;
  /** Target of a hard or symbolic link, or "" for other types. */
  linkPath: string;
  type: TarEntryType;
  /** Content size in bytes; 0 for types that carry no content. */
  size: number;
  /** Byte offset of the entry's own header block in the uncompressed archive. */
  headerOffset: number;
}

/**
 * Receiver of one entry's content, in order. `write` returning false skips the
 * rest of the content, and `end` is then not called.
 */
export interface TarContentSink {
  write(bytes: Uint8Array): boolean;
  end(): void;
}

/** A tar stream that is malformed or ends early, with the archive offset where reading stopped. */
export class TarFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "TarFormatError";
  }
}

const BLOCK = 512;

/** Cap on a pax or GNU long-name body, in bytes. Real ones are a few hundred bytes; this stops a header that claims gigabytes. */
export const MAX_EXTENDED_HEADER_BYTES = 1024 * 1024;

/** Fields that pax and GNU headers set for the next entry only. */
interface PendingOverrides {
  path?: string;
  linkPath?: string;
  size?: number;
}

/** Header types that describe the next entry; "ignored" is a global pax header, whose body is skipped. */
type ExtendedKind = "pax" | "gnu-long-name" | "gnu-long-link" | "ignored";

/**
 * Walks a tar stream pushed to it in chunks of any size. For each entry it
 * calls `onEntry`, which returns a sink for the entry's content or null to
 * skip it. Call `end()` after the last chunk: it raises TarFormatError when
 * the stream stopped inside a header or an entry's content. Bytes after the
 * end-of-archive block are counted and ignored.
 */
export class TarReader {
  private readonly header = new Uint8Array(BLOCK);
  private headerFill = 0;
  /** Bytes of the archive consumed so far. */
  private offset = 0;
  private state: "header" | "content" | "padding" | "finished" = "header";
  private contentLeft = 0;
  private paddingLeft = 0;
  private sink: TarContentSink | null = null;
  private entry: TarEntry | null = null;

  private extended: { kind: Exclude<ExtendedKind, "ignored">; parts: Uint8Array[]; size: number } | null = null;
  private overrides: PendingOverrides = {};

  constructor(private readonly onEntry: (entry: TarEntry) => TarContentSink | null) {}

  /** True once the end-of-archive block has been read. */
  get finished(): boolean {
    return this.state === "finished";
  }

  write(chunk: Uint8Array): void {
    let position = 0;
    while (position < chunk.byteLength && this.state !== "finished") {
      if (this.state === "header") {
        position = this.readHeader(chunk, position);
      } else if (this.state === "content") {
        position = this.readContent(chunk, position);
      } else {
        const skipped = Math.min(this.paddingLeft, chunk.byteLength - position);
        this.paddingLeft -= skipped;
        this.offset += skipped;
        position += skipped;
        if (this.paddingLeft === 0) this.state = "header";
      }
    }
    this.offset += chunk.byteLength - position;
  }

  end(): void {
    if (this.state === "finished") return;
    if (this.state === "content" || this.state === "padding") {
      const name = this.entry === null ? "an extended header" : `entry ${JSON.stringify(this.entry.path)} (header at offset ${this.entry.headerOffset})`;
      const shortBy = this.state === "content" ? `${this.contentLeft} content bytes short` : `${this.paddingLeft} padding bytes short`;
      throw new TarFormatError(`the archive ends at offset ${this.offset} inside ${name}, ${shortBy}`, this.offset);
    }
    if (this.headerFill > 0) {
      throw new TarFormatError(`the archive ends at offset ${this.offset + this.headerFill} inside a header block (${this.headerFill} of ${BLOCK} bytes)`, this.offset + this.headerFill);
    }
    if (this.extended !== null || Object.keys(this.overrides).length > 0) {
      throw new TarFormatError("the archive ends after an extended header, before the entry it describes", this.offset);
    }
    // NOTE: a stream that stops on a header boundary without the end-of-archive
    // block is accepted, as GNU tar and Go's archive/tar accept it.
  }

  private readHeader(chunk: Uint8Array, position: number): number {
    let block: Uint8Array;
    if (this.headerFill === 0 && chunk.byteLength - position >= BLOCK) {
      block = chunk.subarray(position, position + BLOCK);
      position += BLOCK;
    } else {
      const copied = Math.min(BLOCK - this.headerFill, chunk.byteLength - position);
      this.header.set(chunk.subarray(position, position + copied), this.headerFill);
      this.headerFill += copied;
      position += copied;
      if (this.headerFill < BLOCK) return position;
      this.headerFill = 0;
      block = this.header;
    }

    const headerOffset = this.offset;
    this.offset += BLOCK;
    this.startEntry(block, headerOffset);
    return position;
  }

  private startEntry(block: Uint8Array, headerOffset: number): void {
    if (isZeroBlock(block)) {
      if (this.extended !== null || Object.keys(this.overrides).length > 0) {
        throw new TarFormatError(`an extended header is followed by the end-of-archive block at offset ${headerOffset} instead of an entry`, headerOffset);
      }
      // POSIX ends an archive with two zero blocks; like GNU tar, the first one ends the walk.
      this.state = "finished";
      return;
    }
    verifyChecksum(block, headerOffset);

    const typeFlag = block[156] ?? 0;
    const size = readNumber(block, 124, 12, "size", headerOffset);
    const extendedKind = extendedHeaderKind(typeFlag);
    if (extendedKind === "ignored") {
      this.entry = null;
      this.beginContent(size, null);
      return;
    }
    if (extendedKind !== null) {
      if (size > MAX_EXTENDED_HEADER_BYTES) {
        throw new TarFormatError(`the extended header at offset ${headerOffset} claims ${size} bytes, over the ${MAX_EXTENDED_HEADER_BYTES}-byte maximum`, headerOffset);
      }
      this.extended = { kind: extendedKind, parts: [], size };
      this.entry = null;
      this.beginContent(size, null);
      return;
    }

    const entry = this.decodeEntry(block, typeFlag, size, headerOffset);
    this.overrides = {};
    this.entry = entry;
    this.beginContent(entry.size, this.onEntry(entry));
  }

  private decodeEntry(block: Uint8Array, typeFlag: number, headerSize: number, headerOffset: number): TarEntry {
    const ustar = isPosixUstar(block);
    let path = this.overrides.path;
    if (path === undefined) {
      const name = readString(block, 0, 100);
      // Only POSIX ustar has the 155-byte prefix; GNU headers keep times and sparse data in that area.
      const prefix = ustar ? readString(block, 345, 155) : "";
      path = prefix === "" ? name : `${prefix}/${name}`;
    }
    const linkPath = this.overrides.linkPath ?? readString(block, 157, 100);

    let type = entryType(typeFlag);
    // v7 archives have no directory type flag: a regular entry whose name ends in "/" is a directory.
    if (type === "file" && (typeFlag === 0 || typeFlag === 0x30) && path.endsWith("/")) type = "directory";

    // Links, directories, devices and FIFOs carry no content whatever their size field contains,
    // as in Go's archive/tar. Unknown types (GNU sparse files among them) do carry their size.
    const hasContent = type === "file" || (type === "other" && !isHeaderOnlyTypeFlag(typeFlag));
    const size = hasContent ? (this.overrides.size ?? headerSize) : 0;
    return { path, linkPath: type === "link" || type === "symlink" ? linkPath : "", type, size, headerOffset };
  }

  private beginContent(size: number, sink: TarContentSink | null): void {
    this.sink = sink;
    this.contentLeft = size;
    this.paddingLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.finishContent();
    else this.state = "content";
  }

  private readContent(chunk: Uint8Array, position: number): number {
    const taken = Math.min(this.contentLeft, chunk.byteLength - position);
    const bytes = chunk.subarray(position, position + taken);
    this.contentLeft -= taken;
    this.offset += taken;

    if (this.extended !== null) {
      // Copied, because the caller may reuse the chunk's memory once write() returns.
      this.extended.parts.push(bytes.slice());
    } else if (this.sink !== null && !this.sink.write(bytes)) {
      this.sink = null;
    }
    if (this.contentLeft === 0) this.finishContent();
    return position + taken;
  }

  private finishContent(): void {
    if (this.extended !== null) {
      const extended = this.extended;
      this.extended = null;
      this.applyExtendedHeader(extended.kind, Buffer.concat(extended.parts), this.offset - extended.size);
    } else {
      this.sink?.end();
      this.sink = null;
    }
    this.state = this.paddingLeft > 0 ? "padding" : "header";
  }

  private applyExtendedHeader(kind: Exclude<ExtendedKind, "ignored">, body: Uint8Array, bodyOffset: number): void {
    switch (kind) {
      case "gnu-long-name":
        this.overrides.path = readString(body, 0, body.byteLength);
        return;
      case "gnu-long-link":
        this.overrides.linkPath = readString(body, 0, body.byteLength);
        return;
      case "pax":
        Object.assign(this.overrides, parsePaxRecords(body, bodyOffset));
        return;
    }
  }
}

function extendedHeaderKind(typeFlag: number): ExtendedKind | null {
  switch (String.fromCharCode(typeFlag)) {
    case "x":
      return "pax";
    case "g":
      return "ignored";
    case "L":
      return "gnu-long-name";
    case "K":
      return "gnu-long-link";
    default:
      return null;
  }
}

function entryType(typeFlag: number): TarEntryType {
  switch (String.fromCharCode(typeFlag)) {
    case "\0":
    case "0":
    case "7": // contiguous file, read as a regular one
      return "file";
    case "1":
      return "link";
    case "2":
      return "symlink";
    case "5":
      return "directory";
    default:
      return "other";
  }
}

/** Hard links, symlinks, character and block devices, directories and FIFOs (type flags 1 to 6). */
function isHeaderOnlyTypeFlag(typeFlag: number): boolean {
  return typeFlag >= 0x31 && typeFlag <= 0x36;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let index = 0; index < BLOCK; index += 1) {
    if (block[index] !== 0) return false;
  }
  return true;
}

/** `ustar\0` is POSIX; GNU tar writes `ustar  \0` and v7 headers have no magic at all. */
function isPosixUstar(block: Uint8Array): boolean {
  return block[257] === 0x75 && block[258] === 0x73 && block[259] === 0x74 && block[260] === 0x61 && block[261] === 0x72 && block[262] === 0;
}

/**
 * Checks the header checksum: the sum of all 512 bytes with the 8-byte
 * checksum field counted as spaces. Some old writers summed signed bytes, so
 * either sum is accepted, as GNU tar does.
 */
function verifyChecksum(block: Uint8Array, headerOffset: number): void {
  const stored = readNumber(block, 148, 8, "checksum", headerOffset);
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < BLOCK; index += 1) {
    const byte = index >= 148 && index < 156 ? 0x20 : (block[index] ?? 0);
    unsigned += byte;
    signed += byte >= 0x80 ? byte - 0x100 : byte;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new TarFormatError(`the header at offset ${headerOffset} has checksum ${stored} but its bytes sum to ${unsigned}; the archive is corrupt or is not tar`, headerOffset);
  }
}

/**
 * Reads a numeric header field: octal digits padded with spaces or NULs, or,
 * when the first byte has its high bit set, a base-256 big-endian number
 * (a GNU extension for values too large for octal, 0xff marking a negative one).
 */
function readNumber(block: Uint8Array, start: number, length: number, field: string, headerOffset: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) throw new TarFormatError(`the header at offset ${headerOffset} has a negative ${field}`, headerOffset);
    let value = first & 0x7f;
    for (let index = start + 1; index < start + length; index += 1) {
      value = value * 256 + (block[index] ?? 0);
    }
    if (!Number.isSafeInteger(value)) throw new TarFormatError(`the header at offset ${headerOffset} has a ${field} too large to represent`, headerOffset);
    return value;
  }

  let value = 0;
  let index = start;
  const end = start + length;
  while (index < end && (block[index] === 0x20 || block[index] === 0)) index += 1;
  let digits = 0;
  for (; index < end; index += 1) {
    const byte = block[index] ?? 0;
    if (byte < 0x30 || byte > 0x37) break;
    value = value * 8 + (byte - 0x30);
    digits += 1;
  }
  for (; index < end; index += 1) {
    const byte = block[index];
    if (byte !== 0x20 && byte !== 0) {
      throw new TarFormatError(`the header at offset ${headerOffset} has an invalid ${field} field (byte 0x${(byte ?? 0).toString(16)} is not an octal digit)`, headerOffset);
    }
  }
  if (digits === 0 && field === "checksum") {
    throw new TarFormatError(`the header at offset ${headerOffset} has an empty checksum field; the archive is corrupt or is not tar`, headerOffset);
  }
  return value;
}

/** Decodes a NUL-terminated UTF-8 field; bytes that are not UTF-8 become U+FFFD. */
function readString(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  const limit = start + length;
  while (end < limit && bytes[end] !== 0) end += 1;
  return decodeUtf8(bytes.subarray(start, end));
}

/**
 * Parses pax extended header records, each `LENGTH KEY=VALUE\n` where LENGTH
 * counts the whole record in bytes (POSIX.1-2001, pax "extended header").
 * Returns the keys this reader uses; an empty value cancels the key.
 */
function parsePaxRecords(body: Uint8Array, bodyOffset: number): PendingOverrides {
  const overrides: PendingOverrides = {};
  let position = 0;
  while (position < body.byteLength) {
    // Some writers pad the body with NULs after the last record.
    if (body[position] === 0) break;

    const space = body.indexOf(0x20, position);
    const length = space === -1 ? Number.NaN : Number(decodeUtf8(body.subarray(position, space)));
    const recordEnd = position + length;
    if (!Number.isSafeInteger(length) || length <= 0 || recordEnd > body.byteLength || body[recordEnd - 1] !== 0x0a) {
      throw new TarFormatError(`the pax extended header at offset ${bodyOffset} has an invalid record at byte ${position}`, bodyOffset + position);
    }

    const record = body.subarray(space + 1, recordEnd - 1);
    const equals = record.indexOf(0x3d);
    if (equals === -1) {
      throw new TarFormatError(`the pax extended header at offset ${bodyOffset} has a record without "=" at byte ${position}`, bodyOffset + position);
    }
    const key = decodeUtf8(record.subarray(0, equals));
    const value = decodeUtf8(record.subarray(equals + 1));
    if (key === "path") overrides.path = value;
    else if (key === "linkpath") overrides.linkPath = value;
    else if (key === "size") {
      const size = value === "" ? Number.NaN : Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(size)) {
        throw new TarFormatError(`the pax extended header at offset ${bodyOffset} has an invalid size ${JSON.stringify(value)}`, bodyOffset + position);
      }
      overrides.size = size;
    }
    position = recordEnd;
  }
  return overrides;
}
