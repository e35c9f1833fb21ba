import { gzipSync } from "node:zlib";

/**
 * A tar entry written header field by header field, so a case can declare
 * sizes, types and names that a well-behaved tar writer never produces.
 */
export interface RawTarEntry {
  name: string;
  /** POSIX typeflag: "0" file, "1" hard link, "2" symlink, "5" directory, "x" pax, "L"/"K" GNU long name/link, "S" GNU sparse. */
  type: string;
  content?: Uint8Array | string;
  linkname?: string;
  /** Size written in the header; the content length when absent. */
  declaredSize?: number;
  /** The 12 raw bytes of the size field, overriding `declaredSize` (base-256 sizes, garbage). */
  sizeField?: Uint8Array;
  /** ustar prefix field, joined to the name with a slash by readers. */
  prefix?: string;
  /** Whether the header gets a wrong checksum. */
  badChecksum?: boolean;
}

const BLOCK = 512;
const encoder = new TextEncoder();

/** Writes a tar stream from raw entries, with the two end-of-archive blocks unless `end` is false. */
export function writeRawTar(entries: readonly RawTarEntry[], { end = true } = {}): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const content = typeof entry.content === "string" ? encoder.encode(entry.content) : (entry.content ?? new Uint8Array(0));
    blocks.push(tarHeader(entry, content.length));
    const padded = new Uint8Array(Math.ceil(content.length / BLOCK) * BLOCK);
    padded.set(content);
    blocks.push(padded);
  }
  if (end) blocks.push(new Uint8Array(2 * BLOCK));
  return concat(blocks);
}

