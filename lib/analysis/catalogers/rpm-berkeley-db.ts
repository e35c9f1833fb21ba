import { AppError } from "@/lib/errors";

/**
 * Reader for the Berkeley DB hash database that rpm before 4.16 keeps in
 * `/var/lib/rpm/Packages`: every value stored in the file, found by walking
 * all hash pages rather than the bucket chains. The file is a metadata page,
 * then pages that each start with a 26-byte header. The layouts are Berkeley
 * DB's `dbinc/db_page.h`, as knqyf263/go-rpmdb's `pkg/bdb` documents them.
 */

const HASH_MAGIC = 0x061561;
const PAGE_HEADER_BYTES = 26;

const PAGE_TYPE = {
  HASH_UNSORTED: 2,
  OVERFLOW: 7,
  HASH_META: 8,
  HASH: 13,
} as const;

const ITEM_TYPE = {
  KEYDATA: 1,
  OFFPAGE: 3,
} as const;

// The metadata page's fields, as byte offsets.
const META = { magic: 12, pageSize: 20, encryption: 24, pageType: 25 } as const;
// A page header's fields, as byte offsets.
const PAGE = { nextPage: 16, entries: 20, freeAreaOffset: 22, pageType: 25 } as const;

/** A stored value, or the reason it could not be read. */
export type BerkeleyDbValue = { key: number | null; value: Uint8Array } | { key: number | null; error: string };

/** Reads every key/value pair of a Berkeley DB hash file; throws `AppError` when the file itself cannot be read. */
export function readBerkeleyDbHashValues(file: Uint8Array): BerkeleyDbValue[] {
  if (file.length < 512) {
    throw new AppError("INVALID_INPUT", `Berkeley DB file is truncated: ${file.length} bytes`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);

  // Berkeley DB writes in the byte order of the machine that created the file, and the magic number shows which.
  let littleEndian = true;
  if (view.getUint32(META.magic, true) !== HASH_MAGIC) {
    if (view.getUint32(META.magic, false) !== HASH_MAGIC) {
      throw new AppError("INVALID_INPUT", "file is not a Berkeley DB hash database (bad magic number)");
    }
    littleEndian = false;
  }
  if (view.getUint8(META.pageType) !== PAGE_TYPE.HASH_META) {
    throw new AppError("INVALID_INPUT", `Berkeley DB metadata page has type ${view.getUint8(META.pageType)}, expected a hash metadata page`);
  }
  if (view.getUint8(META.encryption) !== 0) {
    throw new AppError("INVALID_INPUT", "Berkeley DB file is encrypted, which is not supported");
  }
  const pageSize = view.getUint32(META.pageSize, littleEndian);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new AppError("INVALID_INPUT", `Berkeley DB page size ${pageSize} is invalid`);
  }

  const reader = new PageReader(file, view, pageSize, littleEndian);
  const values: BerkeleyDbValue[] = [];
  for (let pageNumber = 1; pageNumber < reader.pageCount; pageNumber++) {
    const type = reader.pageType(pageNumber);
    if (type === PAGE_TYPE.HASH || type === PAGE_TYPE.HASH_UNSORTED) {
      values.push(...reader.hashPageValues(pageNumber));
    }
  }
  return values;
}

class PageReader {
  readonly pageCount: number;

  constructor(
    private readonly file: Uint8Array,
    private readonly view: DataView,
    private readonly pageSize: number,
    private readonly littleEndian: boolean,
  ) {
    this.pageCount = Math.floor(file.length / pageSize);
  }

  pageType(pageNumber: number): number {
    return this.view.getUint8(pageNumber * this.pageSize + PAGE.pageType);
  }

