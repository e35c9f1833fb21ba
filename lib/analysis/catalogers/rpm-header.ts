import { AppError } from "@/lib/errors";
import { decodeUtf8 } from "@/lib/analysis/utf8";

/**
 * Reader for the rpm header blobs that every rpm database backend stores: a
 * big-endian index count and data length, one 16-byte index entry per tag
 * (tag, type, offset, count), then the data store. This is the header of an
 * rpm package file without its lead and signature.
 */

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
} as const;

const RPM_TYPE = {
  INT32: 4,
  STRING: 6,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

// rpm's own limits (HEADER_TAGS_MAX and HEADER_DATA_MAX in rpm's lib/header.c).
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_BYTES = 0x0fffffff;
const PREAMBLE_BYTES = 8;
const INDEX_ENTRY_BYTES = 16;

interface IndexEntry {
  type: number;
  offset: number;
  count: number;
}

/** The fields of one installed package that the rpm cataloger reports. */
export interface RpmHeaderRecord {
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string | null;
  license: string | null;
  sourceRpm: string | null;
  vendor: string | null;
}

/** Reads the package fields from one header blob; throws `AppError` when the blob is malformed. */
export function readRpmHeader(blob: Uint8Array): RpmHeaderRecord {
  const header = new RpmHeader(blob);
  const name = header.string(RPMTAG.NAME);
  const version = header.string(RPMTAG.VERSION);
  const release = header.string(RPMTAG.RELEASE);
  if (name === null || version === null || release === null) {
    throw new AppError("INVALID_INPUT", "rpm header is missing NAME, VERSION or RELEASE");
  }

  return {
    name,
    version,
    release,
    epoch: header.int32(RPMTAG.EPOCH),
    arch: header.string(RPMTAG.ARCH),
    license: header.string(RPMTAG.LICENSE),
    sourceRpm: header.string(RPMTAG.SOURCERPM),
    vendor: header.string(RPMTAG.VENDOR),
  };
}

class RpmHeader {
  private readonly view: DataView;
  private readonly dataStart: number;
  private readonly dataLength: number;
  private readonly entries = new Map<number, IndexEntry>();

  constructor(private readonly blob: Uint8Array) {
    if (blob.length < PREAMBLE_BYTES) {
      throw new AppError("INVALID_INPUT", `rpm header is truncated: ${blob.length} bytes, expected at least ${PREAMBLE_BYTES}`);
    }
    this.view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);

    const indexCount = this.view.getUint32(0);
    const dataLength = this.view.getUint32(4);
    if (indexCount < 1 || indexCount > MAX_INDEX_ENTRIES) {
      throw new AppError("INVALID_INPUT", `rpm header has an invalid index entry count ${indexCount}`);
    }
    if (dataLength > MAX_DATA_BYTES) {
      throw new AppError("INVALID_INPUT", `rpm header has an invalid data length ${dataLength}`);
    }
    this.dataStart = PREAMBLE_BYTES + indexCount * INDEX_ENTRY_BYTES;
    this.dataLength = dataLength;
    if (this.dataStart + dataLength > blob.length) {
      throw new AppError(
        "INVALID_INPUT",
        `rpm header is truncated: ${blob.length} bytes, its index and data need ${this.dataStart + dataLength}`,
      );
    }

    // Entries added after installation follow the immutable region, and rpm lets a later entry of a tag replace an earlier one.
    for (let i = 0; i < indexCount; i++) {
      const at = PREAMBLE_BYTES + i * INDEX_ENTRY_BYTES;
      const tag = this.view.getUint32(at);
      this.entries.set(tag, {
        type: this.view.getUint32(at + 4),
        offset: this.view.getInt32(at + 8),
        count: this.view.getUint32(at + 12),
      });
    }
  }

  /** Returns the first string of a STRING, STRING_ARRAY or I18NSTRING tag, or null when the tag is absent. */
  string(tag: number): string | null {
    const entry = this.entries.get(tag);
    if (!entry) return null;
    if (entry.type !== RPM_TYPE.STRING && entry.type !== RPM_TYPE.STRING_ARRAY && entry.type !== RPM_TYPE.I18NSTRING) {
      throw new AppError("INVALID_INPUT", `rpm header tag ${tag} has type ${entry.type}, expected a string`);
    }
    this.checkOffset(tag, entry.offset, 1);

    const start = this.dataStart + entry.offset;
    const end = this.dataStart + this.dataLength;
    const terminator = this.blob.subarray(start, end).indexOf(0);
    if (terminator < 0) {
      throw new AppError("INVALID_INPUT", `rpm header tag ${tag} has a string without a terminating NUL`);
    }
    return decodeUtf8(this.blob.subarray(start, start + terminator));
  }

  /** Returns the first value of an INT32 tag, or null when the tag is absent. */
  int32(tag: number): number | null {
    const entry = this.entries.get(tag);
    if (!entry) return null;
    if (entry.type !== RPM_TYPE.INT32 || entry.count < 1) {
      throw new AppError("INVALID_INPUT", `rpm header tag ${tag} has type ${entry.type} and count ${entry.count}, expected INT32`);
    }
    this.checkOffset(tag, entry.offset, 4);
    return this.view.getUint32(this.dataStart + entry.offset);
  }

  private checkOffset(tag: number, offset: number, bytes: number) {
    if (offset < 0 || offset + bytes > this.dataLength) {
      throw new AppError("INVALID_INPUT", `rpm header tag ${tag} points outside the data store (offset ${offset}, data length ${this.dataLength})`);
    }
  }
}
