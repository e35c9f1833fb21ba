import type { Random } from "@/lib/analysis/fuzz/random";

/** A generated input: what was done to the seed, and the bytes. */
export interface Mutation {
  name: string;
  bytes: Uint8Array;
}

/** Generated inputs never grow past this, so one case cannot exhaust memory by itself. */
const MAX_MUTATION_BYTES = 8 * 1024 * 1024;

const INVALID_UTF8_SEQUENCES: readonly number[][] = [
  [0xff],
  [0xc3, 0x28],
  // An encoded lone surrogate (U+D800), which UTF-8 forbids.
  [0xed, 0xa0, 0x80],
  // A five-byte sequence, which UTF-8 no longer allows.
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc0, 0xaf],
];

const HUGE_DECIMALS: readonly string[] = ["99999999999999999999999", "-1", "4294967296", "18446744073709551616", "1e309", "NaN", "0x7fffffff"];

/** 32-bit values that overflow length and offset fields when a parser adds to or multiplies them. */
const OVERFLOW_WORDS: readonly number[] = [0xffffffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0x00010000];

const encoder = new TextEncoder();

/** Tokens that open a construct a parser then scans for the end of. */
const FLOOD_TOKENS: readonly string[] = [" ", "\n", "\t", "(", "[", "{", "<", '"', "'", "\\", ":", "=", "\n ", "<!--", "${", "%q<", "--", "0"];

type ByteMutator = (random: Random, input: Uint8Array) => Uint8Array;

const byteMutators: Record<string, ByteMutator> = {
  "bit-flips": (random, input) => {
    const output = input.slice();
    if (output.length === 0) return output;
    const flips = random.between(1, 16);
    for (let count = 0; count < flips; count += 1) output[random.int(output.length)]! ^= 1 << random.int(8);
    return output;
  },
  "truncate": (random, input) => input.slice(0, random.int(input.length + 1)),
  "truncate-at-boundary": (random, input) => input.slice(0, random.pick(regionBoundaries(input))),
  "nul-bytes": (random, input) => insertAt(input, random.int(input.length + 1), new Uint8Array(random.between(1, 1024))),
  "invalid-utf8": (random, input) => insertAt(input, random.int(input.length + 1), Uint8Array.from(random.pick(INVALID_UTF8_SEQUENCES))),
  "huge-number": (random, input) => replaceDigitRun(random, input),
  "overflow-word": (random, input) => {
    const output = input.slice();
    if (output.length < 4) return output;
    const offset = random.int(output.length - 3) & ~3;
    const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
    view.setUint32(offset, random.pick(OVERFLOW_WORDS), random.next() < 0.5);
    return output;
  },
  "repeat-region": (random, input) => {
    if (input.length === 0) return input;
    const start = random.int(input.length);
    const region = input.slice(start, start + random.between(1, 4096));
    const times = Math.min(random.between(2, 2000), Math.floor(MAX_MUTATION_BYTES / 2 / region.length));
    const repeated = new Uint8Array(region.length * times);
    for (let index = 0; index < times; index += 1) repeated.set(region, index * region.length);
    return insertAt(input, start, repeated);
  },
  "zero-region": (random, input) => {
    const output = input.slice();
    const start = random.int(output.length + 1);
    output.fill(0, start, Math.min(output.length, start + random.between(1, 4096)));
    return output;
  },
  // Long runs of one token find regular expressions and parsers that backtrack or rescan, quadratic or worse.
  "token-flood": (random, input) => {
    const start = random.int(input.length + 1);
    const token = random.next() < 0.5 && input.length > 0 ? input.slice(start, start + random.between(1, 12)) : encoder.encode(random.pick(FLOOD_TOKENS));
    const times = Math.floor(random.between(16 * 1024, 512 * 1024) / Math.max(1, token.length));
    const flood = new Uint8Array(token.length * times);
    for (let index = 0; index < times; index += 1) flood.set(token, index * token.length);
    return insertAt(input, start, flood);
  },
  "random-region": (random, input) => {
    const output = input.slice();
    const start = random.int(output.length + 1);
    const noise = random.bytes(Math.min(random.between(1, 512), output.length - start));
    output.set(noise, start);
    return output;
  },
};

export const BYTE_MUTATOR_NAMES: readonly string[] = Object.keys(byteMutators);

/** Applies one to three byte mutations, chosen by `random`, to a copy of `input`. */
export function mutateBytes(random: Random, input: Uint8Array): Mutation {
  // A plain Uint8Array copy, because Buffer's slice and fill differ from Uint8Array's.
  let bytes: Uint8Array = new Uint8Array(input);
  const names: string[] = [];
  const rounds = random.between(1, 3);
  for (let round = 0; round < rounds; round += 1) {
    const name = random.pick(BYTE_MUTATOR_NAMES);
    bytes = byteMutators[name]!(random, bytes);
    if (bytes.length > MAX_MUTATION_BYTES) bytes = bytes.slice(0, MAX_MUTATION_BYTES);
    names.push(name);
  }
  return { name: names.join("+"), bytes };
}

