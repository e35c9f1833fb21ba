import { describe, expect, test } from "vitest";
import { type Finding, matchPackages, type OrderingForEcosystem } from "@/scoring/advisories/match-packages";
import type { OsvRecord } from "@/scoring/advisories/osv-record";
import type { InstalledPackage } from "@/scoring/advisories/package-names";
import { fixture, osvFixtures, parsed, withChange, withChanges } from "@/scoring/advisories/testdata/records";
import { testOrderingFor } from "@/scoring/advisories/testdata/test-orderings";

/** Every fixture record, so each test also checks that the other records stay out. */
const allRecords: OsvRecord[] = Object.values(osvFixtures).map(parsed);

const purlTypes: Record<string, string> = {
  Alpine: "apk/alpine",
  Debian: "deb/debian",
  Go: "golang",
  Maven: "maven",
  npm: "npm",
  PyPI: "pypi",
  RubyGems: "gem",
  Ubuntu: "deb/ubuntu",
};

function installed(ecosystem: string, name: string, version: string, sourceName?: string): InstalledPackage {
  const purlType = purlTypes[ecosystem.split(":")[0] ?? ""] ?? "generic";
  const purl = `pkg:${purlType}/${name.replace(":", "/")}@${version}`;
  return sourceName === undefined ? { ecosystem, name, version, purl } : { ecosystem, name, sourceName, version, purl };
}

function match(packages: InstalledPackage[], records: OsvRecord[] = allRecords, orderingFor: OrderingForEcosystem = testOrderingFor) {
  return matchPackages(packages, records, orderingFor);
}

/** Returns the findings for one package and checks that matching reported no problems. */
function findingsFor(pkg: InstalledPackage, records: OsvRecord[] = allRecords): Finding[] {
  const result = match([pkg], records);
  expect(result.problems).toEqual([]);
  return result.findings;
}

function vulnerabilityIdsFor(pkg: InstalledPackage, records: OsvRecord[] = allRecords): string[] {
  return findingsFor(pkg, records).map((finding) => finding.vulnerabilityId);
}

const unspecified = { level: "unspecified", score: null, source: null } as const;

