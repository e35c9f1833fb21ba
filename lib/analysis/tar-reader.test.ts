import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, linkSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { MAX_EXTENDED_HEADER_BYTES, TarFormatError, TarReader, type TarEntry } from "@/lib/analysis/tar-reader";

// Every archive here is written by GNU tar (Debian's `tar` package), so the
// reader is tested on the header forms a real tool produces.
const workDir = mkdtempSync(path.join(tmpdir(), "shipshape-tar-reader-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const LONG_DIRECTORY = "d".repeat(120);
const LONG_FILE = "f".repeat(150);
const LONG_TARGET = `../${"t".repeat(150)}`;

/** Builds a source tree once per name and returns its folder. */
function sourceTree(name: string, build: (root: string) => void): string {
  const root = path.join(workDir, name);
  mkdirSync(root);
  build(root);
  return root;
}

const shortTree = sourceTree("short", (root) => {
  mkdirSync(path.join(root, "etc"));
  writeFileSync(path.join(root, "etc", "os-release"), "ID=debian\n");
  symlinkSync("os-release", path.join(root, "etc", "os-release.link"));
  linkSync(path.join(root, "etc", "os-release"), path.join(root, "etc", "os-release.hard"));
});

const longTree = sourceTree("long", (root) => {
  mkdirSync(path.join(root, LONG_DIRECTORY));
  writeFileSync(path.join(root, LONG_DIRECTORY, LONG_FILE), "long content");
  symlinkSync(LONG_TARGET, path.join(root, "link"));
  linkSync(path.join(root, LONG_DIRECTORY, LONG_FILE), path.join(root, "hard"));
});

/** Runs GNU tar on a tree and returns the archive; entries are sorted by name so the order is fixed. */
function gnuTar(format: "v7" | "ustar" | "gnu" | "pax", root: string, names: string[] = ["."]): Uint8Array {
  return new Uint8Array(execFileSync("tar", [`--format=${format}`, "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "-C", root, "-cf", "-", ...names], { maxBuffer: 64 * 1024 * 1024 }));
}

/** The first `bytes` bytes of GNU tar's archive of one sparse file of `size` bytes, enough for its headers. */
function headersOfLargeFile(format: "gnu" | "pax", size: number, bytes: number): Uint8Array {
  const root = path.join(workDir, `large-${format}`);
  mkdirSync(root);
  writeFileSync(path.join(root, "large"), "");
  truncateSync(path.join(root, "large"), size);
  // tar stops on SIGPIPE once head has its bytes, so the zeros of the sparse file are never all written.
  return new Uint8Array(execFileSync("sh", ["-c", `tar --format=${format} -C '${root}' -cf - large | head -c ${bytes}`]));
}

interface WalkedEntry extends Omit<TarEntry, "headerOffset"> {
  content?: string;
}

/** Feeds `archive` in chunks of `chunkSize` and returns every entry with the content of its files. */
function walk(archive: Uint8Array, chunkSize = archive.byteLength): WalkedEntry[] {
  const entries: WalkedEntry[] = [];
  const reader = new TarReader((entry) => {
    const walked: WalkedEntry = { path: entry.path, linkPath: entry.linkPath, type: entry.type, size: entry.size };
    entries.push(walked);
    if (entry.type !== "file") return null;
    const parts: Buffer[] = [];
    return {
      write: (bytes) => {
        parts.push(Buffer.from(bytes));
        return true;
      },
      end: () => {
        walked.content = Buffer.concat(parts).toString("utf8");
      },
    };
  });
  for (let offset = 0; offset < archive.byteLength; offset += chunkSize) reader.write(archive.subarray(offset, offset + chunkSize));
  reader.end();
  return entries;
}

/** Returns the entries whose headers are in `head`, the start of an archive, without calling end(). */
function headersIn(head: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  const reader = new TarReader((entry) => {
    entries.push(entry);
    return null;
  });
  reader.write(head);
  return entries;
}

/** Recomputes the checksum of the header at `offset` after a test changed another field, so that field is what fails. */
function rewriteChecksum(archive: Uint8Array, offset: number): void {
  archive.fill(0x20, offset + 148, offset + 156);
  const sum = archive.subarray(offset, offset + 512).reduce((total, byte) => total + byte, 0);
  archive.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, "0")}\0 `), offset + 148);
}

function caughtTarError(run: () => void): TarFormatError {
  try {
    run();
  } catch (error) {
    if (error instanceof TarFormatError) return error;
    throw error;
  }
  throw new Error("expected a TarFormatError");
}

const shortEntries: WalkedEntry[] = [
  { path: "./", linkPath: "", type: "directory", size: 0 },
  { path: "./etc/", linkPath: "", type: "directory", size: 0 },
  { path: "./etc/os-release", linkPath: "", type: "file", size: 10, content: "ID=debian\n" },
  { path: "./etc/os-release.hard", linkPath: "./etc/os-release", type: "link", size: 0 },
  { path: "./etc/os-release.link", linkPath: "os-release", type: "symlink", size: 0 },
];

describe("TarReader formats", () => {
  for (const format of ["v7", "ustar", "gnu", "pax"] as const) {
    it(`reads GNU tar ${format} output`, () => {
      expect(walk(gnuTar(format, shortTree))).toEqual(shortEntries);
    });
  }

  it("reads headers split across chunks", () => {
    const archive = gnuTar("pax", longTree);
    expect(walk(archive, 7)).toEqual(walk(archive));
  });

  it("reads GNU long names and links", () => {
    const entries = walk(gnuTar("gnu", longTree));

    const file = entries.find((entry) => entry.type === "file");
    expect(file?.path).toBe(`./${LONG_DIRECTORY}/${LONG_FILE}`);
    expect(file?.content).toBe("long content");
    expect(entries.find((entry) => entry.path === "./link")).toEqual({ path: "./link", linkPath: LONG_TARGET, type: "symlink", size: 0 });
    expect(entries.find((entry) => entry.path === "./hard")?.linkPath).toBe(`./${LONG_DIRECTORY}/${LONG_FILE}`);
  });

  it("reads pax path and linkpath", () => {
    const entries = walk(gnuTar("pax", longTree));

    expect(entries.find((entry) => entry.type === "file")?.path).toBe(`./${LONG_DIRECTORY}/${LONG_FILE}`);
    expect(entries.find((entry) => entry.path === "./link")?.linkPath).toBe(LONG_TARGET);
    expect(entries.find((entry) => entry.path === "./hard")?.linkPath).toBe(`./${LONG_DIRECTORY}/${LONG_FILE}`);
  });

  it("reads pax UTF-8 names", () => {
    const root = sourceTree("utf8", (tree) => writeFileSync(path.join(tree, "résumé-日本.txt"), "x"));
    expect(walk(gnuTar("pax", root)).map((entry) => entry.path)).toEqual(["./", "./résumé-日本.txt"]);
  });

  it("joins the ustar name prefix", () => {
    const root = sourceTree("prefix", (tree) => {
      mkdirSync(path.join(tree, LONG_DIRECTORY));
      writeFileSync(path.join(tree, LONG_DIRECTORY, "file"), "in prefix");
    });
    const archive = gnuTar("ustar", root, [`${LONG_DIRECTORY}/file`]);
    // The name alone does not fit the 100-byte name field, so tar must have used the prefix.
    expect(Buffer.from(archive.subarray(345, 345 + LONG_DIRECTORY.length)).toString()).toBe(LONG_DIRECTORY);

    expect(walk(archive)).toEqual([{ path: `${LONG_DIRECTORY}/file`, linkPath: "", type: "file", size: 9, content: "in prefix" }]);
  });

  it("reads a base-256 size", () => {
    const size = 8 * 1024 ** 3 + 1;
    const head = headersOfLargeFile("gnu", size, 1024);
    // Bytes 124 to 135 are the size field; 0x80 marks base-256 because 8 GiB does not fit 11 octal digits.
    expect(head[124]).toBe(0x80);

    expect(headersIn(head)).toEqual([{ path: "large", linkPath: "", type: "file", size, headerOffset: 0 }]);
  });

  it("reads a pax size", () => {
    const size = 8 * 1024 ** 3 + 1;
    const head = headersOfLargeFile("pax", size, 2048);

    expect(headersIn(head)).toEqual([{ path: "large", linkPath: "", type: "file", size, headerOffset: 1024 }]);
  });
});

describe("TarReader end of archive", () => {
  it("stops at the end-of-archive block", () => {
    const first = gnuTar("ustar", shortTree, ["etc/os-release"]);
    const second = gnuTar("ustar", shortTree, ["etc/os-release.link"]);
    const concatenated = new Uint8Array([...first, ...second]);

    const reader = new TarReader(() => null);
    reader.write(concatenated);
    expect(reader.finished).toBe(true);
    expect(walk(concatenated).map((entry) => entry.path)).toEqual(["etc/os-release"]);
  });

  it("rejects a truncated content", () => {
    const archive = gnuTar("ustar", shortTree, ["etc/os-release"]);
    const error = caughtTarError(() => walk(archive.subarray(0, 515)));

    expect(error.offset).toBe(515);
    expect(error.message).toBe('the archive ends at offset 515 inside entry "etc/os-release" (header at offset 0), 7 content bytes short');
  });

  it("rejects a truncated header", () => {
    const archive = gnuTar("ustar", shortTree, ["etc/os-release"]);
    const error = caughtTarError(() => walk(archive.subarray(0, 1024 + 100)));

    expect(error.offset).toBe(1124);
    expect(error.message).toContain("inside a header block (100 of 512 bytes)");
  });

  it("rejects truncated padding", () => {
    const archive = gnuTar("ustar", shortTree, ["etc/os-release"]);
    const error = caughtTarError(() => walk(archive.subarray(0, 600)));
    expect(error.message).toContain("424 padding bytes short");
  });

  it("rejects an extended header without entry", () => {
    const archive = gnuTar("gnu", longTree, [`${LONG_DIRECTORY}/${LONG_FILE}`]);
    // The L header and its one-block body, then the end of the stream.
    const error = caughtTarError(() => walk(archive.subarray(0, 1024)));
    expect(error.message).toContain("ends after an extended header");
  });

  it("accepts a stream ending on a header boundary", () => {
    const archive = gnuTar("ustar", shortTree, ["etc/os-release"]);
    expect(walk(archive.subarray(0, 1024)).map((entry) => entry.content)).toEqual(["ID=debian\n"]);
  });
});

describe("TarReader invalid headers", () => {
  it("rejects a bad checksum", () => {
    const archive = gnuTar("ustar", shortTree, ["etc/os-release", "etc/os-release.link"]);
    const damaged = archive.slice();
    damaged[1024] = 0x58; // first byte of the second header's name

    const error = caughtTarError(() => walk(damaged));
    expect(error.offset).toBe(1024);
    expect(error.message).toMatch(/^the header at offset 1024 has checksum \d+ but its bytes sum to \d+/);
  });

  it("rejects a non-octal size", () => {
    const archive = gnuTar("ustar", shortTree, ["etc/os-release"]).slice();
    archive[124] = 0x39; // "9"
    rewriteChecksum(archive, 0);

    expect(caughtTarError(() => walk(archive)).message).toContain("invalid size field (byte 0x39 is not an octal digit)");
  });

  it("rejects an oversized extended header", () => {
    const archive = gnuTar("pax", longTree, ["link"]).slice();
    const size = MAX_EXTENDED_HEADER_BYTES + 1;
    archive.set(new TextEncoder().encode(`${size.toString(8).padStart(11, "0")}\0`), 124);
    rewriteChecksum(archive, 0);

    expect(caughtTarError(() => walk(archive)).message).toBe(`the extended header at offset 0 claims ${size} bytes, over the ${MAX_EXTENDED_HEADER_BYTES}-byte maximum`);
  });

  it("rejects bytes that are not tar", () => {
    const error = caughtTarError(() => walk(new TextEncoder().encode("<html>not a layer</html>".repeat(40))));
    expect(error.offset).toBe(0);
  });

  it("rejects an invalid pax record", () => {
    const archive = gnuTar("pax", longTree, ["link"]).slice();
    // The pax body starts at offset 512 with a record length; break it.
    archive[512] = 0x78;
    const error = caughtTarError(() => walk(archive));
    expect(error.message).toBe("the pax extended header at offset 512 has an invalid record at byte 0");
  });

});

describe("TarReader content sinks", () => {
  it("skips the rest when a sink declines", () => {
    const archive = gnuTar("ustar", shortTree);
    const received: string[] = [];
    let ended = 0;
    const reader = new TarReader((entry) =>
      entry.type !== "file"
        ? null
        : {
            write: (bytes) => {
              received.push(Buffer.from(bytes).toString());
              return false;
            },
            end: () => {
              ended += 1;
            },
          },
    );
    for (let offset = 0; offset < archive.byteLength; offset += 1536 + 3) reader.write(archive.subarray(offset, offset + 1536 + 3));
    reader.end();

    // The content starts at offset 1536, so the first chunk ends 3 bytes into it.
    expect(received).toEqual(["ID="]);
    expect(ended).toBe(0);
  });
});