function tarHeader(entry: RawTarEntry, contentLength: number): Uint8Array {
  const header = new Uint8Array(BLOCK);
  writeField(header, 0, 100, entry.name);
  writeField(header, 100, 8, "0000644\0");
  writeField(header, 108, 8, "0000000\0");
  writeField(header, 116, 8, "0000000\0");
  if (entry.sizeField) header.set(entry.sizeField.subarray(0, 12), 124);
  else writeField(header, 124, 12, `${(entry.declaredSize ?? contentLength).toString(8).padStart(11, "0")}\0`);
  writeField(header, 136, 12, "14577000000\0");
  writeField(header, 156, 1, entry.type);
  writeField(header, 157, 100, entry.linkname ?? "");
  writeField(header, 257, 8, "ustar\u000000");
  writeField(header, 345, 155, entry.prefix ?? "");

  // The checksum is the byte sum with the checksum field read as eight spaces.
  header.fill(0x20, 148, 156);
  let sum = header.reduce((total, byte) => total + byte, 0);
  if (entry.badChecksum) sum += 1;
  writeField(header, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return header;
}

function writeField(header: Uint8Array, offset: number, length: number, value: string): void {
  header.set(encoder.encode(value).subarray(0, length), offset);
}

/** Builds a 12-byte base-256 size field (GNU extension): 0x80 then the value big-endian, or a negative value with 0xff. */
export function base256SizeField(value: bigint): Uint8Array {
  const field = new Uint8Array(12);
  const negative = value < 0n;
  let rest = negative ? (1n << 88n) + value : value;
  for (let index = 11; index >= 1; index -= 1) {
    field[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  field[0] = negative ? 0xff : 0x80;
  return field;
}

function paxRecords(records: string): Uint8Array {
  return encoder.encode(records);
}

/** Builds a pax record with its correct length prefix (`<length> <key>=<value>\n`). */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length += 1;
  return `${length}${body}`;
}

const STATUS = "Package: fuzz\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n";

/**
 * Tar layers built to break a tar reader or the filesystem merge: absurd pax
 * records, base-256 sizes, GNU long names and sparse entries, link cycles,
 * climbing paths and lying sizes. Each is named for the fault it probes.
 */
export function hostileTarLayers(): { name: string; bytes: Uint8Array; lower?: Uint8Array }[] {
  const statusFile: RawTarEntry = { name: "var/lib/dpkg/status", type: "0", content: STATUS };
  const layers: { name: string; entries: RawTarEntry[]; end?: boolean }[] = [
    { name: "pax-absurd-record-length", entries: [{ name: "PaxHeader", type: "x", content: paxRecords("99999999999999 path=a\n") }, statusFile] },
    { name: "pax-negative-record-length", entries: [{ name: "PaxHeader", type: "x", content: paxRecords("-5 path=x\n") }, statusFile] },
    { name: "pax-zero-record-length", entries: [{ name: "PaxHeader", type: "x", content: paxRecords("0 path=x\n") }, statusFile] },
    { name: "pax-huge-size-record", entries: [{ name: "PaxHeader", type: "x", content: paxRecord("size", "99999999999999999999") }, statusFile] },
    { name: "pax-path-climbs", entries: [{ name: "PaxHeader", type: "x", content: paxRecord("path", "../../../etc/passwd") }, statusFile] },
    { name: "pax-global-header", entries: [{ name: "pax_global_header", type: "g", content: paxRecord("path", "var/lib/dpkg/status") }, statusFile] },
    { name: "pax-declared-1GiB", entries: [{ name: "PaxHeader", type: "x", declaredSize: 1024 ** 3, content: paxRecord("path", "x") }] },
    { name: "base256-size-2^80", entries: [{ ...statusFile, sizeField: base256SizeField(1n << 80n) }] },
    { name: "base256-size-negative", entries: [{ ...statusFile, sizeField: base256SizeField(-1024n) }] },
    { name: "base256-size-exact", entries: [{ ...statusFile, sizeField: base256SizeField(BigInt(STATUS.length)) }] },
    { name: "size-field-garbage", entries: [{ ...statusFile, sizeField: encoder.encode("zzzzzzzzzzz\0") }] },
    { name: "gnu-long-name", entries: [{ name: "././@LongLink", type: "L", content: `${"d/".repeat(200)}var/lib/dpkg/status\0` }, statusFile] },
    { name: "gnu-long-name-declared-1GiB", entries: [{ name: "././@LongLink", type: "L", declaredSize: 1024 ** 3, content: "a" }] },
    { name: "gnu-long-link-to-self", entries: [{ name: "././@LongLink", type: "K", content: "var/lib/dpkg/status\0" }, { name: "var/lib/dpkg/status", type: "1" }] },
    { name: "gnu-sparse-entry", entries: [{ name: "var/lib/dpkg/status", type: "S", content: STATUS, declaredSize: 1024 ** 2 }] },
    { name: "symlink-cycle", entries: [{ name: "a", type: "2", linkname: "b" }, { name: "b", type: "2", linkname: "a" }, { name: "a/var/lib/dpkg/status", type: "0", content: STATUS }] },
    { name: "symlink-self-directory", entries: [{ name: "var/lib/dpkg", type: "2", linkname: "dpkg" }, statusFile] },
    { name: "symlink-chain-100", entries: [...Array.from({ length: 100 }, (_, index) => ({ name: `l${index}`, type: "2", linkname: `l${index + 1}` })), { name: "l100", type: "2", linkname: "/var/lib/dpkg" }, statusFile] },
    { name: "symlink-to-root-dotdot", entries: [{ name: "var/lib/dpkg", type: "2", linkname: "../../../../../.." }, statusFile] },
    { name: "symlink-expanding", entries: [{ name: "x", type: "2", linkname: "x/x/x/x/x/x/x/x/x/x" }, { name: "x/etc/os-release", type: "0", content: "ID=x\n" }] },
    { name: "hardlink-to-self", entries: [{ name: "var/lib/dpkg/status", type: "1", linkname: "var/lib/dpkg/status" }] },
    { name: "hardlink-cycle", entries: [{ name: "etc/os-release", type: "1", linkname: "usr/lib/os-release" }, { name: "usr/lib/os-release", type: "1", linkname: "etc/os-release" }] },
    { name: "hardlink-forward", entries: [{ name: "etc/os-release", type: "1", linkname: "usr/lib/os-release" }, { name: "usr/lib/os-release", type: "0", content: "ID=debian\n" }] },
    { name: "hardlink-climbs", entries: [{ name: "etc/os-release", type: "1", linkname: "../../etc/shadow" }] },
    { name: "hardlink-to-symlink-cycle", entries: [{ name: "a", type: "2", linkname: "a" }, { name: "etc/os-release", type: "1", linkname: "a" }] },
    { name: "whiteout-dotdot", entries: [{ name: "etc/.wh..", type: "0" }, statusFile] },
    { name: "whiteout-empty-name", entries: [{ name: ".wh.", type: "0" }, statusFile] },
    { name: "whiteout-dot", entries: [{ name: "var/.wh..", type: "0" }, { name: "var/lib/.wh..wh..opq", type: "0" }, statusFile] },
    { name: "path-climbs", entries: [{ name: "../../etc/passwd", type: "0", content: "x" }, { name: "/../var/lib/dpkg/status", type: "0", content: STATUS }] },
    { name: "nul-in-name", entries: [{ name: "var/lib/dpkg/status\0.evil", type: "0", content: STATUS }] },
    { name: "ustar-prefix", entries: [{ name: "status", prefix: "var/lib/dpkg", type: "0", content: STATUS }] },
    { name: "bad-checksum", entries: [{ ...statusFile, badChecksum: true }] },
    { name: "no-end-blocks", entries: [statusFile], end: false },
    { name: "size-lies-long", entries: [{ ...statusFile, declaredSize: 20 * 1024 * 1024 }], end: false },
    { name: "unknown-typeflag", entries: [{ name: "var/lib/dpkg/status", type: "Z", content: STATUS }, statusFile] },
    { name: "duplicate-paths", entries: Array.from({ length: 2000 }, () => statusFile) },
    { name: "many-empty-entries", entries: Array.from({ length: 20_000 }, (_, index) => ({ name: `d/${index}`, type: "0" })) },
    { name: "device-and-fifo", entries: [{ name: "dev/null", type: "3" }, { name: "fifo", type: "6" }, statusFile] },
  ];
  return [
    ...layers.map(({ name, entries, end }) => ({ name, bytes: writeRawTar(entries, { end: end ?? true }) })),
    whiteoutsOverSymlinks(50_000),
    { name: "1000-deep-symlinks", bytes: deepSymlinks(1000, 2040) },
    { name: "symlink-path-100k-deep", bytes: deepSymlinks(1, 100_000) },
  ];
}

/** Symlinks whose paths, set by pax records, are `depth` directories deep, which made each path lookup quadratic. */
function deepSymlinks(count: number, depth: number): Uint8Array {
  const directory = "a/".repeat(depth);
  const entries: RawTarEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    entries.push({ name: "PaxHeader", type: "x", content: paxRecord("path", `${directory}l${index}`) });
    entries.push({ name: `l${index}`, type: "2", linkname: `../${"b/".repeat(40)}` });
  }
  return writeRawTar(entries);
}

/**
 * A layer of `count` symlinks, each in its own directory, and a layer above
 * that deletes every one of those directories, which made a merge that
 * scanned every path per whiteout quadratic.
 */
function whiteoutsOverSymlinks(count: number): { name: string; bytes: Uint8Array; lower: Uint8Array } {
  const directories = Array.from({ length: count }, (_, index) => `d/${index}`);
  return {
    name: `whiteouts-over-${count}-symlinks`,
    lower: writeRawTar(directories.map((directory) => ({ name: `${directory}/link`, type: "2", linkname: "target" }))),
    bytes: writeRawTar(directories.map((directory) => ({ name: directory.replace(/\/(\d+)$/, "/.wh.$1"), type: "0" }))),
  };
}

/**
 * Compressed streams built to break a decompressor: bombs, truncation,
 * trailing garbage, wrong checksums and zstd frames declaring absurd sizes.
 */
export function hostileCompressedLayers(innerTar: Uint8Array): { name: string; bytes: Uint8Array }[] {
  const gzipped = gzipSync(innerTar);
  const badCrc = gzipped.slice();
  badCrc[badCrc.length - 8]! ^= 0xff;
  const badLength = gzipped.slice();
  badLength[badLength.length - 1]! ^= 0xff;

  return [
    { name: "gzip-bomb-multi-member", bytes: gzipBomb() },
    { name: "gzip-trailing-garbage", bytes: concat([gzipped, encoder.encode("garbage after the gzip member")]) },
    { name: "gzip-second-member-truncated", bytes: concat([gzipped, gzipped.subarray(0, 20)]) },
    { name: "gzip-bad-crc", bytes: badCrc },
    { name: "gzip-bad-length", bytes: badLength },
    { name: "gzip-header-only", bytes: gzipped.subarray(0, 10) },
    { name: "gzip-magic-only", bytes: Uint8Array.of(0x1f, 0x8b) },
    { name: "zstd-rle-bomb", bytes: zstdRleBomb() },
    { name: "zstd-magic-only", bytes: Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd) },
    { name: "zstd-huge-content-size", bytes: zstdFrameHeader({ contentSize: 0xffffffffffffffffn }) },
    { name: "zstd-huge-window", bytes: concat([zstdFrameHeader({ windowDescriptor: 0xff }), zstdBlock(1, true, 10, 0)]) },
    { name: "zstd-block-over-window", bytes: concat([zstdFrameHeader({ windowDescriptor: 0x00 }), zstdBlock(1, true, (1 << 21) - 1, 0)]) },
    { name: "zstd-reserved-block-type", bytes: concat([zstdFrameHeader({ windowDescriptor: 0x38 }), zstdBlock(3, true, 16, 0)]) },
    { name: "zstd-skippable-frame-huge", bytes: concat([Uint8Array.of(0x50, 0x2a, 0x4d, 0x18, 0xff, 0xff, 0xff, 0x7f), new Uint8Array(64)]) },
    { name: "zstd-raw-block-truncated", bytes: concat([zstdFrameHeader({ windowDescriptor: 0x38 }), zstdBlockHeader(0, true, 100_000), innerTar.subarray(0, 100)]) },
  ];
}

