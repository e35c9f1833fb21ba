import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { dpkgCataloger, parseCopyright, parseSourceField } from "@/lib/analysis/catalogers/dpkg";
import { normalizeLicense } from "@/lib/analysis/licenses";
import type { CatalogContext, OsRelease } from "@/lib/analysis/types";

const testdata = fileURLToPath(new URL("../testdata/", import.meta.url));

/** Reads a fixture folder as the requested files of an image: in-image path → content. */
function rootFiles(folder: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const full = path.join(directory, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name !== "expected.json") files.set(`/${path.relative(folder, full)}`, new Uint8Array(readFileSync(full)));
    }
  };
  walk(folder);
  return files;
}

interface ExpectedPackage {
  name: string;
  version?: string;
  arch?: string;
  source_name?: string;
  source_version?: string;
}

function expectedPackages(folder: string): ExpectedPackage[] {
  return (JSON.parse(readFileSync(path.join(folder, "expected.json"), "utf8")) as { packages: ExpectedPackage[] }).packages;
}

function os(id: string, versionId: string): OsRelease {
  return { id, versionId, prettyName: null, ecosystem: null, endOfLife: null };
}

const debian12: CatalogContext = { os: os("debian", "12") };

/**
 * Returns the facts a package database states. Where a stanza has no `Source:`,
 * Shipshape names the binary package as its own source, as dpkg does. syft
 * leaves the source empty there, so this fills it in.
 */
function facts(expected: ExpectedPackage) {
  return {
    name: expected.name,
    version: expected.version,
    arch: expected.arch,
    sourceName: expected.source_name ?? expected.name,
    sourceVersion: expected.source_version ?? expected.version,
  };
}

function parseCase(caseName: string, context: CatalogContext = debian12) {
  const folder = path.join(testdata, "dpkg", caseName);
  const files = rootFiles(folder);
  for (const file of files.keys()) expect(dpkgCataloger.wants(file)).toBe(true);
  return { result: dpkgCataloger.parse(files, context), expected: expectedPackages(folder) };
}

function byName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name));
}

