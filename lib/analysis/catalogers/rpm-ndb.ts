import { AppError } from "@/lib/errors";

/**
 * Reader for rpm's "ndb" package database (`Packages.db`, the default on
 * SUSE since rpm 4.16). Layout from rpm's `lib/backend/ndb/rpmpkg.c`, all
 * numbers little-endian: a 32-byte header, slot pages of 16-byte slots, then
 * blobs in 16-byte blocks, each blob framed by a head, a tail and an Adler-32
 * checksum.
 */

const DB_MAGIC = fourCC("RpmP");
const SLOT_MAGIC = fourCC("Slot");
const BLOB_HEAD_MAGIC = fourCC("BlbS");
const BLOB_TAIL_MAGIC = fourCC("BlbE");

const DB_HEADER_BYTES = 32;
const SLOT_BYTES = 16;
const SLOT_PAGE_BYTES = 4096;
const BLOCK_BYTES = 16;
const BLOB_HEAD_BYTES = 16;
const BLOB_TAIL_BYTES = 12;
// Each 4096-byte slot page has 256 slots, so 2048 pages allow about half a million packages.
const MAX_SLOT_PAGES = 2048;

/** A package blob, or the reason it could not be read. */
export type NdbBlob = { packageIndex: number; blob: Uint8Array } | { packageIndex: number; error: string };

/** Reads every package blob of a `Packages.db`; throws `AppError` when the header or slot area is unreadable. */
export function readNdbPackageBlobs(file: Uint8Array): NdbBlob[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < DB_HEADER_BYTES || view.getUint32(0, true) !== DB_MAGIC) {
    throw new AppError("INVALID_INPUT", "file is not an rpm ndb database (bad magic number)");
  }
  const version = view.getUint32(4, true);
  if (version !== 0) {
    throw new AppError("INVALID_INPUT", `rpm ndb database version ${version} is not supported, expected 0`);
  }
  const slotPages = view.getUint32(12, true);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES || slotPages * SLOT_PAGE_BYTES > file.length) {
    throw new AppError("INVALID_INPUT", `rpm ndb database has an invalid slot page count ${slotPages}`);
  }

  const blobs: NdbBlob[] = [];
  const firstBlobBlock = (slotPages * SLOT_PAGE_BYTES) / BLOCK_BYTES;
  // The header occupies the space of the first two slots.
  for (let at = DB_HEADER_BYTES; at < slotPages * SLOT_PAGE_BYTES; at += SLOT_BYTES) {
    if (view.getUint32(at, true) !== SLOT_MAGIC) {
      throw new AppError("INVALID_INPUT", `rpm ndb slot at byte ${at} has a bad magic number`);
    }
    const packageIndex = view.getUint32(at + 4, true);
    const blockOffset = view.getUint32(at + 8, true);
    const blockCount = view.getUint32(at + 12, true);
    if (blockOffset === 0) continue; // a free slot

    if (packageIndex === 0 || blockOffset < firstBlobBlock || (blockOffset + blockCount) * BLOCK_BYTES > file.length) {
      blobs.push({ packageIndex, error: `rpm ndb slot for package ${packageIndex} points outside the file (block ${blockOffset}, count ${blockCount})` });
      continue;
    }
    blobs.push(readBlob(file, view, packageIndex, blockOffset, blockCount));
  }
  return blobs;
}

function readBlob(file: Uint8Array, view: DataView, packageIndex: number, blockOffset: number, blockCount: number): NdbBlob {
  const start = blockOffset * BLOCK_BYTES;
  const fail = (reason: string): NdbBlob => ({ packageIndex, error: `rpm ndb blob of package ${packageIndex} ${reason}` });

  if (view.getUint32(start, true) !== BLOB_HEAD_MAGIC) return fail("has a bad head magic number");
  if (view.getUint32(start + 4, true) !== packageIndex) return fail("belongs to another package");
  const length = view.getUint32(start + 12, true);
  if (blockCount !== Math.ceil((BLOB_HEAD_BYTES + length + BLOB_TAIL_BYTES) / BLOCK_BYTES)) {
    return fail(`has length ${length}, which does not fit its ${blockCount} blocks`);
  }

  // The checksum covers the head, the blob and the zero padding before the tail.
  const tailStart = start + blockCount * BLOCK_BYTES - BLOB_TAIL_BYTES;
  if (view.getUint32(tailStart, true) !== adler32(file.subarray(start, tailStart))) return fail("has a bad Adler-32 checksum");
  if (view.getUint32(tailStart + 4, true) !== length) return fail("has a tail length that differs from its head");
  if (view.getUint32(tailStart + 8, true) !== BLOB_TAIL_MAGIC) return fail("has a bad tail magic number");

  return { packageIndex, blob: file.subarray(start + BLOB_HEAD_BYTES, start + BLOB_HEAD_BYTES + length) };
}

/** Adler-32 as defined in RFC 1950, section 8.2. */
function adler32(bytes: Uint8Array): number {
  const modulus = 65521;
  let low = 1;
  let high = 0;
  // Reducing every 5552 bytes, as zlib does, keeps both sums below 2^32.
  for (let chunkStart = 0; chunkStart < bytes.length; chunkStart += 5552) {
    const chunkEnd = Math.min(chunkStart + 5552, bytes.length);
    for (let i = chunkStart; i < chunkEnd; i++) {
      low += bytes[i] as number;
      high += low;
    }
    low %= modulus;
    high %= modulus;
  }
  return ((high << 16) | low) >>> 0;
}

function fourCC(text: string): number {
  return (text.charCodeAt(0) | (text.charCodeAt(1) << 8) | (text.charCodeAt(2) << 16) | (text.charCodeAt(3) << 24)) >>> 0;
}
