import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";

import tar from "tar-stream";
import { describe, expect, it } from "vitest";

import { mergeLayers } from "@/lib/analysis/image-filesystem";
import { normalizeLayerPath, readLayer, type ReadLayerOptions } from "@/lib/analysis/layer-reader";
import { AppError } from "@/lib/errors";
import { createDigestVerifier } from "@/lib/registry/digest";
import { parseDigest } from "@/lib/registry/reference";

interface TestEntry {
  name: string;
  type?: "file" | "symlink" | "link" | "directory";
  content?: string | Uint8Array;
  linkname?: string;
}

/** Builds an uncompressed tar archive with tar-stream. */
async function buildTar(entries: TestEntry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  for (const entry of entries) {
    const content = typeof entry.content === "string" ? new TextEncoder().encode(entry.content) : (entry.content ?? new Uint8Array(0));
    const type = entry.type ?? "file";
    const header = { name: entry.name, type, ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }) };
    if (type === "file") pack.entry(header, content);
    else pack.entry(header);
  }
  pack.finalize();

  const chunks: Uint8Array[] = [];
  for await (const chunk of pack) chunks.push(chunk as Uint8Array);
  return new Uint8Array(Buffer.concat(chunks));
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Streams `bytes` in chunks of `size`, as a registry response would arrive. */
async function* chunked(bytes: Uint8Array, size = 1000): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) {
    yield bytes.subarray(offset, offset + size);
  }
}

function options(bytes: Uint8Array, overrides: Partial<ReadLayerOptions> = {}): ReadLayerOptions {
  return {
    digest: sha256(bytes),
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    wants: () => true,
    maxFileBytes: () => 1024 * 1024,
    maxUncompressedBytes: 64 * 1024 * 1024,
    ...overrides,
  };
}

/** Streams `bytes` through the registry client's digest check, which errors at the end when they do not hash to `digest`. */
function verifiedStream(bytes: Uint8Array, digest: string): ReadableStream<Uint8Array> {
  const source = new Blob([new Uint8Array(bytes)]).stream() as ReadableStream<Uint8Array>;
  return source.pipeThrough(createDigestVerifier(parseDigest(digest), { repository: "acme/api" }));
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the promise to reject");
}

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

const sampleEntries: TestEntry[] = [
  { name: "./etc/", type: "directory" },
  { name: "./etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
  { name: "./usr/lib/os-release", content: "ID=debian\nVERSION_ID=12\n" },
  { name: "usr//share/./doc/../doc/bash/copyright", content: "GPL-3+" },
  { name: "/var/lib/dpkg/status", content: "Package: bash\n" },
];

describe("readLayer formats", () => {
  const cases: { name: string; encode: (tarBytes: Uint8Array) => Uint8Array }[] = [
    { name: "plain tar", encode: (tarBytes) => tarBytes },
    { name: "gzip", encode: (tarBytes) => new Uint8Array(gzipSync(tarBytes)) },
  ];

  for (const { name, encode } of cases) {
    it(`reads ${name}`, async () => {
      const tarBytes = await buildTar(sampleEntries);
      const blob = encode(tarBytes);
      const contents = await readLayer(chunked(blob, 333), options(blob));

      expect([...contents.files.keys()].sort()).toEqual(["/usr/lib/os-release", "/usr/share/doc/bash/copyright", "/var/lib/dpkg/status"]);
      expect(text(contents.files.get("/usr/lib/os-release"))).toBe("ID=debian\nVERSION_ID=12\n");
      expect(text(contents.files.get("/usr/share/doc/bash/copyright"))).toBe("GPL-3+");
      expect(contents.symlinks).toEqual(new Map([["/etc/os-release", "../usr/lib/os-release"]]));
      expect(contents.problems).toEqual([]);
      expect(contents.uncompressedBytes).toBe(tarBytes.byteLength);
      expect(contents.digest).toBe(sha256(blob));
    });
  }

  it("reads zstd fixture", async () => {
    const blob = new Uint8Array(await readFile(new URL("testdata/layers/debian-os-release.tar.zst", import.meta.url)));
    const contents = await readLayer(chunked(blob, 4096), options(blob, { mediaType: "application/vnd.oci.image.layer.v1.tar+zstd" }));

    expect(text(contents.files.get("/usr/lib/os-release"))).toContain('VERSION_ID="12"');
    expect(text(contents.files.get("/etc/debian_version"))).toBe("12.7\n");
    expect(contents.files.get("/opt/random.bin")?.byteLength).toBe(40960);
    expect(sha256(contents.files.get("/opt/random.bin") ?? new Uint8Array())).toBe("sha256:bd3e5da879ae099b535c7cd74d575d83190028b8623090a27932302e3123ad3b");
    expect(contents.symlinks.get("/etc/os-release")).toBe("../usr/lib/os-release");
    expect(contents.uncompressedBytes).toBe(51200);
  });

  it("detects gzip despite media type", async () => {
    const blob = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const contents = await readLayer(chunked(blob), options(blob, { mediaType: "application/vnd.oci.image.layer.v1.tar" }));
    expect(contents.files.has("/var/lib/dpkg/status")).toBe(true);
  });

  it("reads a web ReadableStream", async () => {
    const blob = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(blob.slice(0, 10));
        controller.enqueue(blob.slice(10));
        controller.close();
      },
    });
    const contents = await readLayer(stream, options(blob));
    expect(text(contents.files.get("/var/lib/dpkg/status"))).toBe("Package: bash\n");
  });

  it("reads an empty layer", async () => {
    const blob = new Uint8Array(0);
    const contents = await readLayer(chunked(blob), options(blob));
    expect(contents.files.size).toBe(0);
    expect(contents.uncompressedBytes).toBe(0);
  });
});

