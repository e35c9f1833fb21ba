import { describe, expect, it } from "vitest";

import { mergeLayers } from "@/lib/analysis/image-filesystem";
import type { LayerContents } from "@/lib/analysis/layer-reader";

function layer(digest: string, parts: { files?: Record<string, string>; symlinks?: Record<string, string>; whiteouts?: string[]; opaqueDirectories?: string[] }): LayerContents {
  return {
    digest,
    files: new Map(Object.entries(parts.files ?? {}).map(([path, content]) => [path, new TextEncoder().encode(content)])),
    symlinks: new Map(Object.entries(parts.symlinks ?? {})),
    whiteouts: parts.whiteouts ?? [],
    opaqueDirectories: parts.opaqueDirectories ?? [],
    problems: [],
    uncompressedBytes: 0,
  };
}

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

describe("mergeLayers", () => {
  it("applies whiteouts and opaque directories across three layers", () => {
    const fs = mergeLayers([
      layer("sha256:base", {
        files: {
          "/etc/os-release": "ID=debian\n",
          "/var/lib/dpkg/status": "base status",
          "/var/lib/dpkg/status.d/base-files": "base-files",
          "/var/lib/dpkg/status.d/tzdata": "tzdata",
          "/usr/share/doc/tar/copyright": "GPL-3+",
          "/opt/app/package.json": "{}",
        },
      }),
      layer("sha256:middle", {
        files: { "/var/lib/dpkg/status": "middle status", "/opt/app/node_modules/a/package.json": "{}" },
        whiteouts: ["/usr/share/doc/tar"],
        opaqueDirectories: ["/var/lib/dpkg/status.d"],
      }),
      layer("sha256:top", {
        files: { "/var/lib/dpkg/status.d/libc6": "libc6" },
        whiteouts: ["/opt/app", "/etc/not-there"],
      }),
    ]);

    expect(fs.paths()).toEqual([
      { path: "/etc/os-release", layerDigest: "sha256:base" },
      { path: "/var/lib/dpkg/status", layerDigest: "sha256:middle" },
      { path: "/var/lib/dpkg/status.d/libc6", layerDigest: "sha256:top" },
    ]);
    expect(text(fs.get("/var/lib/dpkg/status")?.content)).toBe("middle status");
    expect(fs.get("/var/lib/dpkg/status.d/tzdata")).toBeUndefined();
    expect(fs.get("/usr/share/doc/tar/copyright")).toBeUndefined();
    expect(fs.get("/opt/app/node_modules/a/package.json")).toBeUndefined();
  });

  it("re-adds a file after a whiteout in a later layer", () => {
    const fs = mergeLayers([
      layer("sha256:a", { files: { "/etc/os-release": "one" } }),
      layer("sha256:b", { whiteouts: ["/etc/os-release"] }),
      layer("sha256:c", { files: { "/etc/os-release": "three" } }),
    ]);
    expect(fs.get("/etc/os-release")).toEqual({ content: new TextEncoder().encode("three"), layerDigest: "sha256:c" });
  });

  it("keeps an opaque directory's own layer contents", () => {
    const fs = mergeLayers([
      layer("sha256:a", { files: { "/lib/apk/db/installed": "old" } }),
      layer("sha256:b", { files: { "/lib/apk/db/installed": "new" }, opaqueDirectories: ["/lib/apk/db"] }),
    ]);
    expect(text(fs.get("/lib/apk/db/installed")?.content)).toBe("new");
  });

  it("replaces a directory with a symlink", () => {
    const fs = mergeLayers([
      layer("sha256:a", { files: { "/lib/os-release": "lower", "/usr/lib/os-release": "usr" } }),
      layer("sha256:b", { symlinks: { "/lib": "usr/lib" } }),
    ]);
    expect(text(fs.get("/lib/os-release")?.content)).toBe("usr");
    expect(fs.paths().map((entry) => entry.path)).toEqual(["/usr/lib/os-release"]);
  });

  it("places upper entries through lower symlinks", () => {
    const fs = mergeLayers([
      layer("sha256:a", { symlinks: { "/lib": "usr/lib" } }),
      layer("sha256:b", { files: { "/lib/apk/db/installed": "P:musl" } }),
    ]);
    expect(fs.paths()).toEqual([{ path: "/usr/lib/apk/db/installed", layerDigest: "sha256:b" }]);
    expect(text(fs.get("/lib/apk/db/installed")?.content)).toBe("P:musl");
  });
});

describe("ImageFilesystem.get symlinks", () => {
  const fs = mergeLayers([
    layer("sha256:a", {
      files: { "/usr/lib/os-release": "ID=debian\n", "/etc/passwd": "root:x:0:0" },
      symlinks: {
        "/etc/os-release": "../usr/lib/os-release",
        "/etc/chain-1": "chain-2",
        "/etc/chain-2": "/etc/chain-3",
        "/etc/chain-3": "./os-release",
        "/etc/loop-a": "loop-b",
        "/etc/loop-b": "loop-a",
        "/etc/self": "self",
        "/escape": "../../../../etc/passwd",
        "/absolute-escape": "/../../usr/lib/os-release",
        "/usr/share/lib": "../lib",
        "/dangling": "/nowhere",
      },
    }),
  ]);

  const cases: { name: string; path: string; expected: string | undefined }[] = [
    { name: "relative target", path: "/etc/os-release", expected: "ID=debian\n" },
    { name: "chain of three", path: "/etc/chain-1", expected: "ID=debian\n" },
    { name: "symlinked parent directory", path: "/usr/share/lib/os-release", expected: "ID=debian\n" },
    { name: "dot-dot clamped at root", path: "/escape", expected: "root:x:0:0" },
    { name: "absolute target clamped", path: "/absolute-escape", expected: "ID=debian\n" },
    { name: "unnormalised request", path: "//etc/./os-release", expected: "ID=debian\n" },
    { name: "two-link loop", path: "/etc/loop-a", expected: undefined },
    { name: "self loop", path: "/etc/self", expected: undefined },
    { name: "dangling link", path: "/dangling", expected: undefined },
    { name: "missing file", path: "/etc/shadow", expected: undefined },
  ];
  for (const { name, path, expected } of cases) {
    it(`follows ${name}`, () => {
      expect(text(fs.get(path)?.content)).toBe(expected);
    });
  }

  it("resolves a loop to null", () => {
    expect(fs.resolve("/etc/loop-a")).toBeNull();
    expect(fs.resolve("/etc/chain-1")).toBe("/usr/lib/os-release");
  });

  it("stops at forty hops", () => {
    const symlinks: Record<string, string> = {};
    for (let index = 0; index < 41; index += 1) symlinks[`/link-${index}`] = `/link-${index + 1}`;
    const longChain = mergeLayers([layer("sha256:a", { files: { "/link-41": "end" }, symlinks })]);

    expect(text(longChain.get("/link-1")?.content)).toBe("end");
    expect(longChain.get("/link-0")).toBeUndefined();
  });
});
