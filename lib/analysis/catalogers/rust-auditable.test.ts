import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";

import { rustAuditableCataloger } from "@/lib/analysis/catalogers/rust-auditable";
import type { CatalogedPackage } from "@/lib/analysis/types";

const TESTDATA = fileURLToPath(new URL("./testdata/rust/", import.meta.url));
const NO_OS = { os: null };

function cargo(name: string, version: string, path: string): CatalogedPackage {
  return { type: "cargo", name, version, purl: `pkg:cargo/${name}@${version}`, license: null, licenseDeclared: [], path };
}

/** Builds a little-endian 64-bit ELF file with no segments and one section beside the section name table. */
function elfWithSection(name: string, data: Uint8Array): Uint8Array {
  const names = new TextEncoder().encode(`\0${name}\0.shstrtab\0`);
  const dataOffset = 64;
  const namesOffset = dataOffset + data.length;
  const sectionHeadersOffset = Math.ceil((namesOffset + names.length) / 8) * 8;
  const file = new Uint8Array(sectionHeadersOffset + 3 * 64);
  const view = new DataView(file.buffer);

  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  view.setUint16(16, 2, true); // e_type: executable
  view.setUint16(18, 62, true); // e_machine: x86-64
  view.setBigUint64(40, BigInt(sectionHeadersOffset), true); // e_shoff
  view.setUint16(52, 64, true); // e_ehsize
  view.setUint16(58, 64, true); // e_shentsize
  view.setUint16(60, 3, true); // e_shnum
  view.setUint16(62, 2, true); // e_shstrndx
  file.set(data, dataOffset);
  file.set(names, namesOffset);

  const section = (index: number, nameOffset: number, type: number, offset: number, size: number) => {
    const at = sectionHeadersOffset + index * 64;
    view.setUint32(at, nameOffset, true);
    view.setUint32(at + 4, type, true);
    view.setBigUint64(at + 24, BigInt(offset), true);
    view.setBigUint64(at + 32, BigInt(size), true);
  };
  section(1, 1, 1, dataOffset, data.length);
  section(2, 1 + name.length + 1, 3, namesOffset, names.length);
  return file;
}

function auditableBinary(json: unknown): Uint8Array {
  return elfWithSection(".dep-v0", new Uint8Array(deflateSync(JSON.stringify(json))));
}

describe("rustAuditableCataloger.parse", () => {
  it("reads the fixture binary", () => {
    const path = "/usr/local/bin/crate_with_features";
    const result = rustAuditableCataloger.parse(new Map([[path, new Uint8Array(readFileSync(`${TESTDATA}test.elf`))]]), NO_OS);

    expect(result.problems).toEqual([]);
    // The root crate is the binary itself, reported because the fixture's expected.json lists it.
    expect(result.packages).toEqual([cargo("crate_with_features", "0.1.0", path), cargo("library_crate", "0.1.0", path)]);
  });

  it("matches the names and versions in test.elf.expected.json", () => {
    const expected = JSON.parse(readFileSync(`${TESTDATA}test.elf.expected.json`, "utf8")) as { packages: Array<{ name: string; version: string }> };
    const { packages } = rustAuditableCataloger.parse(new Map([["/app/bin", new Uint8Array(readFileSync(`${TESTDATA}test.elf`))]]), NO_OS);

    expect(packages.map(({ name, version }) => ({ name, version }))).toEqual(expected.packages.map(({ name, version }) => ({ name, version })));
  });

  it("leaves out build dependencies", () => {
    const binary = auditableBinary({
      packages: [
        { name: "app", version: "1.0.0", source: "local", dependencies: [1, 2], root: true },
        { name: "serde", version: "1.0.200", source: "crates.io" },
        { name: "cc", version: "1.0.90", source: "crates.io", kind: "build" },
        { name: "libc", version: "0.2.150", source: "crates.io", kind: "runtime" },
      ],
    });

    const { packages, problems } = rustAuditableCataloger.parse(new Map([["/app/app", binary]]), NO_OS);

    expect(problems).toEqual([]);
    expect(packages.map((pkg) => pkg.purl)).toEqual(["pkg:cargo/app@1.0.0", "pkg:cargo/serde@1.0.200", "pkg:cargo/libc@0.2.150"]);
  });

  it("skips an ELF file without the section", () => {
    const binary = elfWithSection(".data", new Uint8Array(16));

    expect(rustAuditableCataloger.parse(new Map([["/usr/bin/true", binary]]), NO_OS)).toEqual({ packages: [], problems: [] });
  });

  it("skips a file that is not ELF", () => {
    const script = new TextEncoder().encode("#!/bin/sh\necho hi\n");

    expect(rustAuditableCataloger.parse(new Map([["/usr/bin/hi", script]]), NO_OS)).toEqual({ packages: [], problems: [] });
  });

  const malformed: Array<{ name: string; binary: () => Uint8Array; message: string }> = [
    {
      name: "data that is not zlib",
      binary: () => elfWithSection(".dep-v0", new TextEncoder().encode("not compressed")),
      message: "section .dep-v0 is not valid zlib data or exceeds 8388608 bytes",
    },
    {
      name: "JSON larger than the cap",
      binary: () => elfWithSection(".dep-v0", new Uint8Array(deflateSync(Buffer.alloc(9 * 1024 * 1024, 0x20)))),
      message: "section .dep-v0 is not valid zlib data or exceeds 8388608 bytes",
    },
    {
      name: "compressed text that is not JSON",
      binary: () => elfWithSection(".dep-v0", new Uint8Array(deflateSync("{packages:"))),
      message: "section .dep-v0 does not contain valid JSON",
    },
    {
      name: "a crate without a version",
      binary: () => auditableBinary({ packages: [{ name: "app" }] }),
      message: "section .dep-v0 has an invalid crate list: packages.0.version Invalid input: expected string, received undefined",
    },
  ];

  it.each(malformed)("reports $name", ({ binary, message }) => {
    const result = rustAuditableCataloger.parse(new Map([["/app/app", binary()]]), NO_OS);

    expect(result.packages).toEqual([]);
    expect(result.problems).toEqual([{ path: "/app/app", message: `cargo auditable data could not be read: ${message}` }]);
  });
});
