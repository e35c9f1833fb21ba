import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { readRpmHeader, RPMTAG } from "@/lib/analysis/catalogers/rpm-header";
import { readNdbPackageBlobs } from "@/lib/analysis/catalogers/rpm-ndb";
import { rpmCataloger } from "@/lib/analysis/catalogers/rpm";
import type { CatalogContext, CatalogedPackage, OsRelease } from "@/lib/analysis/types";

const TESTDATA = fileURLToPath(new URL("./testdata/rpm/", import.meta.url));
const NO_OS: CatalogContext = { os: null };

/** Reads a fixture folder as a root filesystem, keyed by absolute in-image path; notes beside the files are left out. */
function readRootFilesystem(folder: string): Map<string, Uint8Array> {
  const root = join(TESTDATA, folder);
  const files = new Map<string, Uint8Array>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === "expected.json") continue;
    const fullPath = join(entry.parentPath, entry.name);
    files.set(`/${relative(root, fullPath)}`, new Uint8Array(readFileSync(fullPath)));
  }
  return files;
}

function osRelease(id: string, versionId: string): OsRelease {
  return { id, versionId, prettyName: null, ecosystem: null, endOfLife: null };
}

const SHIPSHAPE_FIXTURE_PACKAGES = (path: string): CatalogedPackage[] => [
  {
    type: "rpm",
    name: "shipshape-fixture-libs",
    version: "1:1.2.3-4.fc40",
    purl: "pkg:rpm/fedora/shipshape-fixture-libs@1.2.3-4.fc40?arch=noarch&epoch=1",
    license: "GPL-2.0-or-later AND BSD-3-Clause",
    licenseDeclared: ["GPLv2+ and BSD"],
    arch: "noarch",
    sourceName: "shipshape-fixture",
    sourceVersion: "1:1.2.3-4.fc40",
    path,
  },
  {
    type: "rpm",
    name: "shipshape-fixture",
    version: "1:1.2.3-4.fc40",
    purl: "pkg:rpm/fedora/shipshape-fixture@1.2.3-4.fc40?arch=x86_64&epoch=1",
    license: "MIT",
    licenseDeclared: ["MIT"],
    arch: "x86_64",
    sourceName: "shipshape-fixture",
    sourceVersion: "1:1.2.3-4.fc40",
    path,
  },
];

const MARINER_MANIFEST = "/var/lib/rpmmanifest/container-manifest-2";

function marinerPackage(name: string, version: string, arch: string, sourceName: string, epoch = ""): CatalogedPackage {
  const epochQualifier = epoch ? `&epoch=${epoch}` : "";
  const epochPrefix = epoch ? `${epoch}:` : "";
  return {
    type: "rpm",
    name,
    version: `${epochPrefix}${version}`,
    purl: `pkg:rpm/mariner/${name}@${version}?arch=${arch}${epochQualifier}`,
    license: null,
    licenseDeclared: [],
    arch,
    sourceName,
    sourceVersion: `${epochPrefix}${version}`,
    path: MARINER_MANIFEST,
  };
}

