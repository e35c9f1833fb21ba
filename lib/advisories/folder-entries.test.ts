import { symlink } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type FolderEntry, readFolderEntries } from "@/lib/advisories/folder-entries";
import { makeTempFolder, removeTempFolder, writeFixture } from "@/lib/advisories/testing/advisory-fixtures";

let folder: string | undefined;

beforeEach(async () => {
  folder = await makeTempFolder();
});

afterEach(async () => {
  await removeTempFolder(folder);
});

function tempFolder(): string {
  if (folder === undefined) throw new Error("beforeEach did not create the temporary folder");
  return folder;
}

async function readAll(root: string, maxFileBytes = 1024): Promise<FolderEntry[]> {
  const entries: FolderEntry[] = [];
  for await (const entry of readFolderEntries(root, maxFileBytes)) entries.push(entry);
  return entries;
}

describe("readFolderEntries", () => {
  test("JSON files in sorted depth-first order", async () => {
    const root = tempFolder();
    await writeFixture(root, "b/B-1.json", "{}");
    await writeFixture(root, "a/deeper/A-2.json", "{}");
    await writeFixture(root, "a/A-1.JSON", "{}");
    await writeFixture(root, "README.md", "not a record");
    await writeFixture(root, "C-1.json", "{}");

    const entries = await readAll(root);

    expect(entries.map((entry) => entry.name)).toEqual(["C-1.json", path.join("a", "A-1.JSON"), path.join("a", "deeper", "A-2.json"), path.join("b", "B-1.json")]);
    expect(entries.every((entry) => "bytes" in entry)).toBe(true);
  });

  test("oversized file reported", async () => {
    const root = tempFolder();
    await writeFixture(root, "BIG.json", "x".repeat(2000));

    expect(await readAll(root)).toEqual([{ name: "BIG.json", problem: "is larger than the limit of 1024 bytes" }]);
  });

  test("link to file read, link to folder not followed", async () => {
    const root = path.join(tempFolder(), "root");
    const target = await writeFixture(tempFolder(), "outside/LINKED.json", '{"id":"LINKED"}');
    await writeFixture(root, "OWN.json", "{}");
    await symlink(target, path.join(root, "link.json"));
    await symlink(root, path.join(root, "loop"));

    const entries = await readAll(root);

    expect(entries.map((entry) => entry.name)).toEqual(["OWN.json", "link.json"]);
    const linked = entries[1];
    expect(linked).toHaveProperty("bytes");
    const bytes = (linked as { bytes: Uint8Array }).bytes;
    expect(new TextDecoder().decode(bytes)).toBe('{"id":"LINKED"}');
  });

  test("dangling link reported", async () => {
    const root = tempFolder();
    await symlink(path.join(root, "gone.json"), path.join(root, "dangling.json"));

    const entries = await readAll(root);

    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ name: "dangling.json", problem: expect.stringMatching(/^could not be read: ENOENT/) });
  });
});
