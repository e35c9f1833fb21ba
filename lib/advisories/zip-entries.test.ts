import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { buildStreamedZip, buildZip, chunksOf, testdataFolder } from "@/lib/advisories/testing/advisory-fixtures";
import { readZipEntries, type ZipEntry } from "@/lib/advisories/zip-entries";
import { AppError } from "@/lib/errors";

const options = { location: "test.zip", maxFileBytes: 1024 * 1024 };

async function readAll(bytes: Uint8Array, chunkSize = 64 * 1024, maxFileBytes = options.maxFileBytes): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  for await (const entry of readZipEntries(chunksOf(bytes, chunkSize), { ...options, maxFileBytes })) entries.push(entry);
  return entries;
}

function text(entry: ZipEntry | undefined): string {
  if (entry === undefined || !("bytes" in entry)) throw new Error(`expected an entry with bytes, got ${JSON.stringify(entry)}`);
  return new TextDecoder().decode(entry.bytes);
}

const sampleFiles = new Map<string, string>([
  ["A-1.json", JSON.stringify({ id: "A-1", details: "first ".repeat(200) })],
  ["nested/B-2.json", JSON.stringify({ id: "B-2" })],
  ["empty.json", ""],
]);

/** Offset of the first local file header's fields in a zip built by fflate with the given name. */
function localHeaderField(zip: Uint8Array, offset: number): DataView {
  return new DataView(zip.buffer, zip.byteOffset + offset);
}

