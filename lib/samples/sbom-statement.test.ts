import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { imageSubject } from "@/lib/samples/in-toto-statement";
import { buildSbomStatement, dpkgPurl } from "@/lib/samples/sbom-statement";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";

const DPKG_STATUS = readFileSync(join(SAMPLES_TESTDATA_DIR, "debian-12/var/lib/dpkg/status"), "utf8");
const DEBIAN_12 = { id: "debian", versionId: "12" };
const SUBJECT = imageSubject("demo/web", "1.1", "linux/amd64", `sha256:${"ab".repeat(32)}`);

function sbom() {
  return buildSbomStatement(SUBJECT, { dpkgStatus: DPKG_STATUS, distro: DEBIAN_12, created: "2025-07-01T09:00:00Z" });
}

describe("buildSbomStatement", () => {
  it("statement is an SPDX 2.3 document about the subject", () => {
    const statement = sbom();

    expect(statement._type).toBe("https://in-toto.io/Statement/v0.1");
    expect(statement.predicateType).toBe("https://spdx.dev/Document");
    expect(statement.subject).toEqual([SUBJECT]);
    expect(statement.predicate.spdxVersion).toBe("SPDX-2.3");
    expect(statement.predicate.SPDXID).toBe("SPDXRef-DOCUMENT");
    expect(statement.predicate.creationInfo.created).toBe("2025-07-01T09:00:00Z");
  });

  it("lists every installed package of the status file", () => {
    const packages = sbom().predicate.packages;

    expect(packages).toHaveLength(39);
    expect(packages[0]).toMatchObject({ name: "apt", versionInfo: "2.6.1" });
    expect(packages.find((pkg) => pkg.name === "libssl3")?.versionInfo).toBe("3.0.19-1~deb12u2");
    expect(packages.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(["ca-certificates", "openssl", "tzdata"]));
  });

  it("gives each package a valid unique SPDXID", () => {
    const ids = sbom().predicate.packages.map((pkg) => pkg.SPDXID);

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
  });

  it("each package has a purl external ref", () => {
    const packages = sbom().predicate.packages;
    const bsdutils = packages.find((pkg) => pkg.name === "bsdutils");

    expect(bsdutils?.externalRefs).toEqual([
      {
        referenceCategory: "PACKAGE-MANAGER",
        referenceType: "purl",
        referenceLocator: "pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=util-linux",
      },
    ]);
    for (const pkg of packages) expect(pkg.externalRefs[0]?.referenceLocator).toMatch(/^pkg:deb\/debian\//);
  });

  it("document describes every package", () => {
    const document = sbom().predicate;

    expect(document.relationships.map((relationship) => relationship.relatedSpdxElement)).toEqual(
      document.packages.map((pkg) => pkg.SPDXID),
    );
  });

  it("namespace is stable per subject and status", () => {
    const other = buildSbomStatement(imageSubject("demo/web", "1.1", "linux/amd64", `sha256:${"cd".repeat(32)}`), {
      dpkgStatus: DPKG_STATUS,
      distro: DEBIAN_12,
      created: "2025-07-01T09:00:00Z",
    });

    expect(sbom().predicate.documentNamespace).toBe(sbom().predicate.documentNamespace);
    expect(other.predicate.documentNamespace).not.toBe(sbom().predicate.documentNamespace);
  });
});

describe("dpkgPurl", () => {
  it.each([
    [{ name: "tzdata", version: "2025b-0+deb12u2", architecture: "all" }, "pkg:deb/debian/tzdata@2025b-0%2Bdeb12u2?arch=all&distro=debian-12"],
    [{ name: "libssl3", version: "3.0.19-1~deb12u2", architecture: "amd64", sourceName: "openssl" }, "pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"],
    [{ name: "bash", version: "5.2.15-2+b8", architecture: "amd64", sourceName: "bash" }, "pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12"],
    [{ name: "libstdc++6", version: "12.2.0-14", architecture: "amd64", sourceName: "gcc-12" }, "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12"],
  ])("formats %o", (pkg, expected) => {
    expect(dpkgPurl(pkg, DEBIAN_12)).toBe(expected);
  });
});