describe("dpkgCataloger packages", () => {
  const cases: { caseName: string; context?: CatalogContext; problems: RegExp[]; skippedByShipshape?: string[] }[] = [
    { caseName: "syft-statusd-single", problems: [] },
    { caseName: "syft-statusd-deinstall", problems: [] },
    {
      caseName: "syft-statusd-multiple",
      // syft reports the stanza without a Version as a package; Shipshape cannot match it to advisories and reports it instead.
      skippedByShipshape: ["no-version"],
      problems: [/^Stanza at line 1 has no Package name/, /^Package no-version \(line 3\) has no Version/],
    },
    {
      caseName: "trivy-corrupted-status",
      context: { os: os("ubuntu", "16.04") },
      problems: [/^Package brokenPackageWithNoVersionThatShouldGetThrownOut \(line \d+\) has no Version/, /^Package invalidpkg \(line \d+\) has an invalid Version "1:5\.#"/],
    },
    { caseName: "trivy-third-party-status", context: { os: os("ubuntu", "18.04") }, problems: [] },
  ];

  for (const { caseName, context, problems, skippedByShipshape = [] } of cases) {
    it(`catalogs ${caseName}`, () => {
      const { result, expected } = parseCase(caseName, context);
      const wanted = expected.filter((item) => !skippedByShipshape.includes(item.name));

      expect(byName(result.packages).map((item) => ({ name: item.name, version: item.version, arch: item.arch, sourceName: item.sourceName, sourceVersion: item.sourceVersion }))).toEqual(
        byName(wanted).map(facts),
      );
      expect(result.packages.every((item) => item.type === "deb")).toBe(true);
      expect(result.problems).toHaveLength(problems.length);
      for (const [index, pattern] of problems.entries()) {
        expect(result.problems[index]?.message).toMatch(pattern);
      }
    });
  }

  it("names the file of each problem", () => {
    const { result } = parseCase("trivy-corrupted-status");
    expect(result.problems.map((problem) => problem.path)).toEqual(["/var/lib/dpkg/status", "/var/lib/dpkg/status"]);
  });

  it("builds deb PURLs", () => {
    const { result } = parseCase("trivy-corrupted-status", { os: os("ubuntu", "16.04") });
    const purls = Object.fromEntries(result.packages.map((item) => [item.name, item.purl]));

    expect(purls).toEqual({
      "libpam-runtime": "pkg:deb/ubuntu/libpam-runtime@1.1.8-3.1ubuntu3?arch=all&distro=ubuntu-16.04&upstream=pam",
      "libpam-modules-bin": "pkg:deb/ubuntu/libpam-modules-bin@1.1.8-3.1ubuntu3?arch=amd64&distro=ubuntu-16.04&upstream=pam",
      makedev: "pkg:deb/ubuntu/makedev@2.3.1-93ubuntu1?arch=all&distro=ubuntu-16.04",
      libgcc1: "pkg:deb/ubuntu/libgcc1@1:5.1.1-12ubuntu1?arch=amd64&distro=ubuntu-16.04&upstream=gcc-5",
    });
  });

  it("builds PURLs without OS", () => {
    const { result } = parseCase("syft-statusd-single", { os: null });
    expect(result.packages[0]?.purl).toBe("pkg:deb/debian/apt@1.8.2?arch=amd64&upstream=apt-dev");
  });

  it("reports missing Status in status file", () => {
    const status = "Package: orphan\nVersion: 1.0\n";
    const result = dpkgCataloger.parse(new Map([["/var/lib/dpkg/status", new TextEncoder().encode(status)]]), debian12);
    expect(result.packages).toEqual([]);
    expect(result.problems.map((problem) => problem.message)).toEqual(["Package orphan (line 1) has no Status field; it was skipped."]);
  });

  it("keeps hold ok installed", () => {
    const status = "Package: pinned\nStatus: hold ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\nPackage: gone\nStatus: purge ok not-installed\nVersion: 2.0\n";
    const result = dpkgCataloger.parse(new Map([["/var/lib/dpkg/status", new TextEncoder().encode(status)]]), debian12);
    expect(result.packages.map((item) => item.name)).toEqual(["pinned"]);
    expect(result.problems).toEqual([]);
  });

  it("reports malformed stanza and continues", () => {
    const status = "Package: broken\nStatus: install ok installed\nthis line has no colon\nVersion: 1\n\nPackage: fine\nStatus: install ok installed\nVersion: 1:2.0-1\n";
    const result = dpkgCataloger.parse(new Map([["/var/lib/dpkg/status", new TextEncoder().encode(status)]]), debian12);
    expect(result.packages.map((item) => item.name)).toEqual(["fine"]);
    expect(result.problems).toEqual([{ path: "/var/lib/dpkg/status", message: 'Stanza at line 1 is malformed (line 3 is not a "Field: value" line); it was skipped.' }]);
  });

  it("joins continuation lines", () => {
    const status = "Package: multi\nStatus: install ok installed\nVersion: 1.0\nDescription: short\n long line one\n .\n long line two\n";
    const result = dpkgCataloger.parse(new Map([["/var/lib/dpkg/status", new TextEncoder().encode(status)]]), debian12);
    expect(result.packages.map((item) => item.version)).toEqual(["1.0"]);
  });
});

describe("dpkgCataloger wants", () => {
  const cases: [string, boolean][] = [
    ["/var/lib/dpkg/status", true],
    ["/var/lib/dpkg/status.d/base-files", true],
    ["/var/lib/dpkg/status.d/base-files.md5sums", false],
    ["/var/lib/dpkg/status-old", false],
    ["/var/lib/dpkg/status.d/nested/file", false],
    ["/usr/share/doc/libc6/copyright", true],
    ["/usr/share/doc/libc6/changelog.Debian.gz", false],
    ["/usr/share/doc/libc6/examples/copyright", false],
  ];
  for (const [file, expected] of cases) {
    it(`${expected ? "wants" : "skips"} ${file}`, () => {
      expect(dpkgCataloger.wants(file)).toBe(expected);
    });
  }
});

describe("parseSourceField", () => {
  const fixture = JSON.parse(readFileSync(path.join(testdata, "dpkg", "source-field-parsing.json"), "utf8")) as { cases: { input: string; name: string; version: string }[] };
  for (const { input, name, version } of fixture.cases) {
    it(`splits ${JSON.stringify(input)}`, () => {
      expect(parseSourceField(input)).toEqual({ name, version });
    });
  }
});

