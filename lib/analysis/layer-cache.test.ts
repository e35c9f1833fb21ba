import { gunzipSync, gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";

import { decodeFiles, encodeFiles, layerContentsFromCache, loadLayerCache, storeLayerEntries, type LayerCacheEntry } from "@/lib/analysis/layer-cache";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";

describe("cached layer files", () => {
  it("decode to the files that were encoded", async () => {
    const files = new Map<string, Uint8Array>([
      ["/var/lib/dpkg/status", new TextEncoder().encode("Package: libc6\nStatus: install ok installed\n")],
      ["/usr/share/doc/empty/copyright", new Uint8Array(0)],
      ["/opt/données/ünïcode", Uint8Array.from([0, 255, 1, 254, 0x1f, 0x8b])],
    ]);

    const decoded = await decodeFiles(await encodeFiles(files));

    expect([...decoded.keys()]).toEqual([...files.keys()]);
    for (const [path, content] of files) expect(Buffer.from(decoded.get(path)!).equals(Buffer.from(content))).toBe(true);
  });

  it("read rows written in the earlier JSON form", async () => {
    const legacy = gzipSync(JSON.stringify({ "/etc/os-release": Buffer.from("ID=debian\n").toString("base64") }));

    const decoded = await decodeFiles(new Uint8Array(legacy));

    expect(new TextDecoder().decode(decoded.get("/etc/os-release"))).toBe("ID=debian\n");
  });

  it("reject a stream that ends inside a file", async () => {
    const encoded = await encodeFiles(new Map([["/etc/os-release", new TextEncoder().encode("ID=debian\n")]]));
    const truncated = gzipSync(gunzipSync(encoded).subarray(0, -3));

    await expect(decodeFiles(new Uint8Array(truncated))).rejects.toThrow("Cached layer files end inside the file at byte 4.");
  });
});

describe("layerContentsFromCache", () => {
  const database = new TextEncoder().encode("P:musl\nV:1.1.19-r10\n\n");
  const apk: LayerCacheEntry = { cataloger: "apk", version: 1, packagesByPath: {}, files: new Map([["/lib/apk/db/installed", database]]), problems: [] };
  // The Go cataloger lists every candidate path it was given, the apk database included, with no packages.
  const goBinary: LayerCacheEntry = { cataloger: "go-binary", version: 2, packagesByPath: { "/lib/apk/db/installed": [] }, files: new Map(), problems: [] };

  for (const [order, entries] of [
    ["apk first", [apk, goBinary]],
    ["apk last", [goBinary, apk]],
  ] as const) {
    it(`keeps a kept file's content over a placeholder, ${order}`, () => {
      const contents = layerContentsFromCache("sha256:layer", new Map(entries.map((entry) => [entry.cataloger, entry])));

      expect(contents.files.get("/lib/apk/db/installed")).toBe(database);
    });
  }
});

describe("storeLayerEntries", () => {
  const prisma = getPrisma();
  const layerDigest = `sha256:${"a".repeat(64)}`;
  const otherLayer = `sha256:${"b".repeat(64)}`;
  const status = new TextEncoder().encode("Package: libc6\nStatus: install ok installed\n");

  beforeEach(async () => {
    await resetDatabase();
  });

  it("stores and replaces a layer's entries", async () => {
    const dpkg: LayerCacheEntry = { cataloger: "dpkg", version: 1, packagesByPath: {}, files: new Map([["/var/lib/dpkg/status", status]]), problems: [] };
    const npm: LayerCacheEntry = { cataloger: "npm", version: 1, packagesByPath: { "/app/package.json": [] }, files: new Map(), problems: [{ path: "/app/package.json", message: "not JSON" }] };
    await storeLayerEntries(prisma, layerDigest, [dpkg, npm]);
    await storeLayerEntries(prisma, otherLayer, [{ ...npm, problems: [] }]);
    await storeLayerEntries(prisma, layerDigest, [{ ...npm, version: 2, problems: [] }]);
    await storeLayerEntries(prisma, layerDigest, []);

    const cache = await loadLayerCache(prisma, [layerDigest, otherLayer]);
    const stored = cache.get(layerDigest);
    expect([...(stored?.keys() ?? [])]).toEqual(["dpkg", "npm"]);
    expect(new TextDecoder().decode(stored?.get("dpkg")?.files.get("/var/lib/dpkg/status"))).toBe("Package: libc6\nStatus: install ok installed\n");
    expect(stored?.get("npm")).toMatchObject({ version: 2, packagesByPath: { "/app/package.json": [] }, problems: [] });
    expect(cache.get(otherLayer)?.get("npm")?.version).toBe(1);
  });
});
