import { createHash, type Hash } from "node:crypto";
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";

import { Decompress as ZstdDecompress } from "fzstd";

import { TarFormatError, TarReader, type TarContentSink, type TarEntry } from "@/lib/analysis/tar-reader";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

/** Default cap on a layer's uncompressed tar size, in bytes (8 GiB). */
export const DEFAULT_MAX_UNCOMPRESSED_LAYER_BYTES = 8 * 1024 ** 3;

/**
 * Output chunk size of the gzip decoder, in bytes. Node's default of 16 KiB
 * makes four times as many chunks pass through the tar parser.
 */
export const GUNZIP_CHUNK_BYTES = 256 * 1024;

/** Compressed bytes handed to the zstd decoder per call, so one call's output stays bounded. */
const ZSTD_PUSH_BYTES = 16 * 1024;

/** A tar entry the reader skipped, with the entry's path as written in the archive. */
export interface LayerProblem {
  path: string;
  message: string;
}

/** The files, symlinks and deletions one layer contributes to the image filesystem, cacheable by layer digest. */
export interface LayerContents {
  digest: string;
  /** Requested regular files: absolute normalised path → content. */
  files: Map<string, Uint8Array>;
  /** Every symbolic link in the layer: absolute normalised path → target as written. */
  symlinks: Map<string, string>;
  /**
   * Paths this layer deletes from lower layers: those of `.wh.NAME` entries,
   * and those of requested files over their size cap, which replace a lower
   * layer's copy with content that was not read.
   */
  whiteouts: string[];
  /** Directories whose lower-layer contents `.wh..wh..opq` entries hide. */
  opaqueDirectories: string[];
  problems: LayerProblem[];
  /** Size of the uncompressed tar stream, in bytes. */
  uncompressedBytes: number;
}

export interface ReadLayerOptions {
  /** Expected digest of the compressed blob, `sha256:<hex>` or `sha512:<hex>`. */
  digest: string;
  /** Media type from the manifest; logged only, because the compression is detected from the bytes. */
  mediaType: string;
  /**
   * True when the stream itself errors with DIGEST_MISMATCH at its end, as the
   * streams of RegistrySource.openBlob do. The reader then does not hash the
   * bytes a second time.
   */
  sourceVerifiesDigest?: boolean;
  /** Whether the file at this absolute normalised path should be buffered. */
  wants: (path: string) => boolean;
  /** Maximum bytes buffered for the file at this path; larger files are skipped with a problem. */
  maxFileBytes: (path: string) => number;
  /** Cap on the uncompressed tar size, in bytes; default DEFAULT_MAX_UNCOMPRESSED_LAYER_BYTES. */
  maxUncompressedBytes?: number;
  /**
   * Called with each requested file as soon as it is read. Returning true means
   * the caller has consumed it, so it is not kept in `files`: large files such
   * as binaries are then held one at a time instead of for the whole layer.
   * The content shares memory with the next file's, so a caller that returns
   * true must not keep a reference to it.
   */
  onFile?: (path: string, content: Uint8Array) => boolean;
  /** Judges a wanted file from its first bytes; a file it rejects is skipped silently, before the size cap applies. */
  wantsContent?: (path: string, head: Uint8Array) => boolean;
  /** Called for a hard link whose target `onFile` consumed, so the caller can give the link the target's results. */
  onConsumedLink?: (path: string, target: string) => void;
}

type Compression = "gzip" | "zstd" | "none";

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_WHITEOUT = ".wh..wh..opq";

/**
 * Reads one image layer as a stream, never buffering it whole: detects gzip,
 * zstd or plain tar from the first bytes, buffers only requested files, and
 * records symlinks, whiteouts and opaque directories so layers can be merged
 * later. Raises AppError DIGEST_MISMATCH when the compressed bytes do not hash
 * to `digest`, TOO_LARGE when the uncompressed tar exceeds the cap, and
 * INVALID_INPUT when the stream is truncated or corrupt. Errors of the source
 * stream itself are re-raised unchanged.
 */