  /** Returns the values of one hash page, whose items come in key/data pairs. */
  hashPageValues(pageNumber: number): BerkeleyDbValue[] {
    const pageStart = pageNumber * this.pageSize;
    const entries = this.view.getUint16(pageStart + PAGE.entries, this.littleEndian);
    if (PAGE_HEADER_BYTES + entries * 2 > this.pageSize) {
      return [{ key: null, error: `Berkeley DB page ${pageNumber} lists ${entries} items, more than fit in a page` }];
    }

    const values: BerkeleyDbValue[] = [];
    for (let index = 0; index + 1 < entries; index += 2) {
      const keyItem = this.item(pageNumber, index);
      const key = keyItem?.[0] === ITEM_TYPE.KEYDATA && keyItem.length === 5 ? this.keyNumber(keyItem) : null;
      try {
        values.push({ key, value: this.dataItemValue(pageNumber, index + 1) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        values.push({ key, error: error.message });
      }
    }
    return values;
  }

  private keyNumber(keyItem: Uint8Array): number {
    return new DataView(keyItem.buffer, keyItem.byteOffset + 1, 4).getUint32(0, this.littleEndian);
  }

  /** Returns the bytes of item `index`, type byte included. Items are packed from the page's end downwards. */
  private item(pageNumber: number, index: number): Uint8Array | null {
    const pageStart = pageNumber * this.pageSize;
    const offset = this.view.getUint16(pageStart + PAGE_HEADER_BYTES + index * 2, this.littleEndian);
    const end = index === 0 ? this.pageSize : this.view.getUint16(pageStart + PAGE_HEADER_BYTES + (index - 1) * 2, this.littleEndian);
    if (offset < PAGE_HEADER_BYTES || offset >= end || end > this.pageSize) return null;
    return this.file.subarray(pageStart + offset, pageStart + end);
  }

  private dataItemValue(pageNumber: number, index: number): Uint8Array {
    const item = this.item(pageNumber, index);
    if (!item) {
      throw new AppError("INVALID_INPUT", `Berkeley DB page ${pageNumber} item ${index} has an invalid offset`);
    }
    if (item[0] === ITEM_TYPE.KEYDATA) return item.subarray(1);
    if (item[0] !== ITEM_TYPE.OFFPAGE || item.length < 12) {
      throw new AppError("INVALID_INPUT", `Berkeley DB page ${pageNumber} item ${index} has unsupported type ${item[0]}`);
    }

    // An off-page item: 1 type byte, 3 unused bytes, the first overflow page number, the total length.
    const itemView = new DataView(item.buffer, item.byteOffset, item.byteLength);
    return this.overflowValue(itemView.getUint32(4, this.littleEndian), itemView.getUint32(8, this.littleEndian));
  }

  /** Concatenates a chain of overflow pages. Each page stores its used byte count in the free-area-offset field. */
  private overflowValue(firstPage: number, totalLength: number): Uint8Array {
    const maxPerPage = this.pageSize - PAGE_HEADER_BYTES;
    if (totalLength > this.pageCount * maxPerPage) {
      throw new AppError("INVALID_INPUT", `Berkeley DB value length ${totalLength} exceeds the file size`);
    }

    const value = new Uint8Array(totalLength);
    let filled = 0;
    let pageNumber = firstPage;
    const visited = new Set<number>();
    while (filled < totalLength) {
      if (pageNumber === 0 || pageNumber >= this.pageCount || visited.has(pageNumber)) {
        throw new AppError("INVALID_INPUT", `Berkeley DB overflow chain is broken at page ${pageNumber} after ${filled} of ${totalLength} bytes`);
      }
      visited.add(pageNumber);
      if (this.pageType(pageNumber) !== PAGE_TYPE.OVERFLOW) {
        throw new AppError("INVALID_INPUT", `Berkeley DB page ${pageNumber} has type ${this.pageType(pageNumber)}, expected an overflow page`);
      }

      const pageStart = pageNumber * this.pageSize;
      const used = Math.min(this.view.getUint16(pageStart + PAGE.freeAreaOffset, this.littleEndian), maxPerPage, totalLength - filled);
      value.set(this.file.subarray(pageStart + PAGE_HEADER_BYTES, pageStart + PAGE_HEADER_BYTES + used), filled);
      filled += used;
      if (used === 0) {
        throw new AppError("INVALID_INPUT", `Berkeley DB overflow page ${pageNumber} is empty`);
      }
      pageNumber = this.view.getUint32(pageStart + PAGE.nextPage, this.littleEndian);
    }
    return value;
  }
}