describe("readLayer entries", () => {
  it("buffers only requested files", async () => {
    const blob = await buildTar(sampleEntries);
    const contents = await readLayer(chunked(blob), options(blob, { wants: (path) => path.startsWith("/usr/") }));
    expect([...contents.files.keys()].sort()).toEqual(["/usr/lib/os-release", "/usr/share/doc/bash/copyright"]);
    // Symlinks are kept whether requested or not, to resolve requested paths later.
    expect(contents.symlinks.has("/etc/os-release")).toBe(true);
  });

  it("records whiteouts and opaque directories", async () => {
    const blob = await buildTar([
      { name: "etc/.wh.passwd" },
      { name: "var/lib/apt/lists/.wh..wh..opq" },
      { name: ".wh.tmp" },
      { name: "usr/.wh..wh.plnk" },
    ]);
    const contents = await readLayer(chunked(blob), options(blob));
    expect(contents.whiteouts).toEqual(["/etc/passwd", "/tmp"]);
    expect(contents.opaqueDirectories).toEqual(["/var/lib/apt/lists"]);
    expect(contents.files.size).toBe(0);
  });

  it("ignores paths escaping the root", async () => {
    const blob = await buildTar([
      { name: "../../etc/passwd", content: "root:x:0:0" },
      { name: "/../etc/shadow", content: "root:*" },
      { name: "usr/../../etc/group", content: "root:x:0:" },
      { name: "evil", type: "symlink", linkname: "/../../etc/passwd" },
      { name: "etc/hostname", content: "box" },
    ]);
    const contents = await readLayer(chunked(blob), options(blob));

    expect([...contents.files.keys()]).toEqual(["/etc/hostname"]);
    expect(contents.problems.map((problem) => problem.path)).toEqual(["../../etc/passwd", "/../etc/shadow", "usr/../../etc/group"]);
    expect(contents.problems[0]?.message).toContain("climbs above the image root");
    // The link itself is inside the root; where it points is resolved (and clamped) when layers merge.
    expect(contents.symlinks.get("/evil")).toBe("/../../etc/passwd");
  });

  it("buffers a file judged by its head", async () => {
    const binary = new Uint8Array(5000).map((_, index) => index % 251);
    const blob = await buildTar([
      { name: "usr/bin/kept", content: binary },
      { name: "usr/bin/dropped", content: new Uint8Array(5000).fill(7) },
    ]);
    const heads = new Map<string, number[]>();
    const contents = await readLayer(
      chunked(blob, 5),
      options(blob, {
        wantsContent: (path, head) => {
          heads.set(path, [...head]);
          return head[1] === 1;
        },
      }),
    );

    expect(heads.get("/usr/bin/kept")).toEqual([...binary.subarray(0, 16)]);
    expect([...contents.files.keys()]).toEqual(["/usr/bin/kept"]);
    expect(sha256(contents.files.get("/usr/bin/kept") ?? new Uint8Array())).toBe(sha256(binary));
  });

  it("keeps files onFile declines intact", async () => {
    const blob = await buildTar([
      { name: "usr/bin/first", content: "A".repeat(5000) },
      { name: "etc/kept", content: "kept content" },
      // Smaller than the first, so its bytes reuse the memory the first one was read into.
      { name: "usr/bin/second", content: "B".repeat(3000) },
    ]);
    const seen = new Map<string, string>();
    const contents = await readLayer(
      chunked(blob, 700),
      options(blob, {
        onFile: (path, content) => {
          seen.set(path, new TextDecoder().decode(content));
          return path.startsWith("/usr/bin/");
        },
      }),
    );

    expect(seen.get("/usr/bin/first")).toBe("A".repeat(5000));
    expect(seen.get("/usr/bin/second")).toBe("B".repeat(3000));
    expect([...contents.files.keys()]).toEqual(["/etc/kept"]);
    expect(text(contents.files.get("/etc/kept"))).toBe("kept content");
  });

  it("judges an empty file by its head", async () => {
    const blob = await buildTar([{ name: "etc/empty", content: "" }]);
    const heads: number[] = [];
    const contents = await readLayer(chunked(blob), options(blob, { wantsContent: (_path, head) => heads.push(head.byteLength) > 0 }));

    expect(heads).toEqual([0]);
    expect(contents.files.get("/etc/empty")?.byteLength).toBe(0);
  });

  it("skips a file over its cap", async () => {
    const blob = await buildTar([
      { name: "var/lib/dpkg/status", content: "x".repeat(2000) },
      { name: "etc/os-release", content: "ID=debian\n" },
    ]);
    const contents = await readLayer(chunked(blob), options(blob, { maxFileBytes: (path) => (path === "/var/lib/dpkg/status" ? 1000 : 100) }));

    expect(contents.files.has("/var/lib/dpkg/status")).toBe(false);
    expect(text(contents.files.get("/etc/os-release"))).toBe("ID=debian\n");
    expect(contents.problems).toEqual([{ path: "/var/lib/dpkg/status", message: "File is 2000 bytes, over the 1000-byte cap for this file; it was not read." }]);
    expect(contents.whiteouts).toEqual(["/var/lib/dpkg/status"]);
  });

  it("resolves hard links", async () => {
    const blob = await buildTar([
      { name: "usr/lib/os-release", content: "ID=alpine\n" },
      { name: "etc/os-release", type: "link", linkname: "usr/lib/os-release" },
      { name: "bin/busybox", content: "ELF" },
      { name: "bin/sh", type: "link", linkname: "bin/busybox" },
    ]);
    const contents = await readLayer(chunked(blob), options(blob, { wants: (path) => path !== "/bin/busybox" }));

    expect(text(contents.files.get("/etc/os-release"))).toBe("ID=alpine\n");
    expect(contents.files.has("/bin/sh")).toBe(false);
    expect(contents.problems).toHaveLength(1);
    expect(contents.problems[0]?.path).toBe("/bin/sh");
    expect(contents.problems[0]?.message).toContain("Hard link to /bin/busybox");
  });

  it("lets a later entry replace an earlier one", async () => {
    const blob = await buildTar([
      { name: "etc/os-release", content: "ID=old\n" },
      { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
      { name: "etc/issue", type: "symlink", linkname: "issue.net" },
      { name: "etc/issue", content: "Debian\n" },
    ]);
    const contents = await readLayer(chunked(blob), options(blob));
    expect(contents.files.has("/etc/os-release")).toBe(false);
    expect(contents.symlinks.get("/etc/os-release")).toBe("../usr/lib/os-release");
    expect(contents.symlinks.has("/etc/issue")).toBe(false);
    expect(text(contents.files.get("/etc/issue"))).toBe("Debian\n");
  });
});

describe("readLayer with mergeLayers", () => {
  it("applies three gzip layers in order", async () => {
    const layerTars = [
      await buildTar([
        { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
        { name: "usr/lib/os-release", content: "ID=debian\nVERSION_ID=11\n" },
        { name: "var/lib/dpkg/status.d/tzdata", content: "Package: tzdata\n" },
        { name: "var/lib/dpkg/status.d/openssl", content: "Package: openssl\n" },
        { name: "usr/share/doc/openssl/copyright", content: "Apache-2.0" },
      ]),
      await buildTar([
        { name: "var/lib/dpkg/status.d/.wh..wh..opq" },
        { name: "var/lib/dpkg/status.d/libc6", content: "Package: libc6\n" },
        { name: "usr/share/doc/.wh.openssl" },
      ]),
      await buildTar([
        { name: "usr/lib/os-release", content: "ID=debian\nVERSION_ID=12\n" },
        { name: "var/lib/dpkg/status.d/.wh.libc6" },
      ]),
    ];
    const layers = [];
    for (const tarBytes of layerTars) {
      const blob = new Uint8Array(gzipSync(tarBytes));
      layers.push(await readLayer(chunked(blob), options(blob)));
    }
    const fs = mergeLayers(layers);

    expect(fs.paths().map((entry) => entry.path)).toEqual(["/usr/lib/os-release"]);
    expect(text(fs.get("/etc/os-release")?.content)).toBe("ID=debian\nVERSION_ID=12\n");
    expect(fs.get("/etc/os-release")?.layerDigest).toBe(layers[2]?.digest);
  });

  it("hides a lower copy of a file over its cap", async () => {
    const layers = [];
    for (const status of ["Package: old\n", `Package: new\n${"#".repeat(2000)}`]) {
      const blob = new Uint8Array(gzipSync(await buildTar([{ name: "var/lib/dpkg/status", content: status }])));
      layers.push(await readLayer(chunked(blob), options(blob, { maxFileBytes: () => 1000 })));
    }
    const fs = mergeLayers(layers);

    expect(fs.get("/var/lib/dpkg/status")).toBeUndefined();
    expect(fs.paths()).toEqual([]);
  });
});

describe("readLayer failures", () => {
  it("raises DIGEST_MISMATCH on wrong digest", async () => {
    const blob = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const wrong = `sha256:${"0".repeat(64)}`;
    const error = await caught(readLayer(chunked(blob), options(blob, { digest: wrong })));

    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.message).toContain(wrong);
    expect(error.message).toContain(sha256(blob));
  });

  it("re-raises the verifying source's mismatch", async () => {
    const blob = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const wrong = `sha256:${"0".repeat(64)}`;
    const stream = verifiedStream(blob, wrong);
    const error = await caught(readLayer(stream, options(blob, { digest: wrong, sourceVerifiesDigest: true })));

    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.message).toContain("acme/api");
    expect(error.message).toContain(sha256(blob));
  });

  it("trusts a verifying source's digest", async () => {
    const blob = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const contents = await readLayer(chunked(blob), options(blob, { digest: `sha256:${"0".repeat(64)}`, sourceVerifiesDigest: true }));

    expect(text(contents.files.get("/usr/lib/os-release"))).toBe("ID=debian\nVERSION_ID=12\n");
  });

  it("reports truncation by a verifying source as mismatch", async () => {
    const full = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const truncated = full.slice(0, full.byteLength - 40);
    const stream = verifiedStream(truncated, sha256(full));
    const error = await caught(readLayer(stream, options(full, { sourceVerifiesDigest: true })));

    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.message).toContain(sha256(truncated));
  });

  it("raises TOO_LARGE for a gzip bomb", async () => {
    const blob = new Uint8Array(gzipSync(await buildTar([{ name: "zeros", content: new Uint8Array(4 * 1024 * 1024) }])));
    const error = await caught(readLayer(chunked(blob), options(blob, { maxUncompressedBytes: 100_000 })));

    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toContain(sha256(blob));
    expect(error.message).toContain("100000 bytes");
  });

  it("raises TOO_LARGE for zstd over cap", async () => {
    const blob = new Uint8Array(await readFile(new URL("testdata/layers/debian-os-release.tar.zst", import.meta.url)));
    const error = await caught(readLayer(chunked(blob, 4096), options(blob, { maxUncompressedBytes: 10_000 })));
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toContain("10000 bytes");
  });

  it("raises TOO_LARGE for plain tar over cap", async () => {
    const blob = await buildTar([{ name: "big", content: new Uint8Array(50_000) }]);
    const error = await caught(readLayer(chunked(blob), options(blob, { maxUncompressedBytes: 20_000 })));
    expect(error.code).toBe("TOO_LARGE");
  });

  it("explains truncated gzip", async () => {
    const full = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const truncated = full.slice(0, full.byteLength - 40);
    const error = await caught(readLayer(chunked(truncated), options(truncated)));

    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain(`Layer ${sha256(truncated)} could not be read`);
    expect(error.message).toContain("gzip stream is invalid or truncated");
  });

  it("reports truncation against full digest as mismatch", async () => {
    const full = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const truncated = full.slice(0, full.byteLength - 40);
    const error = await caught(readLayer(chunked(truncated), options(full)));
    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(error.cause).toBeInstanceOf(AppError);
  });

  it("explains truncated zstd", async () => {
    const full = new Uint8Array(await readFile(new URL("testdata/layers/debian-os-release.tar.zst", import.meta.url)));
    const truncated = full.slice(0, 20_000);
    const error = await caught(readLayer(chunked(truncated, 4096), options(truncated)));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain("zstd stream is invalid or truncated");
  });

  it("explains truncated plain tar", async () => {
    const full = await buildTar([{ name: "file", content: "x".repeat(5000) }]);
    const truncated = full.slice(0, 2048);
    const error = await caught(readLayer(chunked(truncated), options(truncated)));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain("tar stream is invalid");
  });

  it("names layer and offset of a bad checksum", async () => {
    const tarBytes = (await buildTar(sampleEntries)).slice();
    tarBytes[512] = (tarBytes[512] ?? 0) ^ 0x01; // the second header's first name byte
    const blob = new Uint8Array(gzipSync(tarBytes));
    const error = await caught(readLayer(chunked(blob), options(blob)));

    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain(`Layer ${sha256(blob)} could not be read`);
    expect(error.message).toContain("the header at offset 512 has checksum");
  });

  it("names the entry and offset of a truncated tar", async () => {
    const full = await buildTar([{ name: "usr/bin/tool", content: "x".repeat(5000) }]);
    const truncated = full.slice(0, 2048);
    const error = await caught(readLayer(chunked(truncated), options(truncated)));
    expect(error.message).toContain('the archive ends at offset 2048 inside entry "usr/bin/tool" (header at offset 0), 3464 content bytes short');
  });

  it("rejects bytes that are not tar", async () => {
    const blob = new TextEncoder().encode("<html>not a layer</html>".repeat(40));
    const error = await caught(readLayer(chunked(blob), options(blob)));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain(sha256(blob));
  });

  it("rejects a malformed digest", async () => {
    const error = await caught(readLayer(chunked(new Uint8Array(0)), options(new Uint8Array(0), { digest: "sha256:xyz" })));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain('"sha256:xyz"');
  });

  it("re-raises source errors unchanged", async () => {
    const blob = new Uint8Array(gzipSync(await buildTar(sampleEntries)));
    const failure = new Error("connection reset");
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield blob.subarray(0, 100);
      throw failure;
    }
    await expect(readLayer(failing(), options(blob))).rejects.toBe(failure);
  });
});

describe("normalizeLayerPath", () => {
  const cases: [string, string | null][] = [
    ["./etc/os-release", "/etc/os-release"],
    ["etc//apk/./world", "/etc/apk/world"],
    ["/usr/lib/../lib/os-release", "/usr/lib/os-release"],
    ["./", "/"],
    ["usr/", "/usr"],
    ["../etc/passwd", null],
    ["/../etc/passwd", null],
    ["a/../../b", null],
    ["./usr/bin/env", "/usr/bin/env"],
    ["usr/bin/env", "/usr/bin/env"],
    ["usr/.hidden/file", "/usr/.hidden/file"],
    ["usr/./bin", "/usr/bin"],
    ["./../x", null],
    ["..", null],
    [".wh.file", "/.wh.file"],
    ["etc/..", "/"],
    ["", "/"],
    ["/", "/"],
    ["...", "/..."],
    ["//etc/passwd", "/etc/passwd"],
    [".//etc/passwd", "/etc/passwd"],
  ];
  for (const [input, expected] of cases) {
    it(`normalises ${JSON.stringify(input)}`, () => {
      expect(normalizeLayerPath(input)).toBe(expected);
    });
  }
});
