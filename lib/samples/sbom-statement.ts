import { listInstalledDpkgPackages, type DpkgPackage } from "@/lib/samples/dpkg-installed-packages";
import { sortKeys } from "@/lib/samples/encode-json";
import { IN_TOTO_STATEMENT_V01, type InTotoStatement, type InTotoSubject } from "@/lib/samples/in-toto-statement";
import { sha256Digest } from "@/lib/samples/sha256-digest";

/** The predicate type of an SPDX document, as BuildKit labels SBOM attestations. */
export const SPDX_PREDICATE_TYPE = "https://spdx.dev/Document";

/** Input of an SBOM attestation: one dpkg status file, whose installed packages it lists. */
export interface SbomInput {
  /** Contents of `/var/lib/dpkg/status`. */
  dpkgStatus: string;
  /** The os-release `ID` and `VERSION_ID`, which name the purl namespace and `distro` qualifier. */
  distro: { id: string; versionId: string };
  /** ISO 8601 time written as the document's creation time. */
  created: string;
}

/** An SPDX 2.3 package entry with the fields the samples fill. */
export interface SpdxPackage {
  name: string;
  SPDXID: string;
  versionInfo: string;
  downloadLocation: "NOASSERTION";
  filesAnalyzed: false;
  sourceInfo: string;
  licenseConcluded: "NOASSERTION";
  licenseDeclared: "NOASSERTION";
  copyrightText: "NOASSERTION";
  externalRefs: { referenceCategory: "PACKAGE-MANAGER"; referenceType: "purl"; referenceLocator: string }[];
}

/** An SPDX 2.3 JSON document with packages and DESCRIBES relationships. */
export interface SpdxDocument {
  spdxVersion: "SPDX-2.3";
  dataLicense: "CC0-1.0";
  SPDXID: "SPDXRef-DOCUMENT";
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: "DESCRIBES"; relatedSpdxElement: string }[];
}

/** Builds an in-toto statement whose predicate is an SPDX 2.3 SBOM of the dpkg packages in `input`. */
export function buildSbomStatement(subject: InTotoSubject, input: SbomInput): InTotoStatement<SpdxDocument> {
  const packages = listInstalledDpkgPackages(input.dpkgStatus);
  const usedIds = new Set<string>();
  const spdxPackages = packages.map((pkg) => toSpdxPackage(pkg, input.distro, usedIds));

  // The namespace must be unique per document; deriving it from the inputs keeps it reproducible.
  const namespaceId = sha256Digest(new TextEncoder().encode(`${subject.digest.sha256}\n${input.dpkgStatus}`)).slice(
    "sha256:".length,
    "sha256:".length + 32,
  );

  return {
    _type: IN_TOTO_STATEMENT_V01,
    predicateType: SPDX_PREDICATE_TYPE,
    subject: [subject],
    predicate: {
      spdxVersion: "SPDX-2.3",
      dataLicense: "CC0-1.0",
      SPDXID: "SPDXRef-DOCUMENT",
      name: subject.name,
      documentNamespace: `https://spdx.org/spdxdocs/shipshape-sample-${namespaceId}`,
      creationInfo: { created: input.created, creators: ["Tool: shipshape-samples"] },
      packages: spdxPackages,
      relationships: spdxPackages.map((pkg) => ({
        spdxElementId: "SPDXRef-DOCUMENT",
        relationshipType: "DESCRIBES",
        relatedSpdxElement: pkg.SPDXID,
      })),
    },
  };
}

/**
 * Formats the package URL of a Debian-family package, with qualifiers in the
 * sorted order that the purl specification calls canonical.
 */
export function dpkgPurl(pkg: DpkgPackage, distro: { id: string; versionId: string }): string {
  const qualifiers: Record<string, string> = {
    arch: pkg.architecture,
    distro: `${distro.id}-${distro.versionId}`,
  };
  if (pkg.sourceName !== undefined && pkg.sourceName !== pkg.name) {
    qualifiers.upstream = pkg.sourceName;
  }

  const query = Object.entries(sortKeys(qualifiers))
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join("&");
  return `pkg:deb/${encodeURIComponent(distro.id)}/${encodeURIComponent(pkg.name)}@${encodeURIComponent(pkg.version)}?${query}`;
}

function toSpdxPackage(pkg: DpkgPackage, distro: { id: string; versionId: string }, usedIds: Set<string>): SpdxPackage {
  return {
    name: pkg.name,
    SPDXID: uniqueSpdxId(`SPDXRef-Package-deb-${pkg.name}-${pkg.architecture}`, usedIds),
    versionInfo: pkg.version,
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    sourceInfo: "package recorded as installed in /var/lib/dpkg/status",
    licenseConcluded: "NOASSERTION",
    licenseDeclared: "NOASSERTION",
    copyrightText: "NOASSERTION",
    externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: dpkgPurl(pkg, distro) }],
  };
}

// SPDX 2.3 allows only letters, digits, "." and "-" after "SPDXRef-".
function uniqueSpdxId(candidate: string, usedIds: Set<string>): string {
  const base = candidate.replace(/[^A-Za-z0-9.-]/g, "-");
  let id = base;
  for (let suffix = 2; usedIds.has(id); suffix++) id = `${base}-${suffix}`;
  usedIds.add(id);
  return id;
}