export async function readLayer(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: ReadLayerOptions,
): Promise<LayerContents> {
  const expected = parseLayerDigest(options.digest);
  const maxUncompressedBytes = options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_LAYER_BYTES;
  const source = new HashedSource(stream, options.sourceVerifiesDigest === true ? null : expected.algorithm);
  const log = logger.child({ module: "analysis", layerDigest: options.digest });

  try {
    const contents = await extractLayer(source, options, maxUncompressedBytes, log);
    // The tar reader stops at the end-of-archive blocks; the digest covers every byte after them too.
    await source.drain();
    const mismatch = digestMismatch(options.digest, source.digest());
    if (mismatch !== null) throw mismatch;

    log.debug({ files: contents.files.size, symlinks: contents.symlinks.size, problems: contents.problems.length, uncompressedBytes: contents.uncompressedBytes }, "layer read");
    return contents;
  } catch (error) {
    if (source.failure !== undefined) throw source.failure;
    if (error instanceof AppError && error.code !== "INVALID_INPUT") throw error;

    // A corrupt stream is most often a damaged download: when the bytes do not
    // match the digest, that is the cause to report.
    try {
      await source.drain();
    } catch {
      throw source.failure ?? error;
    }
    const mismatch = digestMismatch(options.digest, source.digest());
    if (mismatch !== null) throw new AppError(mismatch.code, mismatch.message, { cause: error, details: mismatch.details });
    throw error;
  } finally {
    await source.release();
  }
}

/**
 * Normalises a tar entry name to an absolute path: strips `./`, collapses
 * `//`, resolves `.` and `..`. Returns null when the path climbs above the
 * root, because such an entry would write outside the image.
 */