describe("matchPackages merging aliases", () => {
  test("merges GO and GHSA records by CVE", () => {
    const protobuf = installed("Go", "github.com/gogo/protobuf", "v1.3.1");

    expect(findingsFor(protobuf)).toEqual([
      {
        purl: "pkg:golang/github.com/gogo/protobuf@v1.3.1",
        vulnerabilityId: "CVE-2021-3121",
        recordIds: ["GHSA-c3h9-896r-86jm", "GO-2021-0053"],
        aliases: [],
        fixedVersion: "1.3.2",
        severity: { level: "high", score: null, source: { recordId: "GHSA-c3h9-896r-86jm", field: "database_specific.severity", value: "HIGH" } },
      },
    ]);
    expect(findingsFor(installed("Go", "github.com/gogo/protobuf", "v1.3.2"))).toEqual([]);
  });

  test("merges only the records that match", () => {
    // GO-2023-1558 covers [0, 1.1.0), but its GHSA twin covers only [1.0.0, 1.1.0).
    const [before] = findingsFor(installed("Go", "github.com/ipfs/go-bitfield", "v0.9.0"));
    const [at] = findingsFor(installed("Go", "github.com/ipfs/go-bitfield", "v1.0.0"));

    expect(before).toMatchObject({ vulnerabilityId: "CVE-2023-23626", recordIds: ["GO-2023-1558"], aliases: ["GHSA-2h6c-j3gf-xp9r"], severity: unspecified });
    expect(at).toMatchObject({ vulnerabilityId: "CVE-2023-23626", recordIds: ["GHSA-2h6c-j3gf-xp9r", "GO-2023-1558"], aliases: [], severity: { level: "medium" } });
  });

  test("merges DSA, DEBIAN-CVE and CVE records", () => {
    // Derived from DSA-3029-1: the DEBIAN-CVE and CVE records of the same fix, as osv.dev names them.
    const debianCve = parsed(
      withChanges(osvFixtures.debianNginxDsa, [
        [["id"], "DEBIAN-CVE-2014-3616"],
        [["aliases"], []],
        [["affected", 0, "ecosystem_specific"], { urgency: "medium" }],
      ]),
    );
    const cve = parsed(withChanges(osvFixtures.debianNginxDsa, [[["id"], "CVE-2014-3616"], [["aliases"], []]]));
    const nginx = installed("Debian:7", "nginx", "1.2.1-2.2+wheezy2");

    expect(findingsFor(nginx, [...allRecords, debianCve, cve])).toEqual([
      {
        purl: "pkg:deb/debian/nginx@1.2.1-2.2+wheezy2",
        vulnerabilityId: "CVE-2014-3616",
        recordIds: ["CVE-2014-3616", "DEBIAN-CVE-2014-3616", "DSA-3029-1"],
        aliases: [],
        fixedVersion: "1.2.1-2.2+wheezy3",
        severity: { level: "medium", score: null, source: { recordId: "DEBIAN-CVE-2014-3616", field: "affected[].ecosystem_specific.urgency", value: "medium" } },
      },
    ]);
  });

  test("reads the CVE id in an UBUNTU-CVE id", () => {
    const linux = installed("Ubuntu:Pro:14.04:LTS", "linux-image-3.13.0-206-generic", "3.13.0-206.257", "linux");

    expect(findingsFor(linux)).toEqual([
      {
        purl: "pkg:deb/ubuntu/linux-image-3.13.0-206-generic@3.13.0-206.257",
        vulnerabilityId: "CVE-2025-38094",
        recordIds: ["UBUNTU-CVE-2025-38094"],
        aliases: [],
        fixedVersion: null,
        severity: { level: "medium", score: null, source: { recordId: "UBUNTU-CVE-2025-38094", field: "severity[Ubuntu]", value: "medium" } },
      },
    ]);
  });

  test("splits a record naming two CVEs", () => {
    const bundled = parsed(withChange(osvFixtures.debianNginxDsa, ["aliases"], ["CVE-2014-3616", "CVE-2014-9999"]));
    const findings = findingsFor(installed("Debian:7", "nginx", "1.2.1-2.2+wheezy2"), [bundled]);

    expect(findings.map(({ vulnerabilityId, recordIds, aliases }) => ({ vulnerabilityId, recordIds, aliases }))).toEqual([
      { vulnerabilityId: "CVE-2014-3616", recordIds: ["DSA-3029-1"], aliases: [] },
      { vulnerabilityId: "CVE-2014-9999", recordIds: ["DSA-3029-1"], aliases: [] },
    ]);
  });

  test("names a finding without CVE by its record", () => {
    expect(findingsFor(installed("npm", "marky-markdown", "11.3.2"))).toEqual([
      {
        purl: "pkg:npm/marky-markdown@11.3.2",
        vulnerabilityId: "GHSA-pxmp-fwjc-4x7q",
        recordIds: ["GHSA-pxmp-fwjc-4x7q"],
        aliases: [],
        fixedVersion: null,
        severity: unspecified,
      },
    ]);
  });

  test("merges records without CVE that alias each other", () => {
    const twin = parsed(withChanges(osvFixtures.npmMarkyMarkdown, [[["id"], "EXAMPLE-2020-0001"], [["aliases"], ["GHSA-pxmp-fwjc-4x7q"]]]));
    const unrelated = parsed(withChanges(osvFixtures.npmMarkyMarkdown, [[["id"], "EXAMPLE-2020-0002"], [["aliases"], []]]));
    const findings = findingsFor(installed("npm", "marky-markdown", "11.3.2"), [...allRecords, twin, unrelated]);

    expect(findings.map(({ vulnerabilityId, recordIds }) => ({ vulnerabilityId, recordIds }))).toEqual([
      { vulnerabilityId: "EXAMPLE-2020-0001", recordIds: ["EXAMPLE-2020-0001", "GHSA-pxmp-fwjc-4x7q"] },
      { vulnerabilityId: "EXAMPLE-2020-0002", recordIds: ["EXAMPLE-2020-0002"] },
    ]);
  });

  test("adds a record without CVE to the CVE finding that names it", () => {
    const ghsa = parsed(withChanges(osvFixtures.goGin, [[["id"], "GHSA-6vm3-jj99-7229"], [["aliases"], []]]));

    expect(findingsFor(installed("Go", "github.com/gin-gonic/gin", "v1.5.0"), [...allRecords, ghsa])).toMatchObject([
      { vulnerabilityId: "CVE-2020-36567", recordIds: ["GHSA-6vm3-jj99-7229", "GO-2020-0001"], aliases: [], fixedVersion: "1.6.0" },
    ]);
  });

  test("lists aliases without a record", () => {
    expect(findingsFor(installed("Go", "github.com/gin-gonic/gin", "v1.5.0"))).toMatchObject([
      { vulnerabilityId: "CVE-2020-36567", recordIds: ["GO-2020-0001"], aliases: ["GHSA-6vm3-jj99-7229"] },
    ]);
  });
});