describe("readZipEntries", () => {
  const layouts = [
    { name: "deflated, sizes in headers", build: () => buildZip(sampleFiles, 6) },
    { name: "stored, sizes in headers", build: () => buildZip(sampleFiles, 0) },
    { name: "deflated, data descriptors", build: () => buildStreamedZip(sampleFiles) },
    { name: "stored, data descriptors", build: () => buildStreamedZip(sampleFiles, true) },
  ];

  for (const layout of layouts) {
    for (const chunkSize of [7, 4096, 1024 * 1024]) {
      test(`${layout.name} in ${chunkSize}-byte chunks`, async () => {
        const entries = await readAll(layout.build(), chunkSize);

        expect(entries.map((entry) => entry.name)).toEqual(["A-1.json", "nested/B-2.json", "empty.json"]);
        expect(text(entries[0])).toBe(sampleFiles.get("A-1.json"));
        expect(text(entries[1])).toBe(sampleFiles.get("nested/B-2.json"));
        expect(text(entries[2])).toBe("");
      });
    }
  }

  test("streamed layout sets data descriptor flag", () => {
    const zip = buildStreamedZip(sampleFiles);
    const flags = localHeaderField(zip, 6).getUint16(0, true);
    expect(flags & 0x0008).toBe(0x0008);
  });

  test("zip64 sizes in local header", async () => {
    const entries = await readAll(await readFile(path.join(testdataFolder, "zip", "zip64.zip")));

    expect(entries.map((entry) => entry.name)).toEqual(["ZIP64-1.json", "ZIP64-2.json"]);
    expect(JSON.parse(text(entries[1])).id).toBe("ZIP64-2");
  });

  test("zip64 sizes in data descriptors", async () => {
    const entries = await readAll(await readFile(path.join(testdataFolder, "zip", "zip64-streamed.zip")), 5);

    expect(entries.map((entry) => entry.name)).toEqual(["ZIP64-1.json", "ZIP64-2.json"]);
    expect(JSON.parse(text(entries[0])).id).toBe("ZIP64-1");
  });

  test("folders and other files skipped", async () => {
    const zip = buildZip(new Map([["docs/", ""], ["README.md", "# not a record"], ["C-3.JSON", "{}"]]));
    const entries = await readAll(zip);
    expect(entries.map((entry) => entry.name)).toEqual(["C-3.JSON"]);
  });

  test("oversized entry reported, next read", async () => {
    const files = new Map([["BIG.json", "x".repeat(5000)], ["SMALL.json", "{}"]]);
    for (const zip of [buildZip(files), buildStreamedZip(files)]) {
      const entries = await readAll(zip, 1000, 4000);

      expect(entries[0]).toEqual({ name: "BIG.json", problem: "is larger than the limit of 4000 bytes" });
      expect(text(entries[1])).toBe("{}");
    }
  });

  test("entry that inflates past limit reported", async () => {
    // 1 MB of zeros deflates to about 1 KB, so only the inflated size exceeds the limit.
    const files = new Map([["BOMB.json", "0".repeat(1024 * 1024)], ["SMALL.json", "{}"]]);
    const entries = await readAll(buildStreamedZip(files), 64 * 1024, 64 * 1024);

    expect(entries[0]).toEqual({ name: "BOMB.json", problem: "is larger than the limit of 65536 bytes" });
    expect(text(entries[1])).toBe("{}");
  });

  test("damaged entry reported by CRC", async () => {
    const zip = buildZip(new Map([["A-1.json", '{"id":"A-1"}'], ["B-2.json", "{}"]]), 0);
    const dataStart = 30 + "A-1.json".length;
    zip[dataStart + 2] = "X".charCodeAt(0);

    const entries = await readAll(zip);
    expect(entries[0]).toEqual({ name: "A-1.json", problem: "is damaged: its CRC-32 does not match the archive's record" });
    expect(text(entries[1])).toBe("{}");
  });

  test("unsupported compression method reported", async () => {
    const zip = buildZip(new Map([["A-1.json", "{}"], ["B-2.json", "{}"]]), 0);
    localHeaderField(zip, 8).setUint16(0, 12, true);

    const entries = await readAll(zip);
    expect(entries[0]).toEqual({ name: "A-1.json", problem: "uses compression method 12, but only stored (0) and deflate (8) are supported" });
    expect(text(entries[1])).toBe("{}");
  });

  test("encrypted entry reported", async () => {
    const zip = buildZip(new Map([["A-1.json", "{}"]]), 0);
    const flags = localHeaderField(zip, 6);
    flags.setUint16(0, flags.getUint16(0, true) | 0x0001, true);

    const entries = await readAll(zip);
    expect(entries).toEqual([{ name: "A-1.json", problem: "is encrypted, and the import reads only unencrypted archives" }]);
  });

  test("truncated archive raises", async () => {
    const zip = buildZip(sampleFiles);
    for (const length of [10, 40, zip.byteLength - 200]) {
      const read = readAll(zip.subarray(0, length));
      await expect(read).rejects.toThrow(AppError);
      await expect(read).rejects.toThrow(/test\.zip ends at byte \d+, before the end of the zip archive's central directory/);
    }
  });

  test("truncated streamed archive raises", async () => {
    const zip = buildStreamedZip(sampleFiles);
    for (const length of [60, 400, zip.byteLength - 10]) {
      await expect(readAll(zip.subarray(0, length), 64)).rejects.toThrow(/before the end of the zip archive's central directory/);
    }
  });

  test("archive cut inside central directory raises", async () => {
    const zip = buildZip(sampleFiles);
    const centralDirectoryStart = zip.byteLength - 22 - 3 * 46 - "A-1.jsonnested/B-2.jsonempty.json".length;
    expect(new DataView(zip.buffer, zip.byteOffset + centralDirectoryStart).getUint32(0, true)).toBe(0x02014b50);

    await expect(readAll(zip.subarray(0, centralDirectoryStart + 50))).rejects.toThrow(/before the end of the zip archive's central directory/);
  });

  test("garbage between entries raises", async () => {
    const zip = buildZip(new Map([["A-1.json", "{}"]]), 0);
    const broken = Buffer.concat([zip.subarray(0, 30 + 8 + 2), Buffer.from("garbage!"), zip.subarray(30 + 8 + 2)]);
    await expect(readAll(broken)).rejects.toThrow(/test\.zip is not a valid zip archive: byte 40 starts no local file header/);
  });

  test("empty archive has no entries", async () => {
    expect(await readAll(buildZip(new Map()))).toEqual([]);
  });

  test("many small entries in one chunk", async () => {
    const files = new Map<string, string>();
    for (let index = 0; index < 20_000; index += 1) files.set(`R-${index}.json`, `{"id":"R-${index}"}`);
    const entries = await readAll(buildZip(files), 16 * 1024 * 1024);

    expect(entries).toHaveLength(20_000);
    expect(text(entries[19_999])).toBe('{"id":"R-19999"}');
  });
});
