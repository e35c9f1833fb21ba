import { elfSectionData, elfWritableSegments, readElfAddress, type ElfFile } from "@/lib/analysis/catalogers/go-binary-elf";
import { AppError } from "@/lib/errors";
import { decodeUtf8 } from "@/lib/analysis/utf8";

/**
 * Reader for the build information the Go linker embeds in every binary built
 * in module mode. Layout from Go's `debug/buildinfo` package:
 * a 32-byte header starting with "\xff Go buildinf:", aligned to 16 bytes, with
 * the pointer size at byte 14 and flags at byte 15. Go 1.18+ stores the
 * version and module text inline after the header as varint-prefixed strings;
 * older releases store two pointers to Go string headers instead.
 */

const MAGIC = Uint8Array.from("\xff Go buildinf:", (char) => char.charCodeAt(0));
const HEADER_BYTES = 32;
const ALIGNMENT = 16;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE_STRINGS = 0x2;
// The module text of a large program is tens of KiB; a longer string means a corrupt length.
const MAX_STRING_BYTES = 16 * 1024 * 1024;

export interface GoModule {
  path: string;
  version: string;
  /** The module that a `replace` directive substituted, if any. */
  replacement: GoModule | null;
}

export interface GoBuildInfo {
  /** The toolchain version, e.g. "go1.22.1", without GOEXPERIMENT suffixes. */
  goVersion: string;
  /** The main package path, e.g. "github.com/acme/tool/cmd/tool" or "command-line-arguments". */
  path: string | null;
  main: GoModule | null;
  dependencies: GoModule[];
  /** `build` lines: "-ldflags", "vcs.revision", "GOOS" … */
  settings: Map<string, string>;
}

/** Reads the build info of a Go binary; returns null when the file has none, throws `AppError` when it is corrupt. */
export function readGoBuildInfo(elf: ElfFile): GoBuildInfo | null {
  const block = findBuildInfoBlock(elf);
  if (block === null) return null;

  const pointerSize = block[14] as number;
  const flags = block[15] as number;
  let version: Uint8Array;
  let modules: Uint8Array;
  if ((flags & FLAG_INLINE_STRINGS) !== 0) {
    const reader = { bytes: block, offset: HEADER_BYTES };
    version = readVarintString(reader);
    modules = readVarintString(reader);
  } else {
    if (pointerSize !== 4 && pointerSize !== 8) {
      throw new AppError("INVALID_INPUT", `Go build info has an invalid pointer size ${pointerSize}`);
    }
    const littleEndian = (flags & FLAG_BIG_ENDIAN) === 0;
    version = readGoString(elf, readPointer(block, 16, pointerSize, littleEndian), pointerSize, littleEndian);
    modules = readGoString(elf, readPointer(block, 16 + pointerSize, pointerSize, littleEndian), pointerSize, littleEndian);
  }

  const goVersion = decodeUtf8(version).split(" ")[0] ?? "";
  if (!goVersion.startsWith("go") && !goVersion.startsWith("devel")) {
    throw new AppError("INVALID_INPUT", `Go build info has an invalid toolchain version "${goVersion.slice(0, 40)}"`);
  }
  return { goVersion, ...parseModuleInfo(stripSentinels(modules)) };
}

/** Returns the build info block: the `.go.buildinfo` section, else the magic found in a writable segment. */
function findBuildInfoBlock(elf: ElfFile): Uint8Array | null {
  const section = elfSectionData(elf, ".go.buildinfo");
  const candidates = section ? [section] : elfWritableSegments(elf);
  for (const data of candidates) {
    // Buffer's native search finds the magic; the block starts only at an aligned match.
    const haystack = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (let offset = haystack.indexOf(MAGIC); offset >= 0 && offset + HEADER_BYTES <= data.length; offset = haystack.indexOf(MAGIC, offset + 1)) {
      if (offset % ALIGNMENT === 0) return data.subarray(offset);
    }
  }
  return null;
}

