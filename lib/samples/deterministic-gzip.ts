import { constants, crc32, deflateRawSync } from "node:zlib";

/**
 * Source of the deflate stream inside the gzip member.
 * - `zlib`: node:zlib at level 9. The bytes are the same on every run of one
 *   Node build, but Node bundles Chromium's zlib, whose output differs from
 *   canonical zlib 1.2.13 and may change with the Node version or the CPU.
 * - `stored`: stored (uncompressed) deflate blocks written here, so the bytes
 *   are the same on every machine and Node version.
 */
export type DeflateMethod = "zlib" | "stored";

// RFC 1952 member header: magic, CM=8 (deflate), no flags, MTIME=0 (none),
// XFL (set per method below), OS=255 (unknown) so the bytes do not name the
// operating system that wrote them.
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
const XFL_OFFSET = 8;
// XFL=2 marks that the maximum compression level was used.
const XFL_MAX_COMPRESSION = 2;

// RFC 1951 limits a stored block to 65535 bytes.
const MAX_STORED_BLOCK = 0xffff;

/** Compresses `data` into one gzip member without a timestamp or file name. */
export function gzipDeterministic(data: Uint8Array, method: DeflateMethod = "zlib"): Uint8Array {
  const deflated =
    method === "stored"
      ? deflateStored(data)
      : deflateRawSync(data, {
          level: 9,
          windowBits: 15,
          memLevel: 8,
          strategy: constants.Z_DEFAULT_STRATEGY,
        });

  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc32(data), true);
  // ISIZE is the input length modulo 2^32.
  view.setUint32(4, data.byteLength % 2 ** 32, true);

  const member = new Uint8Array(GZIP_HEADER.length + deflated.byteLength + trailer.length);
  member.set(GZIP_HEADER, 0);
  if (method === "zlib") member[XFL_OFFSET] = XFL_MAX_COMPRESSION;
  member.set(deflated, GZIP_HEADER.length);
  member.set(trailer, GZIP_HEADER.length + deflated.byteLength);
  return member;
}

function deflateStored(data: Uint8Array): Uint8Array {
  const blockCount = Math.max(1, Math.ceil(data.byteLength / MAX_STORED_BLOCK));
  const output = new Uint8Array(data.byteLength + blockCount * 5);
  const view = new DataView(output.buffer);
  let offset = 0;

  for (let block = 0; block < blockCount; block++) {
    const start = block * MAX_STORED_BLOCK;
    const length = Math.min(MAX_STORED_BLOCK, data.byteLength - start);
    const isFinal = block === blockCount - 1;

    // BFINAL in bit 0 and BTYPE=00 (stored); the rest of the byte is padding.
    output[offset] = isFinal ? 1 : 0;
    view.setUint16(offset + 1, length, true);
    view.setUint16(offset + 3, ~length & 0xffff, true);
    output.set(data.subarray(start, start + length), offset + 5);
    offset += 5 + length;
  }

  return output;
}