describe("rpmCataloger.parse fixtures", () => {
  const cases: Array<{ folder: string; packages: CatalogedPackage[] }> = [
    {
      folder: "go-rpmdb-libuuid-bdb",
      packages: [
        {
          type: "rpm",
          name: "libuuid",
          version: "2.32.1-42.el8_8",
          purl: "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64",
          license: "BSD-3-Clause",
          licenseDeclared: ["BSD"],
          arch: "x86_64",
          sourceName: "util-linux",
          sourceVersion: "2.32.1-42.el8_8",
          path: "/var/lib/rpm/Packages",
        },
      ],
    },
    {
      folder: "syft-dive-bdb",
      packages: [
        {
          type: "rpm",
          name: "dive",
          version: "0.9.2-1",
          // The header has an empty VENDOR, so without OS facts the PURL has no namespace.
          purl: "pkg:rpm/dive@0.9.2-1?arch=x86_64",
          license: "MIT",
          licenseDeclared: ["MIT"],
          arch: "x86_64",
          sourceName: "dive",
          sourceVersion: "0.9.2-1",
          path: "/var/lib/rpm/Packages",
        },
      ],
    },
    {
      folder: "syft-mariner-distroless-rpmmanifest",
      packages: [
        marinerPackage("mariner-release", "2.0-12.cm2", "noarch", "mariner-release"),
        marinerPackage("filesystem", "1.1-9.cm2", "x86_64", "filesystem"),
        marinerPackage("glibc", "2.35-2.cm2", "x86_64", "glibc"),
        marinerPackage("openssl-libs", "1.1.1k-15.cm2", "x86_64", "openssl"),
        marinerPackage("vim", "9.0-1.cm2", "x86_64", "vim", "2"),
      ],
    },
    { folder: "rpm-sqlite", packages: SHIPSHAPE_FIXTURE_PACKAGES("/var/lib/rpm/rpmdb.sqlite") },
    { folder: "rpm-ndb", packages: SHIPSHAPE_FIXTURE_PACKAGES("/usr/lib/sysimage/rpm/Packages.db") },
  ];

  it.each(cases)("reads $folder", ({ folder, packages }) => {
    const result = rpmCataloger.parse(readRootFilesystem(folder), NO_OS);

    expect(result.problems).toEqual([]);
    expect(result.packages).toEqual(packages);
  });

  const upstreamCases = ["go-rpmdb-libuuid-bdb", "syft-dive-bdb", "syft-mariner-distroless-rpmmanifest"];

  it.each(upstreamCases)("matches the facts in %s/expected.json", (folder) => {
    const expected = JSON.parse(readFileSync(join(TESTDATA, folder, "expected.json"), "utf8")) as {
      packages: Array<{ name: string; version: string; release: string; arch: string; epoch?: number; source_rpm: string; license?: string }>;
    };
    const { packages } = rpmCataloger.parse(readRootFilesystem(folder), NO_OS);

    expect(packages.map((pkg) => pkg.name)).toEqual(expected.packages.map((pkg) => pkg.name));
    for (const [index, fact] of expected.packages.entries()) {
      const pkg = packages[index];
      const epochPrefix = fact.epoch ? `${fact.epoch}:` : "";
      expect(pkg?.version).toBe(`${epochPrefix}${fact.version}-${fact.release}`);
      expect(pkg?.arch).toBe(fact.arch);
      expect(`${pkg?.sourceName}-${pkg?.sourceVersion?.replace(/^\d+:/, "")}.src.rpm`).toBe(fact.source_rpm);
      expect(pkg?.licenseDeclared).toEqual(fact.license === undefined ? [] : [fact.license]);
    }
  });
});

describe("rpmCataloger PURL", () => {
  const cases: Array<{ os: OsRelease; purl: string }> = [
    { os: osRelease("rhel", "8.8"), purl: "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=rhel-8.8" },
    { os: osRelease("almalinux", "8.8"), purl: "pkg:rpm/almalinux/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=almalinux-8.8" },
    { os: osRelease("rocky", "8.8"), purl: "pkg:rpm/rocky/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=rocky-8.8" },
    { os: osRelease("centos", "8"), purl: "pkg:rpm/centos/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=centos-8" },
    { os: osRelease("amzn", "2023"), purl: "pkg:rpm/amazon/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=amzn-2023" },
    { os: osRelease("ol", "8.8"), purl: "pkg:rpm/oracle/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=ol-8.8" },
    { os: osRelease("sles", "15.5"), purl: "pkg:rpm/suse/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=sles-15.5" },
    { os: osRelease("someos", "1"), purl: "pkg:rpm/someos/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=someos-1" },
  ];

  it.each(cases)("names the namespace after OS $os.id", ({ os, purl }) => {
    const { packages } = rpmCataloger.parse(readRootFilesystem("go-rpmdb-libuuid-bdb"), { os });

    expect(packages[0]?.purl).toBe(purl);
  });

  it("omits distro without a VERSION_ID", () => {
    const os: OsRelease = { ...osRelease("fedora", ""), versionId: null };
    const { packages } = rpmCataloger.parse(readRootFilesystem("rpm-sqlite"), { os });

    expect(packages[1]?.purl).toBe("pkg:rpm/fedora/shipshape-fixture@1.2.3-4.fc40?arch=x86_64&epoch=1");
  });
});

describe("rpmCataloger.wants", () => {
  const cases: Array<{ path: string; wanted: boolean }> = [
    { path: "/var/lib/rpm/Packages", wanted: true },
    { path: "/var/lib/rpm/rpmdb.sqlite", wanted: true },
    { path: "/var/lib/rpm/Packages.db", wanted: true },
    { path: "/usr/lib/sysimage/rpm/rpmdb.sqlite", wanted: true },
    { path: "/usr/lib/sysimage/rpm/Packages.db", wanted: true },
    { path: "/var/lib/rpmmanifest/container-manifest-2", wanted: true },
    { path: "/var/lib/rpm/Name", wanted: false },
    { path: "/var/lib/rpm/rpmdb.sqlite-wal", wanted: false },
    { path: "/var/lib/rpm/sub/Packages", wanted: false },
    { path: "/srv/var/lib/rpm/Packages", wanted: false },
  ];

  it.each(cases)("returns $wanted for $path", ({ path, wanted }) => {
    expect(rpmCataloger.wants(path)).toBe(wanted);
  });
});