/**
 * Offsets where a parser changes state: after line ends, NUL bytes and JSON
 * punctuation, and at 512-byte tar blocks and 4 KiB database pages.
 */
export function regionBoundaries(input: Uint8Array): number[] {
  const boundaries = new Set<number>([0, input.length]);
  for (let offset = 0; offset < input.length && boundaries.size < 4096; offset += 1) {
    const byte = input[offset];
    if (byte === 0x0a || byte === 0x00 || byte === 0x7b || byte === 0x7d || byte === 0x5b || byte === 0x5d || byte === 0x2c) boundaries.add(offset + 1);
  }
  for (let offset = 512; offset < input.length; offset += 512) boundaries.add(offset);
  return [...boundaries];
}

function insertAt(input: Uint8Array, offset: number, inserted: Uint8Array): Uint8Array {
  const output = new Uint8Array(input.length + inserted.length);
  output.set(input.subarray(0, offset), 0);
  output.set(inserted, offset);
  output.set(input.subarray(offset), offset + inserted.length);
  return output;
}

function replaceDigitRun(random: Random, input: Uint8Array): Uint8Array {
  const runs: [number, number][] = [];
  for (let offset = 0; offset < input.length && runs.length < 1024; offset += 1) {
    if (!isDigit(input[offset]!)) continue;
    const start = offset;
    while (offset < input.length && isDigit(input[offset]!)) offset += 1;
    runs.push([start, offset]);
  }
  const replacement = encoder.encode(random.pick(HUGE_DECIMALS));
  if (runs.length === 0) return insertAt(input, random.int(input.length + 1), replacement);
  const [start, end] = random.pick(runs);
  const output = new Uint8Array(input.length - (end - start) + replacement.length);
  output.set(input.subarray(0, start), 0);
  output.set(replacement, start);
  output.set(input.subarray(end), start + replacement.length);
  return output;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** Raw JSON text fragments that stress a JSON reader or the code walking its result. */
const HOSTILE_JSON_FRAGMENTS: Record<string, () => string> = {
  "deep-array": () => `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
  "deep-object": () => `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`,
  "enormous-number": () => `1${"0".repeat(400)}`,
  "tiny-number": () => "1e-400",
  "big-integer": () => "18446744073709551616",
  "negative-zero": () => "-0",
  "prototype-keys": () => '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":1,"hasOwnProperty":2}',
  "long-string": () => JSON.stringify("x".repeat(1024 * 1024)),
  "repeated-keys": () => '{"name":"a","name":2,"name":["b"],"version":null,"version":"1"}',
  "nul-and-surrogate": () => '"\\u0000\\ud800 \\udfff\\u0000"',
  "long-array": () => `[${Array.from({ length: 100_000 }, (_, index) => index).join(",")}]`,
  "null": () => "null",
  "true": () => "true",
  "empty-array": () => "[]",
  "empty-object": () => "{}",
  "empty-string": () => '""',
  "number": () => "0",
};

const JSON_FRAGMENT_NAMES = Object.keys(HOSTILE_JSON_FRAGMENTS);
const PLACEHOLDER = "\u0000shipshape-fuzz\u0000";

/**
 * Replaces one value of a JSON document (a random node, or the whole document)
 * with a hostile fragment, returning the document as bytes.
 */
export function mutateJson(random: Random, document: unknown): Mutation {
  const paths = jsonPaths(document);
  const path = random.pick(paths);
  const fragmentName = random.pick(JSON_FRAGMENT_NAMES);
  const replaced = replaceAtPath(document, path, PLACEHOLDER);
  const text = JSON.stringify(replaced).replace(JSON.stringify(PLACEHOLDER), HOSTILE_JSON_FRAGMENTS[fragmentName]!());
  return { name: `json ${fragmentName} at ${path.length === 0 ? "(root)" : path.join(".")}`, bytes: encoder.encode(text) };
}

type JsonPath = (string | number)[];

/** Lists the paths of up to 2,000 nodes, the root first. */
function jsonPaths(document: unknown): JsonPath[] {
  const paths: JsonPath[] = [];
  const pending: { value: unknown; path: JsonPath }[] = [{ value: document, path: [] }];
  while (pending.length > 0 && paths.length < 2000) {
    const { value, path } = pending.shift()!;
    paths.push(path);
    if (Array.isArray(value)) value.forEach((item, index) => pending.push({ value: item, path: [...path, index] }));
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) pending.push({ value: item, path: [...path, key] });
    }
  }
  return paths;
}

function replaceAtPath(document: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(document)) return document.map((item, index) => (index === head ? replaceAtPath(item, rest, replacement) : item));
  const record = document as Record<string, unknown>;
  return { ...record, [head!]: replaceAtPath(record[head!], rest, replacement) };
}