function readPointer(block: Uint8Array, offset: number, pointerSize: number, littleEndian: boolean): number {
  if (offset + pointerSize > block.length) {
    throw new AppError("INVALID_INPUT", "Go build info header is truncated");
  }
  const view = new DataView(block.buffer, block.byteOffset + offset, pointerSize);
  if (pointerSize === 4) return view.getUint32(0, littleEndian);
  const pointer = view.getBigUint64(0, littleEndian);
  if (pointer > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new AppError("INVALID_INPUT", `Go build info has an invalid pointer 0x${pointer.toString(16)}`);
  }
  return Number(pointer);
}

/** Reads a Go string header (data pointer, length) at an address, then its bytes. */
function readGoString(elf: ElfFile, address: number, pointerSize: number, littleEndian: boolean): Uint8Array {
  const header = readElfAddress(elf, address, pointerSize * 2);
  const dataAddress = readPointer(header, 0, pointerSize, littleEndian);
  const length = readPointer(header, pointerSize, pointerSize, littleEndian);
  if (length > MAX_STRING_BYTES) {
    throw new AppError("INVALID_INPUT", `Go build info string length ${length} is implausible`);
  }
  return length === 0 ? new Uint8Array() : readElfAddress(elf, dataAddress, length);
}

function readVarintString(reader: { bytes: Uint8Array; offset: number }): Uint8Array {
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = reader.bytes[reader.offset++];
    if (byte === undefined || shift > 28) {
      throw new AppError("INVALID_INPUT", "Go build info has a truncated or invalid string length");
    }
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  if (length > MAX_STRING_BYTES || reader.offset + length > reader.bytes.length) {
    throw new AppError("INVALID_INPUT", `Go build info string of ${length} bytes runs past the end of the data`);
  }
  const value = reader.bytes.subarray(reader.offset, reader.offset + length);
  reader.offset += length;
  return value;
}

/** Strips the two 16-byte sentinels that wrap the module text, with the same test as `debug/buildinfo`. */
function stripSentinels(modules: Uint8Array): string {
  const wrapped = modules.length >= 33 && modules[modules.length - 17] === 0x0a;
  return decodeUtf8(wrapped ? modules.subarray(16, modules.length - 16) : modules);
}

/** Parses the module text: `path`, `mod`, `dep`, `=>` (replacement of the line before) and `build` lines, tab-separated. */
export function parseModuleInfo(text: string): Omit<GoBuildInfo, "goVersion"> {
  const info: Omit<GoBuildInfo, "goVersion"> = { path: null, main: null, dependencies: [], settings: new Map() };
  let last: GoModule | null = null;

  for (const [index, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const [kind = "", ...fields] = line.split("\t");
    const invalid = () => new AppError("INVALID_INPUT", `Go build info line ${index + 1} is invalid: "${line.slice(0, 120)}"`);

    switch (kind) {
      case "path":
        info.path = fields[0] ?? null;
        break;
      case "mod":
      case "dep": {
        const [path, version = ""] = fields;
        if (!path) throw invalid();
        last = { path, version, replacement: null };
        if (kind === "mod") info.main = last;
        else info.dependencies.push(last);
        break;
      }
      case "=>": {
        const [path, version = ""] = fields;
        if (!path || last === null) throw invalid();
        last.replacement = { path, version, replacement: null };
        break;
      }
      case "build": {
        const setting = fields.join("\t");
        const equals = setting.indexOf("=");
        if (equals <= 0) throw invalid();
        info.settings.set(unquote(setting.slice(0, equals)), unquote(setting.slice(equals + 1)));
        break;
      }
      default:
        // Go's own parser rejects unknown lines too, but newer toolchains may add kinds, so they are skipped.
        break;
    }
  }
  return info;
}

/** Undoes the `strconv.Quote` that Go applies to keys and values with spaces, quotes or `=`. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "string" ? parsed : value;
  } catch {
    return value;
  }
}
