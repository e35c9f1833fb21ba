import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

import { parseModuleInfo } from "@/lib/analysis/catalogers/go-binary-buildinfo";
import { goBinaryCataloger } from "@/lib/analysis/catalogers/go-binary";
import { readElfFile } from "@/lib/analysis/catalogers/go-binary-elf";
import { rustAuditableCataloger } from "@/lib/analysis/catalogers/rust-auditable";
import type { CatalogedPackage } from "@/lib/analysis/types";

const TESTDATA = fileURLToPath(new URL("./testdata/go-binary/", import.meta.url));
const NO_OS = { os: null };

function fixture(name: string): Uint8Array {
  const bytes = readFileSync(`${TESTDATA}${name}`);
  return new Uint8Array(name.endsWith(".gz") ? gunzipSync(bytes) : bytes);
}

function golang(name: string, version: string, purl: string, arch?: string): Omit<CatalogedPackage, "path"> {
  return { type: "golang", name, version, purl, license: null, licenseDeclared: [], ...(arch ? { arch } : {}) };
}

interface ExpectedFile {
  packages: Array<{ name: string; version?: string }>;
}

describe("goBinaryCataloger.parse fixtures", () => {
  const cases: Array<{ file: string; expectedFile: string; packages: Array<Omit<CatalogedPackage, "path">> }> = [
    {
      // Go 1.15: build info behind pointers, main module "(devel)", no GOARCH setting.
      file: "test.elf.gz",
      expectedFile: "test.elf.expected.json",
      packages: [
        golang("github.com/aquasecurity/test", "", "pkg:golang/github.com/aquasecurity/test"),
        golang("stdlib", "1.15.2", "pkg:golang/stdlib@1.15.2"),
        golang(
          "github.com/aquasecurity/go-pep440-version",
          "v0.0.0-20210121094942-22b2f8951d46",
          "pkg:golang/github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46",
        ),
        golang(
          "github.com/aquasecurity/go-version",
          "v0.0.0-20210121072130-637058cfe492",
          "pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492",
        ),
        golang("golang.org/x/xerrors", "v0.0.0-20200804184101-5ec99f83aff1", "pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1"),
      ],
    },
    {
      // Go 1.22 inline build info with a GOEXPERIMENT suffix on the version and no main module.
      file: "goexperiment",
      expectedFile: "goexperiment.expected.json",
      packages: [golang("stdlib", "1.22.1", "pkg:golang/stdlib@1.22.1", "arm64")],
    },
    {
      file: "main-version-via-ldflags.elf",
      expectedFile: "main-version-via-ldflags.elf.expected.json",
      packages: [
        golang("github.com/aquasecurity/test", "v1.0.0", "pkg:golang/github.com/aquasecurity/test@v1.0.0", "amd64"),
        golang("stdlib", "1.22.1", "pkg:golang/stdlib@1.22.1", "amd64"),
      ],
    },
  ];

  it.each(cases)("reads $file", ({ file, packages }) => {
    const path = `/usr/local/bin/${file}`;
    const result = goBinaryCataloger.parse(new Map([[path, fixture(file)]]), NO_OS);

    expect(result.problems).toEqual([]);
    expect(result.packages).toEqual(packages.map((pkg) => ({ ...pkg, path })));
  });

  // trivy writes the toolchain as "v1.22.1". Shipshape drops the "v" because OSV's stdlib ranges have none.
  it.each(cases)("matches the names and versions in $expectedFile", ({ file, expectedFile }) => {
    const expected = JSON.parse(readFileSync(`${TESTDATA}${expectedFile}`, "utf8")) as ExpectedFile;
    const { packages } = goBinaryCataloger.parse(new Map([["/app/bin", fixture(file)]]), NO_OS);

    const actual = packages.map((pkg) => ({ name: pkg.name, version: pkg.name === "stdlib" ? `v${pkg.version}` : pkg.version }));
    const facts = expected.packages.map((pkg) => ({ name: pkg.name, version: pkg.version ?? "" }));
    expect(actual.sort((a, b) => a.name.localeCompare(b.name))).toEqual(facts.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it("finds build info without the section header", () => {
    const binary = fixture("main-version-via-ldflags.elf");
    const sectionName = new TextEncoder().encode(".go.buildinfo\0");
    const at = Buffer.from(binary).indexOf(Buffer.from(sectionName));
    // Renaming the section makes the reader search the writable segments, as it must for binaries without sections.
    binary[at + 1] = "x".charCodeAt(0);

    const { packages, problems } = goBinaryCataloger.parse(new Map([["/app/server", binary]]), NO_OS);

    expect(problems).toEqual([]);
    expect(packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(["github.com/aquasecurity/test@v1.0.0", "stdlib@1.22.1"]);
  });
});

describe("goBinaryCataloger.parse other files", () => {
  it("skips a file that is not ELF", () => {
    // trivy reports "unrecognized executable format" here. Scripts and data in bin directories are normal, so Shipshape stays silent.
    const result = goBinaryCataloger.parse(new Map([["/usr/bin/dummy", fixture("dummy")]]), NO_OS);

    expect(result).toEqual({ packages: [], problems: [] });
  });

  it("skips an ELF file without Go build info", () => {
    const rustBinary = new Uint8Array(readFileSync(fileURLToPath(new URL("./testdata/rust/test.elf", import.meta.url))));

    const result = goBinaryCataloger.parse(new Map([["/usr/bin/tool", rustBinary]]), NO_OS);

    expect(result).toEqual({ packages: [], problems: [] });
  });

  it("reports build info pointing outside the file", () => {
    const binary = fixture("test.elf.gz");
    const magic = Buffer.from(binary).indexOf(Buffer.from("\xff Go buildinf:", "latin1"));
    // Go 1.15 stores a little-endian pointer to the version string at header byte 16.
    binary.set([0xee, 0xee, 0xee, 0x0e, 0, 0, 0, 0], magic + 16);

    const result = goBinaryCataloger.parse(new Map([["/usr/bin/broken", binary]]), NO_OS);

    expect(result.packages).toEqual([]);
    expect(result.problems).toEqual([{ path: "/usr/bin/broken", message: "Go build info could not be read: ELF file maps no data at address 0xeeeeeee" }]);
  });

  it("reports an inline string length past the end", () => {
    const binary = fixture("goexperiment");
    const magic = Buffer.from(binary).indexOf(Buffer.from("\xff Go buildinf:", "latin1"));
    // Go 1.18+ writes the version's varint length at header byte 32.
    binary.set([0xff, 0xff, 0x7f], magic + 32);

    const result = goBinaryCataloger.parse(new Map([["/usr/bin/broken", binary]]), NO_OS);

    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toMatch(/^Go build info could not be read: Go build info string of 2097151 bytes runs past the end/);
  });

  it("reports a truncated ELF file", () => {
    const binary = fixture("goexperiment").subarray(0, 2000);

    const result = goBinaryCataloger.parse(new Map([["/usr/bin/cut", binary]]), NO_OS);

    expect(result.packages).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toBe("Go build info could not be read: ELF section name table at offset 1452183 lies outside the file");
  });
});

describe("parseModuleInfo", () => {
  it("applies replacements to the line before", () => {
    const info = parseModuleInfo(
      [
        "path\tgithub.com/acme/tool",
        "mod\tgithub.com/acme/tool\tv1.2.3\th1:abc=",
        "dep\tgolang.org/x/net\tv0.1.0\th1:def=",
        "=>\tgithub.com/acme/net\tv0.1.1\th1:ghi=",
        "dep\tgithub.com/acme/local\tv1.0.0",
        "=>\t../local\t",
        'build\t-ldflags="-X main.version=v9"',
        "build\tGOARCH=arm64",
      ].join("\n"),
    );

    expect(info.path).toBe("github.com/acme/tool");
    expect(info.main).toEqual({ path: "github.com/acme/tool", version: "v1.2.3", replacement: null });
    expect(info.dependencies).toEqual([
      { path: "golang.org/x/net", version: "v0.1.0", replacement: { path: "github.com/acme/net", version: "v0.1.1", replacement: null } },
      { path: "github.com/acme/local", version: "v1.0.0", replacement: { path: "../local", version: "", replacement: null } },
    ]);
    expect(info.settings.get("-ldflags")).toBe("-X main.version=v9");
    expect(info.settings.get("GOARCH")).toBe("arm64");
  });

  const invalid = ["dep", "=>\tgithub.com/a/b\tv1.0.0", "build\tnovalue"];

  it.each(invalid)("rejects %j", (line) => {
    expect(() => parseModuleInfo(line)).toThrow(/Go build info line 1 is invalid/);
  });
});

describe("goBinaryCataloger.wants", () => {
  const cases: Array<{ path: string; wanted: boolean }> = [
    { path: "/usr/local/bin/app", wanted: true },
    { path: "/usr/bin/kubectl", wanted: true },
    { path: "/bin/sh", wanted: true },
    { path: "/app/server", wanted: true },
    { path: "/go/bin/dlv", wanted: true },
    { path: "/opt/tool/tool", wanted: true },
    { path: "/usr/libexec/docker/cli-plugins/docker-buildx", wanted: true },
    { path: "/usr/local/lib/plugin.so", wanted: true },
    { path: "/usr/lib/x86_64-linux-gnu/libc.so.6", wanted: false },
    { path: "/usr/share/doc/bash/copyright", wanted: false },
    { path: "/etc/passwd", wanted: false },
    { path: "/lib/apk/db/installed", wanted: false },
    { path: "/app/node_modules/esbuild/bin/esbuild", wanted: false },
    { path: "/app/main.go", wanted: false },
    { path: "/usr/local/bin/script.sh", wanted: false },
  ];

  it.each(cases)("returns $wanted for $path", ({ path, wanted }) => {
    expect(goBinaryCataloger.wants(path)).toBe(wanted);
  });
});

describe("readElfFile", () => {
  it("parses an array once for both binary catalogers", () => {
    const binary = fixture("goexperiment");

    const first = readElfFile(binary);

    expect(readElfFile(binary)).toBe(first);
    const copy = readElfFile(binary.slice());
    expect(copy).not.toBe(first);
    expect(copy.sections).toEqual(first.sections);
  });

  it("gives each cataloger the remembered error of a corrupt file", () => {
    const binary = fixture("goexperiment").subarray(0, 2000);
    const files = new Map([["/usr/bin/cut", binary]]);

    const go = goBinaryCataloger.parse(files, NO_OS);
    const rust = rustAuditableCataloger.parse(files, NO_OS);

    expect(go.problems.map((problem) => problem.message)).toEqual(["Go build info could not be read: ELF section name table at offset 1452183 lies outside the file"]);
    expect(rust.problems.map((problem) => problem.message)).toEqual(["cargo auditable data could not be read: ELF section name table at offset 1452183 lies outside the file"]);
  });
});