/**
 * Shipshape's answers for the copyright fixtures, next to what trivy and syft
 * assert for them (in testdata/dpkg-copyright/expected.json). Where they differ:
 * - syft returns raw DEP-5 short names and nothing for free-text files; Shipshape
 *   normalises to SPDX and also reads free-text files.
 * - trivy lists a `/usr/share/common-licenses/GPL-2` reference as GPL-2.0-only
 *   even when the grant beside it says "or (at your option) any later version";
 *   Shipshape keeps only the grant's GPL-2.0-or-later (adduser, apt).
 * - zlib1g: DEP-5 `GPL-1+ or Artistic, and BSD-4-clause-POWERDOG` stays one
 *   expression with its OR; DEP-5 "Artistic" is Debian's Perl Artistic License
 *   (Artistic-1.0-Perl), where trivy says Artistic-2.0; BSD-4-clause-POWERDOG is
 *   no SPDX id, so it becomes a LicenseRef.
 * - liblzma5: syft's GPL-3 and LGPL-2 come from text inside standalone License
 *   paragraphs; Shipshape reads the License of Files paragraphs only, and drops
 *   `none` (files with no copyright).
 * - libaudit-common: syft's GPL-1 comes from a common-licenses reference inside
 *   a license text; the Files paragraphs say GPL-2 and LGPL-2.1.
 */
describe("parseCopyright", () => {
  const cases: { file: string; peers: string[] | null; expected: string | null }[] = [
    {
      file: "trivy/usr/share/doc/zlib1g",
      peers: ["GPL-1.0-or-later", "Artistic-2.0", "BSD-4-clause-POWERDOG", "Zlib"],
      expected: "(GPL-1.0-or-later OR Artistic-1.0-Perl) AND LicenseRef-BSD-4-clause-POWERDOG AND Zlib",
    },
    { file: "trivy/usr/share/doc/adduser", peers: ["GPL-2.0-only"], expected: "GPL-2.0-or-later" },
    { file: "trivy/usr/share/doc/apt", peers: ["GPL-2.0-or-later", "GPL-2.0-only"], expected: "GPL-2.0-or-later" },
    { file: "trivy/usr/share/doc/tzdata", peers: [], expected: null },
    { file: "syft/usr/share/doc/libc6", peers: null, expected: "LGPL-2.1-or-later AND GPL-2.0-or-later AND BSD-3-Clause" },
    {
      file: "syft/usr/share/doc/liblzma5",
      peers: ["Autoconf", "GPL-2", "GPL-2+", "GPL-3", "LGPL-2", "LGPL-2.1", "LGPL-2.1+", "PD", "PD-debian", "config-h", "noderivs", "permissive-fsf", "permissive-nowarranty", "probably-PD"],
      expected:
        "LicenseRef-Public-Domain AND LicenseRef-probably-PD AND GPL-2.0-or-later AND LGPL-2.1-or-later AND LicenseRef-permissive-fsf AND LicenseRef-Autoconf AND GPL-2.0-only AND LicenseRef-permissive-nowarranty AND LicenseRef-config-h AND LicenseRef-noderivs AND LicenseRef-PD-debian",
    },
    { file: "syft/usr/share/doc/libaudit-common", peers: ["GPL-1", "GPL-2", "LGPL-2.1"], expected: "GPL-2.0-only AND LGPL-2.1-only" },
    {
      file: "syft/usr/share/doc/python",
      peers: null,
      expected: "MIT AND PSF-2.0 AND Apache-2.0 AND LicenseRef-Python AND ISC AND LGPL-2.1-or-later AND GPL-2.0-or-later AND BSD-3-Clause",
    },
  ];

  const recorded = JSON.parse(readFileSync(path.join(testdata, "dpkg-copyright", "expected.json"), "utf8")) as { cases: { file: string; expected_licenses: string[] | null }[] };

  for (const { file, peers, expected } of cases) {
    it(`reads ${file.split("/").at(-1)} copyright`, () => {
      const licenses = parseCopyright(readFileSync(path.join(testdata, "dpkg-copyright", file, "copyright"), "utf8"));
      expect(normalizeLicense(licenses.expressions)).toBe(expected);
      expect(recorded.cases.find((item) => item.file === `${file}/copyright`)?.expected_licenses).toEqual(peers);
    });
  }

  it("keeps DEP-5 short names as declared", () => {
    const licenses = parseCopyright(readFileSync(path.join(testdata, "dpkg-copyright", "syft/usr/share/doc/libaudit-common/copyright"), "utf8"));
    expect(licenses.declared).toEqual(["GPL-2", "LGPL-2.1"]);
  });

  it("attaches copyright licenses to packages", () => {
    const files = rootFiles(path.join(testdata, "dpkg", "syft-statusd-single"));
    files.set("/usr/share/doc/apt/copyright", new Uint8Array(readFileSync(path.join(testdata, "dpkg-copyright", "trivy/usr/share/doc/apt/copyright"))));
    const [apt] = dpkgCataloger.parse(files, debian12).packages;

    expect(apt?.license).toBe("GPL-2.0-or-later");
    expect(apt?.licenseDeclared).toEqual(["GPLv2+", "GPL-2+"]);
  });
});
