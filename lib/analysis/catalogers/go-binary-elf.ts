import { decodeUtf8 } from "@/lib/analysis/utf8";
import { AppError } from "@/lib/errors";

/**
 * A minimal ELF reader for the binary catalogers (Go build info, Rust
 * `cargo auditable` data): section and program headers and the bytes behind
 * them, for 32- and 64-bit files of either byte order. Field offsets follow
 * the System V ABI's ELF specification (`elf(5)`).
 */

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

const SECTION_TYPE_NOBITS = 8;
const SEGMENT_TYPE_LOAD = 1;
const SEGMENT_FLAG_WRITE = 0x2;

export interface ElfSection {
  name: string;
  type: number;
  address: number;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  address: number;
  fileSize: number;
}

export interface ElfFile {
  bytes: Uint8Array;
  is64Bit: boolean;
  littleEndian: boolean;
  sections: ElfSection[];
  segments: ElfSegment[];
}

export function hasElfMagic(bytes: Uint8Array): boolean {
  return ELF_MAGIC.every((byte, index) => bytes[index] === byte);
}

/**
 * Parsed header tables by file content. The Go and Rust catalogers receive the
 * same array for each executable, so the second reuses the first's parse (or
 * its error) instead of reading every section header again.
 */
const parsedFiles = new WeakMap<Uint8Array, { elf: ElfFile } | { error: unknown }>();

/** Parses the header tables of an ELF file; throws `AppError` when they are malformed or outside the file. */
export function readElfFile(bytes: Uint8Array): ElfFile {
  let parsed = parsedFiles.get(bytes);
  if (parsed === undefined) {
    try {
      parsed = { elf: parseElfFile(bytes) };
    } catch (error) {
      parsed = { error };
    }
    parsedFiles.set(bytes, parsed);
  }
  if ("error" in parsed) throw parsed.error;
  return parsed.elf;
}

function parseElfFile(bytes: Uint8Array): ElfFile {
  if (bytes.length < 52 || !hasElfMagic(bytes)) {
    throw new AppError("INVALID_INPUT", "file is not an ELF file");
  }
  const elfClass = bytes[4];
  const elfData = bytes[5];
  if ((elfClass !== 1 && elfClass !== 2) || (elfData !== 1 && elfData !== 2)) {
    throw new AppError("INVALID_INPUT", `ELF file has an invalid class ${elfClass} or byte order ${elfData}`);
  }
  const is64Bit = elfClass === 2;
  const littleEndian = elfData === 1;
  const reader = new FieldReader(bytes, littleEndian, is64Bit);
  if (is64Bit && bytes.length < 64) {
    throw new AppError("INVALID_INPUT", "ELF header is truncated");
  }

  // e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum and e_shstrndx, by class.
  const header = is64Bit
    ? { programOffset: reader.word(32), sectionOffset: reader.word(40), programEntry: reader.u16(54), programCount: reader.u16(56), sectionEntry: reader.u16(58), sectionCount: reader.u16(60), namesIndex: reader.u16(62) }
    : { programOffset: reader.word(28), sectionOffset: reader.word(32), programEntry: reader.u16(42), programCount: reader.u16(44), sectionEntry: reader.u16(46), sectionCount: reader.u16(48), namesIndex: reader.u16(50) };

  const segments: ElfSegment[] = [];
  for (let index = 0; index < header.programCount; index++) {
    const at = header.programOffset + index * header.programEntry;
    reader.requireRange(at, is64Bit ? 56 : 32, "program header");
    segments.push(
      is64Bit
        ? { type: reader.u32(at), flags: reader.u32(at + 4), offset: reader.word(at + 8), address: reader.word(at + 16), fileSize: reader.word(at + 32) }
        : { type: reader.u32(at), offset: reader.word(at + 4), address: reader.word(at + 8), fileSize: reader.word(at + 16), flags: reader.u32(at + 24) },
    );
  }

  const rawSections: Array<Omit<ElfSection, "name"> & { nameOffset: number }> = [];
  for (let index = 0; index < header.sectionCount; index++) {
    const at = header.sectionOffset + index * header.sectionEntry;
    reader.requireRange(at, is64Bit ? 64 : 40, "section header");
    rawSections.push(
      is64Bit
        ? { nameOffset: reader.u32(at), type: reader.u32(at + 4), address: reader.word(at + 16), offset: reader.word(at + 24), size: reader.word(at + 32) }
        : { nameOffset: reader.u32(at), type: reader.u32(at + 4), address: reader.word(at + 12), offset: reader.word(at + 16), size: reader.word(at + 20) },
    );
  }

  const names = rawSections[header.namesIndex];
  if (names && names.offset + names.size > bytes.length) {
    throw new AppError("INVALID_INPUT", `ELF section name table at offset ${names.offset} lies outside the file`);
  }
  // A plain loop: the object rest and spread of a map() cost more than the rest of the parse on cold code.
  const sections: ElfSection[] = [];
  for (const { nameOffset, type, address, offset, size } of rawSections) {
    const name = names ? sectionName(bytes, names.offset + nameOffset, names.offset + names.size) : "";
    sections.push({ name, type, address, offset, size });
  }
  return { bytes, is64Bit, littleEndian, sections, segments };
}