describe("matchPackages fixed versions", () => {
  test("gives each vulnerability its own fix", () => {
    const findings = findingsFor(installed("PyPI", "Flask", "0.12.2"));

    expect(findings.map(({ vulnerabilityId, recordIds, aliases, fixedVersion }) => ({ vulnerabilityId, recordIds, aliases, fixedVersion }))).toEqual([
      { vulnerabilityId: "CVE-2018-1000656", recordIds: ["PYSEC-2018-66"], aliases: ["GHSA-562c-5r94-xh97"], fixedVersion: "0.12.3" },
      { vulnerabilityId: "CVE-2019-1010083", recordIds: ["PYSEC-2019-179"], aliases: ["GHSA-5wv5-4vpf-pj6m"], fixedVersion: "1.0" },
      { vulnerabilityId: "CVE-2023-30861", recordIds: ["PYSEC-2023-62"], aliases: ["GHSA-m2qf-hxjv-5gpq"], fixedVersion: "2.2.5" },
    ]);
  });

  test.each([
    ["a fix in the first of two entries", "3.1.1", "3.1.2"],
    ["a fix in the second of two entries", "3.3.1", "3.3.2"],
  ])("reports %s", (_name, version, fixedVersion) => {
    expect(findingsFor(installed("PyPI", "cryptography", version))).toMatchObject([{ vulnerabilityId: "CVE-2020-36242", fixedVersion }]);
  });

  test("takes the highest fix of merged records", () => {
    const laterFix = parsed(withChange(osvFixtures.ghsaGogoProtobuf, ["affected", 0, "ranges", 0, "events", 1], { fixed: "1.3.3" }));

    expect(findingsFor(installed("Go", "github.com/gogo/protobuf", "v1.3.1"), [fixture("goGogoProtobuf"), laterFix])).toMatchObject([
      { vulnerabilityId: "CVE-2021-3121", fixedVersion: "1.3.3" },
    ]);
  });

  test("reports no fix when a merged record names none", () => {
    const unfixed = parsed(withChange(osvFixtures.ghsaGogoProtobuf, ["affected", 0, "ranges", 0, "events"], [{ introduced: "0" }]));

    expect(findingsFor(installed("Go", "github.com/gogo/protobuf", "v1.3.1"), [fixture("goGogoProtobuf"), unfixed])).toMatchObject([
      { vulnerabilityId: "CVE-2021-3121", fixedVersion: null },
    ]);
  });

  test.each([
    ["Maven", "com.fasterxml.jackson.core:jackson-databind", "2.9.10.6", "CVE-2020-25649", "2.9.10.7", "high"],
    ["Maven", "com.google.guava:guava", "24.1.1", "CVE-2018-10237", "24.1.1-android", "medium"],
    ["Maven", "io.atomix:atomix", "3.1.5", "CVE-2020-35213", null, "high"],
    ["npm", "mixin-deep", "2.0.0", "CVE-2019-10746", "2.0.1", "unspecified"],
    ["npm", "jquery", "2.1.4", "CVE-2016-10707", "3.0.0", "unspecified"],
    ["Alpine:v3.8", "libexif", "0.6.20-r3", "CVE-2012-2812", "0.6.21-r0", "unspecified"],
    ["Alpine:v3.8", "openssl", "1.0.2p-r0", "CVE-2018-5407", "1.0.2q-r0", "medium"],
    ["Go", "stdlib", "v1.22.4", "CVE-2024-24791", "1.22.5", "unspecified"],
  ] as const)("finds %s %s %s", (ecosystem, name, version, vulnerabilityId, fixedVersion, level) => {
    expect(findingsFor(installed(ecosystem, name, version))).toMatchObject([{ vulnerabilityId, fixedVersion, severity: { level } }]);
  });
});

