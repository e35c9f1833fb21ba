import { describe, expect, test } from "vitest";
import { matchPackages, type OrderingForEcosystem } from "@/scoring/advisories/match-packages";
import type { InstalledPackage } from "@/scoring/advisories/package-names";
import { type BoundaryCase, boundaryCases, evaluateBoundary } from "@/scoring/advisories/testdata/boundary-cases";
import { osvFixtures, parsed } from "@/scoring/advisories/testdata/records";
import { orderingFor, schemeForEcosystem } from "@/scoring/versions/version-ordering";

/** The production wiring: the ecosystem names a version scheme, and the scheme its ordering. */
const productionOrderingFor: OrderingForEcosystem = (ecosystem) => {
  const scheme = schemeForEcosystem(ecosystem);
  return scheme === null ? null : orderingFor(scheme);
};

describe.each(Object.entries(boundaryCases))("isAffected with scoring/versions on %s records", (_ecosystem, cases) => {
  test.each<BoundaryCase>(cases)("%s entry %i at %s", (...boundary) => {
    const [, , , affected, fixedVersion] = boundary;
    const result = evaluateBoundary(boundary, productionOrderingFor);

    expect(result.affected).toBe(affected);
    expect(result.fixedVersion).toBe(fixedVersion);
    expect(result.problems).toEqual([]);
  });
});

describe("matchPackages with scoring/versions", () => {
  test("matches an image's packages", () => {
    const records = Object.values(osvFixtures).map(parsed);
    const packages: InstalledPackage[] = [
      { ecosystem: "Debian:11", name: "chromium", version: "120.0.6099.224-1~deb11u1", purl: "pkg:deb/debian/chromium@120.0.6099.224-1~deb11u1" },
      { ecosystem: "Debian:12", name: "chromium", version: "120.0.6099.224-1~deb12u1", purl: "pkg:deb/debian/chromium@120.0.6099.224-1~deb12u1" },
      { ecosystem: "Alpine:v3.15", name: "mariadb-client", sourceName: "mariadb", version: "10.6.7-r0", purl: "pkg:apk/alpine/mariadb-client@10.6.7-r0" },
      { ecosystem: "Go", name: "github.com/gogo/protobuf", version: "v1.3.1", purl: "pkg:golang/github.com/gogo/protobuf@v1.3.1" },
      { ecosystem: "Go", name: "stdlib", version: "v1.18.1", purl: "pkg:golang/stdlib@v1.18.1" },
      { ecosystem: "Maven", name: "com.google.guava:guava", version: "24.1.1-jre", purl: "pkg:maven/com.google.guava/guava@24.1.1-jre" },
      { ecosystem: "Maven", name: "com.fasterxml.jackson.core:jackson-databind", version: "2.9.10.6", purl: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10.6" },
      { ecosystem: "npm", name: "mixin-deep", version: "1.3.1", purl: "pkg:npm/mixin-deep@1.3.1" },
      { ecosystem: "PyPI", name: "Flask", version: "2.3.1", purl: "pkg:pypi/flask@2.3.1" },
      { ecosystem: "RubyGems", name: "activesupport", version: "4.2.1", purl: "pkg:gem/activesupport@4.2.1" },
    ];

    const result = matchPackages(packages, records, productionOrderingFor);

    expect(result.problems).toEqual([]);
    expect(result.findings.map(({ purl, vulnerabilityId, fixedVersion }) => ({ purl, vulnerabilityId, fixedVersion }))).toEqual([
      { purl: "pkg:apk/alpine/mariadb-client@10.6.7-r0", vulnerabilityId: "CVE-2022-27449", fixedVersion: "10.6.8-r0" },
      { purl: "pkg:deb/debian/chromium@120.0.6099.224-1~deb11u1", vulnerabilityId: "CVE-2024-3847", fixedVersion: null },
      { purl: "pkg:golang/github.com/gogo/protobuf@v1.3.1", vulnerabilityId: "CVE-2021-3121", fixedVersion: "1.3.2" },
      { purl: "pkg:golang/stdlib@v1.18.1", vulnerabilityId: "CVE-2022-29526", fixedVersion: "1.18.2" },
      { purl: "pkg:golang/stdlib@v1.18.1", vulnerabilityId: "CVE-2024-24791", fixedVersion: "1.21.12" },
      { purl: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10.6", vulnerabilityId: "CVE-2020-25649", fixedVersion: "2.9.10.7" },
      { purl: "pkg:npm/mixin-deep@1.3.1", vulnerabilityId: "CVE-2019-10746", fixedVersion: "1.3.2" },
      { purl: "pkg:pypi/flask@2.3.1", vulnerabilityId: "CVE-2023-30861", fixedVersion: "2.3.2" },
    ]);
  });
});
