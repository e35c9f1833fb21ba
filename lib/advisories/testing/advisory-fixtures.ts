/** Fixture files and builders shared by the advisory import tests. */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { strToU8, Zip, ZipDeflate, ZipPassThrough, zipSync } from "fflate";

export const testdataFolder = fileURLToPath(new URL("../testdata", import.meta.url));
export const osvFixtureFolder = path.join(testdataFolder, "osv");
export const kevFixtureFile = path.join(testdataFolder, "kev", "known-exploited-vulnerabilities.json");

/** Facts about the records in testdata/osv, counted from the files. */
export const osvFixtureFacts = {
  records: 45,
  /** RubyGems/GHSA-35c4-f3rq-f9g3.json is withdrawn and never stored. */
  withdrawnId: "GHSA-35c4-f3rq-f9g3",
  storedRecords: 44,
  /** Distinct (advisory, ecosystem, name) rows of the stored records. */
  packageRows: 67,
  /** Distinct (ecosystem, name) pairs of the stored records. */
  packagePairs: 55,
};

/** Reads testdata/osv as a map from relative path ("PyPI/PYSEC-2023-74.json") to file bytes. */
export async function readOsvFixtureFiles(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const ecosystem of (await readdir(osvFixtureFolder)).sort()) {
    for (const name of (await readdir(path.join(osvFixtureFolder, ecosystem))).sort()) {
      files.set(`${ecosystem}/${name}`, await readFile(path.join(osvFixtureFolder, ecosystem, name)));
    }
  }
  return files;
}

/** Reads one fixture record as a plain object, for a test to change and write elsewhere. */
export async function readOsvFixture(relativePath: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(osvFixtureFolder, relativePath), "utf8")) as Record<string, unknown>;
}

/** Creates a temporary folder, which the test removes in afterEach. */
export async function makeTempFolder(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), "shipshape-advisories-"));
}

export async function removeTempFolder(folder: string | undefined): Promise<void> {
  if (folder) await rm(folder, { recursive: true, force: true });
}

/** Writes text or a JSON value to `folder/relativePath`, creating parent folders. */
export async function writeFixture(folder: string, relativePath: string, content: string | Uint8Array | object): Promise<string> {
  const target = path.join(folder, relativePath);
  await mkdir(path.dirname(target), { recursive: true });
  const data = typeof content === "string" || content instanceof Uint8Array ? content : JSON.stringify(content, null, 2);
  await writeFile(target, data);
  return target;
}

/** Builds a zip archive with sizes in the local headers, as archive tools writing to a file do. Level 0 stores entries uncompressed. */
export function buildZip(files: Map<string, Uint8Array | string>, level: 0 | 6 | 9 = 6): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, content] of files) entries[name] = typeof content === "string" ? strToU8(content) : content;
  return zipSync(entries, { level });
}

/**
 * Builds a zip archive the way a streaming writer does: each entry's sizes and CRC follow
 * its data in a data descriptor (flag bit 3). `stored` picks uncompressed entries.
 */
export function buildStreamedZip(files: Map<string, Uint8Array | string>, stored = false): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    parts.push(chunk);
  });
  for (const [name, content] of files) {
    const entry = stored ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
    zip.add(entry);
    entry.push(typeof content === "string" ? strToU8(content) : content, true);
  }
  zip.end();
  return Buffer.concat(parts);
}

/** Yields `bytes` in parts of `size` bytes, to test parsers across chunk boundaries. */
export async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.subarray(offset, offset + size);
}