export function normalizeLayerPath(name: string): string | null {
  // Names that are clean apart from a leading "./" or "/", as most layer entries are, skip the split and join.
  const relative = name.startsWith("./") ? name.slice(2) : name.startsWith("/") ? name.slice(1) : name;
  if (relative !== "" && !relative.startsWith(".") && !relative.startsWith("/") && !relative.endsWith("/") && !relative.includes("//") && !relative.includes("/.")) {
    return `/${relative}`;
  }

  const segments: string[] = [];
  for (const segment of name.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) return null;
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

async function extractLayer(
  source: HashedSource,
  options: ReadLayerOptions,
  maxUncompressedBytes: number,
  log: typeof logger,
): Promise<LayerContents> {
  const { compression, chunks } = await detectCompression(source.chunks());
  const declared = options.mediaType.includes("zstd") ? "zstd" : options.mediaType.includes("gzip") ? "gzip" : "none";
  if (declared !== compression) {
    log.debug({ mediaType: options.mediaType, compression }, "layer compression differs from its media type; using the bytes");
  }

  const budget = new UncompressedBudget(options.digest, maxUncompressedBytes);
  const tarBytes = decompress(compression, chunks, budget, options.digest);
  const contents: LayerContents = {
    digest: options.digest,
    files: new Map(),
    symlinks: new Map(),
    whiteouts: [],
    opaqueDirectories: [],
    problems: [],
    uncompressedBytes: 0,
  };

  const passedOver: PassedOver = { consumed: new Set(), skipped: new Set(), scratch: new Uint8Array(0) };
  const reader = new TarReader((entry) => readEntry(entry, options, contents, passedOver));
  try {
    for await (const chunk of tarBytes) {
      // Bytes after the end-of-archive block are still decompressed, so the
      // gzip or zstd trailer is checked and the uncompressed cap still applies.
      if (!reader.finished) reader.write(chunk);
    }
    reader.end();
  } catch (error) {
    if (error instanceof TarFormatError) throw corruptLayer(options.digest, `its tar stream is invalid: ${error.message}`, error);
    throw error;
  }

  contents.uncompressedBytes = budget.used;
  return contents;
}

/** Records one tar entry in `contents`, returning a sink when its content should be buffered. */
function readEntry(entry: TarEntry, options: ReadLayerOptions, contents: LayerContents, passedOver: PassedOver): TarContentSink | null {
  const path = normalizeLayerPath(entry.path);
  if (path === null) {
    contents.problems.push({ path: entry.path, message: "Entry path climbs above the image root; the entry was ignored." });
    return null;
  }

  const slash = path.lastIndexOf("/");
  const directory = slash === 0 ? "/" : path.slice(0, slash);
  const baseName = path.slice(slash + 1);

  if (baseName.startsWith(WHITEOUT_PREFIX)) {
    // OCI image spec, "Whiteouts": other `.wh..wh.` names are AUFS internals and carry no meaning.
    if (baseName === OPAQUE_WHITEOUT) {
      contents.opaqueDirectories.push(directory);
    } else if (!baseName.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
      contents.whiteouts.push(joinPath(directory, baseName.slice(WHITEOUT_PREFIX.length)));
    }
    return null;
  }

  // A later entry for the same path replaces an earlier one.
  passedOver.consumed.delete(path);
  passedOver.skipped.delete(path);
  contents.files.delete(path);
  contents.symlinks.delete(path);

  switch (entry.type) {
    case "file":
      return options.wants(path) ? new RequestedFile(path, entry.size, options, contents, passedOver) : null;
    case "symlink":
      contents.symlinks.set(path, entry.linkPath);
      return null;
    case "link":
      readHardLink(entry.linkPath, path, options, contents, passedOver);
      return null;
    default:
      // Directories, devices and FIFOs hold no content a cataloger reads.
      return null;
  }
}

/**
 * Buffers one requested file: first its head for wantsContent, then, when the
 * file is within its size cap, the whole content in one array of its size.
 */
class RequestedFile implements TarContentSink {
  private head: Uint8Array | null;
  private headFill = 0;
  private content: Uint8Array | null = null;
  private filled = 0;

  constructor(
    private readonly path: string,
    private readonly size: number,
    private readonly options: ReadLayerOptions,
    private readonly contents: LayerContents,
    private readonly passedOver: PassedOver,
  ) {
    this.head = options.wantsContent === undefined ? null : new Uint8Array(Math.min(CONTENT_HEAD_BYTES, size));
    if (this.head === null) this.content = this.allocate();
  }

  write(bytes: Uint8Array): boolean {
    let rest = bytes;
    if (this.head !== null) {
      const copied = Math.min(this.head.byteLength - this.headFill, bytes.byteLength);
      this.head.set(bytes.subarray(0, copied), this.headFill);
      this.headFill += copied;
      if (this.headFill < this.head.byteLength) return true;
      if (!this.acceptHead()) return false;
      rest = bytes.subarray(copied);
    }
    if (this.content === null) return false;
    this.content.set(rest, this.filled);
    this.filled += rest.byteLength;
    return true;
  }

  end(): void {
    // A file shorter than the head (an empty one among them) is judged here.
    if (this.head !== null && !this.acceptHead()) return;
    if (this.content === null) return;
    if (this.options.onFile?.(this.path, this.content) === true) {
      this.passedOver.consumed.add(this.path);
      return;
    }
    const inScratch = this.content.buffer === this.passedOver.scratch.buffer;
    this.contents.files.set(this.path, inScratch ? this.content.slice() : this.content);
  }

  /** Passes the head to wantsContent; when accepted, allocates the content and copies the head into it. */
  private acceptHead(): boolean {
    const head = this.head ?? new Uint8Array(0);
    this.head = null;
    if (this.options.wantsContent?.(this.path, head) === false) {
      this.passedOver.skipped.add(this.path);
      return false;
    }
    this.content = this.allocate();
    this.content?.set(head.subarray(0, this.headFill));
    this.filled = this.headFill;
    return this.content !== null;
  }

  /**
   * Returns an array of the file's size, or null with a problem when the file
   * is over its cap. With onFile, the array is a view of the layer's scratch
   * buffer, because onFile consumes most files at once (binaries parsed for
   * build info). end() copies a file that onFile does not consume.
   */
  private allocate(): Uint8Array | null {
    const maxBytes = this.options.maxFileBytes(this.path);
    if (this.size > maxBytes) {
      this.contents.problems.push({ path: this.path, message: `File is ${this.size} bytes, over the ${maxBytes}-byte cap for this file; it was not read.` });
      // The file still replaces any lower copy, whose packages would otherwise be reported for it.
      this.contents.whiteouts.push(this.path);
      return null;
    }
    if (this.options.onFile === undefined) return new Uint8Array(this.size);
    if (this.passedOver.scratch.byteLength < this.size) this.passedOver.scratch = new Uint8Array(this.size);
    return this.passedOver.scratch.subarray(0, this.size);
  }
}

/** Requested files the layer has but `files` does not hold, so hard links to them are handled like their targets. */
interface PassedOver {
  /** Taken by onFile. */
  consumed: Set<string>;
  /** Turned down by wantsContent. */
  skipped: Set<string>;
  /** Reused for each file passed to onFile, so consumed files do not each allocate their size. */
  scratch: Uint8Array;
}

/** The number of bytes from a file's start passed to wantsContent, enough for magic numbers such as ELF's. */
const CONTENT_HEAD_BYTES = 16;

/** Hard links name an earlier entry of the same layer (POSIX tar, typeflag '1'). */
function readHardLink(linkName: string, path: string, options: ReadLayerOptions, contents: LayerContents, { consumed, skipped }: PassedOver): void {
  const target = normalizeLayerPath(linkName);
  if (target === null) {
    contents.problems.push({ path, message: `Hard link target ${linkName} climbs above the image root; the link was ignored.` });
    return;
  }

  const symlinkTarget = contents.symlinks.get(target);
  if (symlinkTarget !== undefined) {
    contents.symlinks.set(path, symlinkTarget);
    return;
  }
  if (!options.wants(path)) return;
  if (consumed.has(target)) {
    options.onConsumedLink?.(path, target);
    return;
  }
  // A link to a file wantsContent turned down has the same content, so it is turned down too.
  if (skipped.has(target)) return;

  const content = contents.files.get(target);
  if (content === undefined) {
    contents.problems.push({
      path,
      message: `Hard link to ${target}, whose content was not buffered (the target is not a requested file, is over its size cap, or is missing from this layer); the file was not read.`,
    });
    return;
  }
  contents.files.set(path, content);
}

function joinPath(directory: string, name: string): string {
  return directory === "/" ? `/${name}` : `${directory}/${name}`;
}

async function detectCompression(chunks: AsyncIterable<Uint8Array>): Promise<{ compression: Compression; chunks: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < 4) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.byteLength;
  }

  const magic = concatenate(head).subarray(0, 4);
  let compression: Compression = "none";
  if (magic[0] === 0x1f && magic[1] === 0x8b) compression = "gzip";
  if (magic[0] === 0x28 && magic[1] === 0xb5 && magic[2] === 0x2f && magic[3] === 0xfd) compression = "zstd";

  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { compression, chunks: replay() };
}

