import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { apkCataloger, apkLicenseTerms, readApkRecords } from "@/lib/analysis/catalogers/apk";
import type { CatalogContext } from "@/lib/analysis/types";

const fixtureFolder = new URL("../testdata/apk/trivy-alpine/", import.meta.url);
const installed = new Uint8Array(readFileSync(new URL("lib/apk/db/installed", fixtureFolder)));

interface ExpectedPackage {
  name: string;
  version: string;
  arch: string;
  origin: string;
  source_version: string;
  licenses_trivy: string[];
  checksum: string;
}
const expected = (JSON.parse(readFileSync(new URL("expected.json", fixtureFolder), "utf8")) as { packages: ExpectedPackage[] }).packages;

const alpine320: CatalogContext = { os: { id: "alpine", versionId: "3.20.3", prettyName: null, ecosystem: "Alpine:v3.20", endOfLife: null } };
const files = new Map([["/lib/apk/db/installed", installed]]);

/**
 * Shipshape's SPDX expression for each package, where trivy lists ids. trivy
 * reads a bare `GPL` as GPL-2.0-or-later. Shipshape reads it as
 * GPL-1.0-or-later, because the GPL lets a program that names no version use
 * any version. trivy's "Public-Domain" is no SPDX id, so Shipshape writes
 * LicenseRef-Public-Domain.
 */
const expectedLicenses: Record<string, string> = {
  musl: "MIT",
  busybox: "GPL-2.0-only",
  "alpine-baselayout": "GPL-2.0-only",
  "alpine-keys": "GPL-1.0-or-later",
  zlib: "Zlib",
  "libcrypto1.0": "OpenSSL",
  "libssl1.0": "OpenSSL",
  "apk-tools": "GPL-2.0-only",
  scanelf: "GPL-2.0-only",
  "musl-utils": "MIT AND BSD-3-Clause AND GPL-2.0-or-later",
  "libc-utils": "GPL-1.0-or-later",
  pkgconf: "ISC",
  "sqlite-libs": "LicenseRef-Public-Domain",
  test: "LicenseRef-Public-Domain",
  "ada-libs": "(Apache-2.0 OR MIT) AND MPL-2.0",
};

describe("apkCataloger", () => {
  const result = apkCataloger.parse(files, alpine320);

  it("catalogs every package", () => {
    expect(result.packages.map((item) => ({ name: item.name, version: item.version, arch: item.arch, sourceName: item.sourceName, sourceVersion: item.sourceVersion }))).toEqual(
      expected.map((item) => ({ name: item.name, version: item.version, arch: item.arch, sourceName: item.origin, sourceVersion: item.source_version })),
    );
  });

  it("reports record without version", () => {
    expect(result.problems).toEqual([
      { path: "/lib/apk/db/installed", message: "Package invalidPackageWithoutAVersion (line 23) has no version (V:); it was skipped." },
    ]);
  });

  it("normalises L: licenses", () => {
    expect(Object.fromEntries(result.packages.map((item) => [item.name, item.license]))).toEqual(expectedLicenses);
  });

  it("keeps declared licenses raw", () => {
    const musl = result.packages.find((item) => item.name === "musl-utils");
    expect(musl?.licenseDeclared).toEqual(["MIT BSD GPL2+"]);
  });

  it("builds apk PURLs", () => {
    const byName = Object.fromEntries(result.packages.map((item) => [item.name, item.purl]));
    expect(byName.musl).toBe("pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64&distro=alpine-3.20.3");
    expect(byName.test).toBe("pkg:apk/alpine/test@2.9.11_pre20061021-r2?arch=x86_64&distro=alpine-3.20.3");
    expect(result.packages.every((item) => item.type === "apk" && item.path === "/lib/apk/db/installed")).toBe(true);
  });

  it("reads checksums and maintainers", () => {
    const records = readApkRecords(new TextDecoder().decode(installed)).filter((record) => record.version !== "");
    expect(records.map((record) => record.checksum)).toEqual(expected.map((item) => item.checksum));
    expect(records[0]?.maintainer).toBe("Timo Teräs <timo.teras@iki.fi>");
  });

  it("wants only the installed database", () => {
    expect(apkCataloger.wants("/lib/apk/db/installed")).toBe(true);
    expect(apkCataloger.wants("/lib/apk/db/scripts.tar")).toBe(false);
    expect(apkCataloger.wants("/etc/apk/world")).toBe(false);
  });

  it("returns nothing without the database", () => {
    expect(apkCataloger.parse(new Map(), alpine320)).toEqual({ packages: [], problems: [] });
  });
});

describe("apkLicenseTerms", () => {
  const cases: [string, string[]][] = [
    ["MIT", ["MIT"]],
    ["MIT BSD GPL2+", ["MIT", "BSD", "GPL2+"]],
    ["( Apache-2.0 OR MIT ) AND MPL-2.0", ["( Apache-2.0 OR MIT ) AND MPL-2.0"]],
    ["GPL-2.0-only WITH Linux-syscall-note", ["GPL-2.0-only WITH Linux-syscall-note"]],
    ["  ", []],
  ];
  for (const [input, terms] of cases) {
    it(`splits ${JSON.stringify(input)}`, () => {
      expect(apkLicenseTerms(input)).toEqual(terms);
    });
  }
});