describe("matchPackages ecosystems", () => {
  test.each([
    ["Debian:10", 1],
    ["Debian:11", 1],
    ["Debian:12", 0],
    ["Debian", 0],
    ["Ubuntu:22.04:LTS", 0],
  ])("matches chromium on %s %i times", (ecosystem, count) => {
    expect(findingsFor(installed(ecosystem, "chromium", "120.0.6099.224-1"))).toHaveLength(count);
  });

  test.each([
    ["Alpine:v3.12", "10.4.24-r0", "10.4.25-r0"],
    ["Alpine:v3.12", "10.5.0-r0", null],
    ["Alpine:v3.13", "10.5.0-r0", "10.5.16-r0"],
    ["Alpine:v3.15", "10.6.7-r0", "10.6.8-r0"],
    ["Alpine:v3.17", "10.6.7-r0", null],
  ])("matches mariadb on %s at %s with the release's fix", (ecosystem, version, fixedVersion) => {
    const findings = findingsFor(installed(ecosystem, "mariadb", version));

    expect(findings.map((finding) => finding.fixedVersion)).toEqual(fixedVersion === null ? [] : [fixedVersion]);
  });

  test("keeps Ubuntu Pro records for Ubuntu Pro", () => {
    expect(vulnerabilityIdsFor(installed("Ubuntu:Pro:14.04:LTS", "linux", "3.13.0-206.257"))).toEqual(["CVE-2025-38094"]);
    expect(vulnerabilityIdsFor(installed("Ubuntu:14.04:LTS", "linux", "3.13.0-206.257"))).toEqual([]);
  });

  test("does not match a name in another ecosystem", () => {
    expect(vulnerabilityIdsFor(installed("npm", "flask", "0.12.2"))).toEqual([]);
    expect(vulnerabilityIdsFor(installed("PyPI", "jquery", "2.1.4"))).toEqual([]);
  });
});

describe("matchPackages package names", () => {
  test.each([
    ["a Debian binary by its source", installed("Debian:10", "libodbc2", "2.3.6-0.1", "unixodbc"), ["CVE-2024-1013"]],
    ["a Debian package named like its source", installed("Debian:10", "unixodbc", "2.3.6-0.1"), ["CVE-2024-1013"]],
    ["a Debian binary without its source", installed("Debian:10", "libodbc2", "2.3.6-0.1"), []],
    ["a Debian binary of another source", installed("Debian:10", "unixodbc", "2.3.6-0.1", "unixodbc-compat"), []],
    ["an Alpine subpackage by its origin", installed("Alpine:v3.15", "mariadb-client", "10.6.7-r0", "mariadb"), ["CVE-2022-27449"]],
    ["an Ubuntu kernel image by its source", installed("Ubuntu:Pro:14.04:LTS", "linux-image-3.13.0-206-generic", "3.13.0-206.257", "linux"), ["CVE-2025-38094"]],
    ["an npm package by its own name only", installed("npm", "i18next-fork", "1.10.2", "i18next"), []],
    ["a PyPI name in another spelling", installed("PyPI", "Products.PluggableAuthService", "2.6.0"), ["CVE-2021-21337"]],
    ["a PyPI name in lowercase", installed("PyPI", "gradio", "4.36.1"), ["CVE-2024-39236"]],
  ])("matches %s", (_name, pkg, vulnerabilityIds) => {
    expect(vulnerabilityIdsFor(pkg)).toEqual(vulnerabilityIds);
  });
});