function decompress(compression: Compression, chunks: AsyncIterable<Uint8Array>, budget: UncompressedBudget, digest: string): AsyncIterable<Uint8Array> {
  switch (compression) {
    case "gzip":
      return gunzip(chunks, budget, digest);
    case "zstd":
      return unzstd(chunks, budget, digest);
    case "none":
      return countOnly(chunks, budget);
  }
}

async function* countOnly(chunks: AsyncIterable<Uint8Array>, budget: UncompressedBudget): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    budget.add(chunk.byteLength);
    yield chunk;
  }
}

async function* gunzip(chunks: AsyncIterable<Uint8Array>, budget: UncompressedBudget, digest: string): AsyncGenerator<Uint8Array> {
  const output = pipeline(Readable.from(chunks), createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), () => {
    // errors reach the loop below through the returned stream
  });
  try {
    for await (const chunk of output) {
      const bytes = chunk as Buffer;
      budget.add(bytes.byteLength);
      yield bytes;
    }
  } catch (error) {
    if (error instanceof AppError || isSourceError(error)) throw error;
    throw corruptLayer(digest, `its gzip stream is invalid or truncated (${describeError(error)})`, error);
  }
}

// NOTE: a zstd RLE block turns 4 compressed bytes into up to 128 KiB, so one
// push of ZSTD_PUSH_BYTES can yield up to 512 MiB before the cap stops it.
async function* unzstd(chunks: AsyncIterable<Uint8Array>, budget: UncompressedBudget, digest: string): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  const decoder = new ZstdDecompress((block) => {
    budget.add(block.byteLength);
    if (block.byteLength > 0) pending.push(block);
  });

  const push = (bytes: Uint8Array, final: boolean) => {
    try {
      decoder.push(bytes, final);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw corruptLayer(digest, `its zstd stream is invalid or truncated (${describeError(error)})`, error);
    }
  };

  for await (const chunk of chunks) {
    for (let offset = 0; offset < chunk.byteLength; offset += ZSTD_PUSH_BYTES) {
      push(chunk.subarray(offset, offset + ZSTD_PUSH_BYTES), false);
      const ready = pending;
      pending = [];
      yield* ready;
    }
  }
  push(new Uint8Array(0), true);
  yield* pending;
}

/** Counts uncompressed bytes and raises TOO_LARGE past the cap, so a compression bomb stops early. */
class UncompressedBudget {
  used = 0;

