import { opendir, readFile, stat } from "node:fs/promises";
import path from "node:path";

/** A JSON file of a folder, or the reason it was skipped. `name` is relative to the folder. */
export type FolderEntry = { name: string; bytes: Uint8Array } | { name: string; problem: string };

/**
 * Yields every `*.json` file under `root`, depth first, with names in sorted order so
 * imports are repeatable. Symbolic links to files are read, but links to folders are not
 * followed, so a link cycle cannot make the walk endless. A file that cannot be read or is
 * larger than `maxFileBytes` comes back with a problem.
 */
export async function* readFolderEntries(root: string, maxFileBytes: number): AsyncGenerator<FolderEntry> {
  const entries = await opendir(root);
  const children: { name: string; isDirectory: boolean }[] = [];
  for await (const entry of entries) {
    children.push({ name: entry.name, isDirectory: entry.isDirectory() });
  }
  // Code-unit order, independent of the locale.
  children.sort((a, b) => {
    if (a.name < b.name) return -1;
    if (a.name > b.name) return 1;
    return 0;
  });

  for (const child of children) {
    const fullPath = path.join(root, child.name);
    if (child.isDirectory) {
      for await (const entry of readFolderEntries(fullPath, maxFileBytes)) {
        yield { ...entry, name: path.join(child.name, entry.name) };
      }
      continue;
    }
    if (!child.name.toLowerCase().endsWith(".json")) continue;
    yield await readJsonFile(fullPath, child.name, maxFileBytes);
  }
}

async function readJsonFile(fullPath: string, name: string, maxFileBytes: number): Promise<FolderEntry> {
  try {
    // stat follows a symbolic link, so a link to a file is read like the file.
    const info = await stat(fullPath);
    if (!info.isFile()) return { name, problem: "is not a regular file" };
    if (info.size > maxFileBytes) return { name, problem: `is larger than the limit of ${maxFileBytes} bytes` };
    return { name, bytes: await readFile(fullPath) };
  } catch (error) {
    return { name, problem: `could not be read: ${(error as Error).message}` };
  }
}