describe("rpmCataloger.parse bad input", () => {
  const ndbPath = "/usr/lib/sysimage/rpm/Packages.db";
  const ndbFile = () => new Uint8Array(readRootFilesystem("rpm-ndb").get(ndbPath) ?? []);
  const libuuidFile = () => new Uint8Array(readRootFilesystem("go-rpmdb-libuuid-bdb").get("/var/lib/rpm/Packages") ?? []);

  it("reports a corrupt ndb blob and keeps the others", () => {
    const file = ndbFile();
    // The first blob starts at block 256, just after the slot page; byte 100 lies inside its header data.
    file[4096 + 100] = (file[4096 + 100] ?? 0) ^ 0xff;

    const result = rpmCataloger.parse(new Map([[ndbPath, file]]), NO_OS);

    expect(result.packages.map((pkg) => pkg.name)).toEqual(["shipshape-fixture"]);
    expect(result.problems).toEqual([{ path: ndbPath, message: "skipped rpm package record 1: rpm ndb blob of package 1 has a bad Adler-32 checksum" }]);
  });

  it("reports a truncated Berkeley DB file", () => {
    const truncated = libuuidFile().subarray(0, 4096 * 4);

    const result = rpmCataloger.parse(new Map([["/var/lib/rpm/Packages", truncated]]), NO_OS);

    expect(result.packages).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toMatch(/^skipped rpm package record \d+: Berkeley DB (overflow chain is broken|value length)/);
  });

  const unreadable: Array<{ name: string; path: string; content: Uint8Array; message: RegExp }> = [
    { name: "text as Berkeley DB", path: "/var/lib/rpm/Packages", content: new TextEncoder().encode("x".repeat(4096)), message: /not a Berkeley DB hash database/ },
    { name: "short Berkeley DB", path: "/var/lib/rpm/Packages", content: new Uint8Array(100), message: /Berkeley DB file is truncated/ },
    { name: "text as SQLite", path: "/var/lib/rpm/rpmdb.sqlite", content: new TextEncoder().encode("not a database".repeat(100)), message: /rpm SQLite database could not be (opened|read)/ },
    { name: "text as ndb", path: ndbPath, content: new TextEncoder().encode("x".repeat(8192)), message: /not an rpm ndb database/ },
    { name: "ndb without slot pages", path: ndbPath, content: ndbFile().subarray(0, 2048), message: /invalid slot page count/ },
  ];

  it.each(unreadable)("reports $name as a problem", ({ path, content, message }) => {
    const result = rpmCataloger.parse(new Map([[path, content]]), NO_OS);

    expect(result.packages).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.path).toBe(path);
    expect(result.problems[0]?.message).toMatch(message);
  });

  it("reports bad manifest lines and keeps the others", () => {
    const manifest = [
      "short\tline",
      "noversion\t1.0\t0\t0\tVendor\t(none)\t1\tx86_64\t0\tnoversion-1.0.src.rpm",
      "badepoch\t1.0-1\t0\t0\tVendor\tx\t1\tx86_64\t0\tbadepoch-1.0-1.src.rpm",
      "bash\t5.1.8-2.cm2\t0\t0\tMicrosoft Corporation\t(none)\t1\tx86_64\t0\tbash-5.1.8-2.cm2.src.rpm",
    ].join("\n");

    const result = rpmCataloger.parse(new Map([[MARINER_MANIFEST, new TextEncoder().encode(manifest)]]), NO_OS);

    expect(result.packages.map((pkg) => `${pkg.name} ${pkg.version}`)).toEqual(["bash 5.1.8-2.cm2"]);
    expect(result.problems.map((problem) => problem.message)).toEqual([
      "skipped rpm package record 1: rpm manifest line 1 has 2 tab-separated fields, expected 10",
      'skipped rpm package record 2: rpm manifest line 2 has an invalid name or VERSION-RELEASE "1.0"',
      'skipped rpm package record 3: rpm manifest line 3 has an invalid epoch "x"',
    ]);
  });

  it("skips gpg-pubkey entries", () => {
    const manifest = "gpg-pubkey\t3228467c-613798eb\t0\t0\t(none)\t(none)\t0\t(none)\t0\t(none)\n";

    const result = rpmCataloger.parse(new Map([[MARINER_MANIFEST, new TextEncoder().encode(manifest)]]), NO_OS);

    expect(result).toEqual({ packages: [], problems: [] });
  });

  it("reads one database reached by two paths once", () => {
    const file = ndbFile();
    const files = new Map([
      ["/var/lib/rpm/Packages.db", file],
      [ndbPath, file],
    ]);

    expect(rpmCataloger.parse(files, NO_OS).packages).toHaveLength(2);
  });
});