/** 160 gzip members of 64 MiB of zeros each: about 10 MiB that inflates to 10 GiB. */
function gzipBomb(): Uint8Array {
  const member = gzipSync(new Uint8Array(64 * 1024 * 1024), { level: 9 });
  return concat(Array.from({ length: 160 }, () => member));
}

/**
 * A tar header declaring an 8 GiB file, then zstd RLE blocks of zeros for its
 * content: 4 compressed bytes per 128 KiB, so 512 KiB inflate to 16 GiB.
 */
function zstdRleBomb(): Uint8Array {
  const header = writeRawTar([{ name: "big", type: "0", sizeField: base256SizeField(8n * 1024n ** 3n) }], { end: false }).subarray(0, BLOCK);
  const blocks: Uint8Array[] = [zstdFrameHeader({ windowDescriptor: 0x38 }), zstdBlockHeader(0, false, BLOCK), header];
  for (let index = 0; index < 128 * 1024; index += 1) blocks.push(zstdBlock(1, index === 128 * 1024 - 1, 128 * 1024, 0));
  return concat(blocks);
}

/** A zstd frame header (RFC 8878, 3.1.1.1) with a window descriptor, or a single segment with an 8-byte content size. */
function zstdFrameHeader({ windowDescriptor, contentSize }: { windowDescriptor?: number; contentSize?: bigint }): Uint8Array {
  const magic = [0x28, 0xb5, 0x2f, 0xfd];
  if (contentSize !== undefined) {
    const size = new Uint8Array(8);
    new DataView(size.buffer).setBigUint64(0, contentSize, true);
    // Frame_Header_Descriptor: 8-byte Frame_Content_Size, Single_Segment set.
    return Uint8Array.from([...magic, 0xe0, ...size]);
  }
  return Uint8Array.from([...magic, 0x00, windowDescriptor ?? 0x38]);
}

function zstdBlockHeader(type: number, last: boolean, size: number): Uint8Array {
  const value = (last ? 1 : 0) | (type << 1) | (size << 3);
  return Uint8Array.of(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff);
}

function zstdBlock(type: number, last: boolean, size: number, byte: number): Uint8Array {
  return concat([zstdBlockHeader(type, last, size), Uint8Array.of(byte)]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