  constructor(
    private readonly digest: string,
    private readonly max: number,
  ) {}

  add(bytes: number): void {
    this.used += bytes;
    if (this.used > this.max) {
      throw new AppError(
        "TOO_LARGE",
        `Layer ${this.digest} is larger than ${this.max} bytes uncompressed, the configured cap; reading stopped. Raise the cap if the layer is legitimate, or rebuild the image with smaller layers.`,
        { details: { layerDigest: this.digest, maxUncompressedBytes: this.max } },
      );
    }
  }
}

/**
 * The compressed source: hashes every byte read unless the algorithm is null,
 * remembers its own failure so it is re-raised as is, and can be drained after
 * the tar reader stops.
 */
class HashedSource {
  failure: unknown = undefined;
  private readonly hash: Hash | null;
  private readonly algorithm: string | null;
  private finished = false;
  private readonly readNext: () => Promise<IteratorResult<Uint8Array>>;
  private readonly cancel: () => Promise<unknown>;

  constructor(stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, algorithm: string | null) {
    this.algorithm = algorithm;
    this.hash = algorithm === null ? null : createHash(algorithm);
    if (stream instanceof ReadableStream) {
      const reader = stream.getReader();
      this.readNext = async () => {
        const result = await reader.read();
        return result.done ? { done: true, value: undefined } : { done: false, value: result.value };
      };
      this.cancel = () => reader.cancel();
    } else {
      const iterator = stream[Symbol.asyncIterator]();
      this.readNext = () => iterator.next();
      this.cancel = async () => iterator.return?.();
    }
  }

  /** Yields the source's chunks; returning early leaves the source open for drain(). */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.read();
      if (chunk === null) return;
      yield chunk;
    }
  }

  async drain(): Promise<void> {
    while ((await this.read()) !== null) {
      // hashing happens in read()
    }
  }

  /** Returns `<algorithm>:<hex>` of every byte read, or null when not hashing. Call once, after drain(). */
  digest(): string | null {
    if (this.hash === null) return null;
    return `${this.algorithm}:${this.hash.digest("hex")}`;
  }

  async release(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.cancel();
    } catch {
      // the source is being abandoned; its cancellation error changes nothing
    }
  }

  private async read(): Promise<Uint8Array | null> {
    if (this.finished) return null;
    let result: IteratorResult<Uint8Array>;
    try {
      result = await this.readNext();
    } catch (error) {
      this.failure = error;
      this.finished = true;
      if (typeof error === "object" && error !== null) sourceErrors.add(error);
      throw error;
    }
    if (result.done === true) {
      this.finished = true;
      return null;
    }
    this.hash?.update(result.value);
    return result.value;
  }
}

/** Errors raised by source streams, so the decompressors pass them on unwrapped. */
const sourceErrors = new WeakSet<object>();

function isSourceError(error: unknown): boolean {
  return typeof error === "object" && error !== null && sourceErrors.has(error);
}

function parseLayerDigest(digest: string): { algorithm: "sha256" | "sha512" } {
  const match = /^(sha256|sha512):([a-f0-9]+)$/.exec(digest);
  const hexLength = match?.[1] === "sha256" ? 64 : 128;
  if (match === null || match[2]?.length !== hexLength) {
    throw new AppError("INVALID_INPUT", `Layer digest ${JSON.stringify(digest)} is invalid: expected sha256:<64 hex digits> or sha512:<128 hex digits>. Check the manifest that lists the layer.`, {
      details: { layerDigest: digest },
    });
  }
  return { algorithm: match[1] as "sha256" | "sha512" };
}

function digestMismatch(expected: string, actual: string | null): AppError | null {
  if (actual === null || expected === actual) return null;
  return new AppError(
    "DIGEST_MISMATCH",
    `Layer ${expected} does not match its digest: the bytes received hash to ${actual}. The blob was corrupted or altered in transit or in storage; check the registry's storage and any proxy in between, then analyse the image again.`,
    { details: { layerDigest: expected, actual } },
  );
}

function corruptLayer(digest: string, reason: string, cause: unknown): AppError {
  return new AppError("INVALID_INPUT", `Layer ${digest} could not be read: ${reason}. The blob is incomplete or is not a tar layer; pull the image again, and check the registry's storage if it persists.`, {
    cause,
    details: { layerDigest: digest },
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function concatenate(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.byteLength;
  }
  return result;
}