/** Returns the file bytes of a named section, or null when the file has no such section with contents. */
export function elfSectionData(elf: ElfFile, name: string): Uint8Array | null {
  const section = elf.sections.find((candidate) => candidate.name === name);
  if (!section || section.type === SECTION_TYPE_NOBITS) return null;
  if (section.offset + section.size > elf.bytes.length) {
    throw new AppError("INVALID_INPUT", `ELF section ${name} lies outside the file`);
  }
  return elf.bytes.subarray(section.offset, section.offset + section.size);
}

/** Returns the file bytes of the writable loadable segments, where Go's linker places its data. */
export function elfWritableSegments(elf: ElfFile): Uint8Array[] {
  return elf.segments
    .filter((segment) => segment.type === SEGMENT_TYPE_LOAD && (segment.flags & SEGMENT_FLAG_WRITE) !== 0)
    .map((segment) => fileRange(elf, segment.offset, segment.fileSize));
}

/** Reads `length` bytes at a virtual address, through the loadable segment or section that maps it. */
export function readElfAddress(elf: ElfFile, address: number, length: number): Uint8Array {
  for (const segment of elf.segments) {
    if (segment.type !== SEGMENT_TYPE_LOAD) continue;
    if (address >= segment.address && address + length <= segment.address + segment.fileSize) {
      return fileRange(elf, segment.offset + (address - segment.address), length);
    }
  }
  for (const section of elf.sections) {
    if (section.type === SECTION_TYPE_NOBITS || section.address === 0) continue;
    if (address >= section.address && address + length <= section.address + section.size) {
      return fileRange(elf, section.offset + (address - section.address), length);
    }
  }
  throw new AppError("INVALID_INPUT", `ELF file maps no data at address 0x${address.toString(16)}`);
}

function fileRange(elf: ElfFile, offset: number, length: number): Uint8Array {
  if (offset + length > elf.bytes.length) {
    throw new AppError("INVALID_INPUT", `ELF data at offset ${offset} lies outside the file`);
  }
  return elf.bytes.subarray(offset, offset + length);
}

function sectionName(bytes: Uint8Array, start: number, end: number): string {
  if (start >= end || end > bytes.length) return "";
  const terminator = bytes.subarray(start, end).indexOf(0);
  return decodeUtf8(bytes.subarray(start, terminator < 0 ? end : start + terminator));
}

class FieldReader {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly littleEndian: boolean,
    private readonly is64Bit: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u16(at: number): number {
    return this.view.getUint16(at, this.littleEndian);
  }

  u32(at: number): number {
    return this.view.getUint32(at, this.littleEndian);
  }

  /** Reads an address or offset, which is 8 bytes long in 64-bit files and 4 in 32-bit ones. */
  word(at: number): number {
    if (!this.is64Bit) return this.u32(at);
    const value = this.view.getBigUint64(at, this.littleEndian);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new AppError("INVALID_INPUT", `ELF field at offset ${at} is out of range`);
    }
    return Number(value);
  }

  requireRange(at: number, length: number, structure: string) {
    if (at + length > this.bytes.length) {
      throw new AppError("INVALID_INPUT", `ELF ${structure} at offset ${at} lies outside the file`);
    }
  }
}
