import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { createLayerTar, readLayerEntries, type LayerEntry } from "@/lib/samples/layer-tar";
import { readTarEntries } from "@/lib/samples/read-tar-entries";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";

const MTIME = new Date("2024-01-01T00:00:00Z");

describe("createLayerTar", () => {
  it("sorts entries and adds parent directories", async () => {
    const tar = await createLayerTar(
      [
        { path: "usr/bin/tool", content: "#!/bin/sh\n", mode: 0o755 },
        { path: "etc/hostname", content: "demo\n" },
        { path: "etc/motd", symlinkTarget: "../usr/share/motd" },
      ],
      MTIME,
    );
    const entries = await readTarEntries(tar);

    expect(entries.map((entry) => `${entry.type} ${entry.name}`)).toEqual([
      "directory etc/",
      "file etc/hostname",
      "symlink etc/motd",
      "directory usr/",
      "directory usr/bin/",
      "file usr/bin/tool",
    ]);
    expect(entries.find((entry) => entry.name === "etc/motd")?.linkname).toBe("../usr/share/motd");
    expect(entries.find((entry) => entry.name === "usr/bin/tool")?.mode).toBe(0o755);
    expect(entries.find((entry) => entry.name === "etc/hostname")?.mode).toBe(0o644);
    expect(entries.find((entry) => entry.name === "usr/")?.mode).toBe(0o755);
    expect(entries.find((entry) => entry.name === "etc/hostname")?.content.toString()).toBe("demo\n");
  });

  it("writes owner 0 and the given mtime", async () => {
    const entries = await readTarEntries(await createLayerTar([{ path: "a/b", content: "x" }], MTIME));

    for (const entry of entries) {
      expect(entry.uid).toBe(0);
      expect(entry.gid).toBe(0);
      expect(entry.mtime.toISOString()).toBe(MTIME.toISOString());
    }
  });

  it("gives the same bytes for any input order", async () => {
    const files: LayerEntry[] = [
      { path: "b/two", content: "2" },
      { path: "a/one", content: new Uint8Array([1, 2, 3]) },
    ];
    const forward = await createLayerTar(files, MTIME);
    const reversed = await createLayerTar([...files].reverse(), MTIME);

    expect(Buffer.compare(Buffer.from(forward), Buffer.from(reversed))).toBe(0);
  });

  it("keeps paths longer than 100 bytes", async () => {
    const longPath = `app/${"deep/".repeat(30)}file.txt`;
    const entries = await readTarEntries(await createLayerTar([{ path: longPath, content: "deep" }], MTIME));

    expect(entries.at(-1)?.name).toBe(longPath);
    expect(entries.at(-1)?.content.toString()).toBe("deep");
  });

  it("strips leading slashes and ./", async () => {
    const entries = await readTarEntries(
      await createLayerTar([{ path: "/etc/a", content: "" }, { path: "./etc/b", content: "" }], MTIME),
    );

    expect(entries.map((entry) => entry.name)).toEqual(["etc/", "etc/a", "etc/b"]);
  });

  it.each([
    ["parent component", "etc/../passwd"],
    ["dot component", "etc/./passwd"],
    ["empty component", "etc//passwd"],
    ["empty path", "/"],
  ])("rejects a path with a %s", async (_case, path) => {
    await expect(createLayerTar([{ path, content: "" }], MTIME)).rejects.toThrow(AppError);
  });

  it("rejects duplicate paths", async () => {
    const duplicate = createLayerTar([{ path: "etc/a", content: "1" }, { path: "/etc/a", content: "2" }], MTIME);

    await expect(duplicate).rejects.toThrow(/Duplicate layer path "etc\/a"/);
  });

  it("rejects a file used as a directory", async () => {
    const conflict = createLayerTar([{ path: "etc", content: "" }, { path: "etc/a", content: "" }], MTIME);

    await expect(conflict).rejects.toThrow(/both a file and the parent directory/);
  });
});

describe("readLayerEntries", () => {
  it("reads the Debian root with its symlink", async () => {
    const entries = await readLayerEntries(join(SAMPLES_TESTDATA_DIR, "debian-12"));

    expect(entries.map((entry) => entry.path)).toEqual([
      "etc/debian_version",
      "etc/os-release",
      "usr/lib/os-release",
      "var/lib/dpkg/status",
    ]);
    expect(entries[1]).toEqual({ path: "etc/os-release", symlinkTarget: "../usr/lib/os-release" });
    expect(entries[0]).toMatchObject({ mode: 0o644 });
  });
});