describe("matchPackages withdrawn records", () => {
  const activesupport = installed("RubyGems", "activesupport", "4.2.1");

  test("never matches a withdrawn record", () => {
    expect(findingsFor(activesupport)).toEqual([]);
  });

  test("matches the same record when not withdrawn", () => {
    const active = parsed(withChange(osvFixtures.rubygemsActivesupportWithdrawn, ["withdrawn"], undefined));

    expect(findingsFor(activesupport, [...allRecords, active])).toMatchObject([
      { vulnerabilityId: "CVE-2015-3227", recordIds: ["GHSA-35c4-f3rq-f9g3"], fixedVersion: "4.2.2" },
    ]);
  });
});

describe("matchPackages problems", () => {
  test("checks only versions lists without an ordering", () => {
    const gradio = installed("PyPI", "gradio", "4.36.1");
    const idna = installed("PyPI", "idna", "3.6");
    const result = match([gradio, idna], allRecords, () => null);

    // idna 3.6 is in its record's versions list, so it is found even though its ranges are skipped.
    expect(result.findings).toMatchObject([
      { purl: gradio.purl, vulnerabilityId: "CVE-2024-39236", fixedVersion: null },
      { purl: idna.purl, vulnerabilityId: "CVE-2024-3651", fixedVersion: null },
    ]);
    expect(result.problems).toEqual([
      {
        purl: idna.purl,
        recordId: null,
        reason: 'no version ordering for ecosystem "PyPI", so only the records\' versions lists were checked, not their ranges',
      },
    ]);
  });

  test("reports a version the ordering rejects", () => {
    const i18next = installed("npm", "i18next", "latest");
    const result = match([i18next]);

    expect(result.findings).toEqual([]);
    expect(result.problems).toEqual([
      {
        purl: i18next.purl,
        recordId: "GHSA-f89g-whpf-6q9m",
        reason: 'ranges[0] was not evaluated: "latest" is not a valid version in this ecosystem\'s ordering',
      },
    ]);
  });

  test("reports nothing for a package without records", () => {
    expect(match([installed("npm", "left-pad", "1.0.0")])).toEqual({ findings: [], problems: [] });
    expect(match([], allRecords)).toEqual({ findings: [], problems: [] });
    expect(match([installed("npm", "i18next", "1.10.2")], [])).toEqual({ findings: [], problems: [] });
  });
});

describe("matchPackages output order", () => {
  test("sorts findings by purl, then vulnerability", () => {
    const packages = [installed("PyPI", "requests", "2.30.0"), installed("PyPI", "flask", "0.12.2"), installed("npm", "shiba", "1.0.0")];
    const { findings } = match(packages);

    expect(findings.map((finding) => `${finding.purl} ${finding.vulnerabilityId}`)).toEqual([
      "pkg:npm/shiba@1.0.0 CVE-2020-7738",
      "pkg:pypi/flask@0.12.2 CVE-2018-1000656",
      "pkg:pypi/flask@0.12.2 CVE-2019-1010083",
      "pkg:pypi/flask@0.12.2 CVE-2023-30861",
      "pkg:pypi/requests@2.30.0 CVE-2023-32681",
    ]);
  });
});