/** Builds a header blob from string and INT32 entries, in the layout rpm stores. */
function buildHeader(entries: Array<{ tag: number; type: 4 | 6; value: string | number }>): Uint8Array {
  const data: number[] = [];
  const index: number[][] = [];
  for (const entry of entries) {
    if (entry.type === 4) {
      while (data.length % 4 !== 0) data.push(0);
      index.push([entry.tag, 4, data.length, 1]);
      const value = entry.value as number;
      data.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
    } else {
      index.push([entry.tag, 6, data.length, 1]);
      data.push(...new TextEncoder().encode(entry.value as string), 0);
    }
  }

  const blob = new Uint8Array(8 + index.length * 16 + data.length);
  const view = new DataView(blob.buffer);
  view.setUint32(0, index.length);
  view.setUint32(4, data.length);
  index.forEach((fields, i) => fields.forEach((field, j) => view.setUint32(8 + i * 16 + j * 4, field)));
  blob.set(data, 8 + index.length * 16);
  return blob;
}

describe("readRpmHeader", () => {
  const nameVersionRelease = [
    { tag: RPMTAG.NAME, type: 6 as const, value: "bash" },
    { tag: RPMTAG.VERSION, type: 6 as const, value: "5.2.26" },
    { tag: RPMTAG.RELEASE, type: 6 as const, value: "1.fc40" },
  ];

  it("reads the package fields", () => {
    const blob = buildHeader([
      ...nameVersionRelease,
      { tag: RPMTAG.EPOCH, type: 4, value: 3 },
      { tag: RPMTAG.ARCH, type: 6, value: "aarch64" },
      { tag: RPMTAG.LICENSE, type: 6, value: "GPL-3.0-or-later" },
      { tag: RPMTAG.SOURCERPM, type: 6, value: "bash-5.2.26-1.fc40.src.rpm" },
      { tag: RPMTAG.VENDOR, type: 6, value: "Fedora Project" },
    ]);

    expect(readRpmHeader(blob)).toEqual({
      name: "bash",
      version: "5.2.26",
      release: "1.fc40",
      epoch: 3,
      arch: "aarch64",
      license: "GPL-3.0-or-later",
      sourceRpm: "bash-5.2.26-1.fc40.src.rpm",
      vendor: "Fedora Project",
    });
  });

  it("reads a real header from the ndb fixture", () => {
    const blobs = readNdbPackageBlobs(readRootFilesystem("rpm-ndb").get("/usr/lib/sysimage/rpm/Packages.db") ?? new Uint8Array());
    const first = blobs[0];
    if (!first || "error" in first) throw new Error("the ndb fixture has no readable first blob");

    expect(readRpmHeader(first.blob).name).toBe("shipshape-fixture-libs");
  });

  const realBlob = () => {
    const first = readNdbPackageBlobs(readRootFilesystem("rpm-ndb").get("/usr/lib/sysimage/rpm/Packages.db") ?? new Uint8Array())[0];
    return first && "blob" in first ? first.blob : new Uint8Array();
  };

  const malformed: Array<{ name: string; blob: () => Uint8Array; message: RegExp }> = [
    { name: "empty blob", blob: () => new Uint8Array(0), message: /truncated: 0 bytes/ },
    { name: "truncated real header", blob: () => realBlob().subarray(0, realBlob().length - 40), message: /rpm header is truncated/ },
    { name: "zero index entries", blob: () => new Uint8Array(8), message: /invalid index entry count 0/ },
    { name: "missing NAME", blob: () => buildHeader(nameVersionRelease.slice(1)), message: /missing NAME, VERSION or RELEASE/ },
    {
      name: "string without NUL",
      blob: () => {
        const blob = buildHeader(nameVersionRelease);
        blob[blob.length - 1] = 0x41;
        return blob;
      },
      message: /without a terminating NUL/,
    },
    {
      name: "offset outside the data",
      blob: () => {
        const blob = buildHeader(nameVersionRelease);
        new DataView(blob.buffer).setUint32(8 + 8, 9999);
        return blob;
      },
      message: /points outside the data store/,
    },
    {
      name: "NAME stored as INT32",
      blob: () => buildHeader([{ tag: RPMTAG.NAME, type: 4, value: 1 }, ...nameVersionRelease.slice(1)]),
      message: /tag 1000 has type 4, expected a string/,
    },
  ];

  it.each(malformed)("rejects $name", ({ blob, message }) => {
    expect(() => readRpmHeader(blob())).toThrow(message);
  });
});
