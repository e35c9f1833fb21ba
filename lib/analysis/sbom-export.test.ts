import { readFileSync } from "node:fs";

import Ajv, { type AnySchema, type ErrorObject, type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import addFormats from "ajv-formats";
import parseSpdxExpression from "spdx-expression-parse";
import { describe, expect, it } from "vitest";

import { licenseIds, normalizeLicense } from "@/lib/analysis/licenses";
import { cycloneDxPropertyNames, toCycloneDx, toSpdxDocument, type SbomInput, type SbomPackage, type SpdxPackage } from "@/lib/analysis/sbom-export";
import type { OsRelease } from "@/lib/analysis/types";

const packages = JSON.parse(readFileSync(new URL("testdata/sbom/packages.json", import.meta.url), "utf8")) as SbomPackage[];

const IMAGE_DIGEST = "sha256:5b0f9a4b0c1f8e1a7c3f7d2f6a1e8b9c0d4e2f3a5b6c7d8e9f0a1b2c3d4e5f60";
const BASE_LAYER = packages.find((item) => item.name === "libc6")?.layerDigest ?? "";

const debian12: OsRelease = { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", ecosystem: "Debian:12", endOfLife: "2026-06-10" };

function sbomInput(overrides: Partial<SbomInput> = {}): SbomInput {
  return {
    image: { repository: "registry.example.com/acme/api", tag: "1.4.0", digest: IMAGE_DIGEST, platform: "linux/amd64" },
    os: debian12,
    packages,
    created: new Date("2024-05-14T10:00:00.123Z"),
    toolVersion: "0.1.0",
    ...overrides,
  };
}

const IMAGE_PURL = `pkg:oci/api@${IMAGE_DIGEST}?arch=amd64&repository_url=registry.example.com%2Facme%2Fapi&tag=1.4.0`;

/** Top-level and package properties of the SPDX 2.3 JSON schema (`$id` http://spdx.org/rdf/terms/2.3), which allows no others. */
const SPDX_DOCUMENT_PROPERTIES = [
  "SPDXID", "annotations", "comment", "creationInfo", "dataLicense", "externalDocumentRefs", "hasExtractedLicensingInfos", "name", "revieweds",
  "spdxVersion", "documentNamespace", "documentDescribes", "packages", "files", "snippets", "relationships",
];
const SPDX_DOCUMENT_REQUIRED = ["SPDXID", "creationInfo", "dataLicense", "name", "spdxVersion"];
const SPDX_PACKAGE_PROPERTIES = [
  "SPDXID", "annotations", "attributionTexts", "builtDate", "checksums", "comment", "copyrightText", "description", "downloadLocation", "externalRefs",
  "filesAnalyzed", "hasFiles", "homepage", "licenseComments", "licenseConcluded", "licenseDeclared", "licenseInfoFromFiles", "name", "originator",
  "packageFileName", "packageVerificationCode", "primaryPackagePurpose", "releaseDate", "sourceInfo", "summary", "supplier", "validUntilDate", "versionInfo",
];
const SPDX_PACKAGE_REQUIRED = ["SPDXID", "downloadLocation", "name"];

/** SPDX 2.3 clause 7.2: `SPDXRef-` and a string of letters, digits, "." and "-". */
const SPDX_ID_PATTERN = /^SPDXRef-[A-Za-z0-9.-]+$/;
/** SPDX 2.3 clause 10.1. */
const LICENSE_REF_PATTERN = /^LicenseRef-[A-Za-z0-9.-]+$/;

/** Properties of the CycloneDX 1.6 schema (`$id` http://cyclonedx.org/schema/bom-1.6.schema.json), which allows no others. */
const CYCLONEDX_BOM_PROPERTIES = [
  "$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata", "components", "services", "externalReferences", "dependencies",
  "compositions", "vulnerabilities", "annotations", "formulation", "declarations", "definitions", "properties", "signature",
];
const CYCLONEDX_METADATA_PROPERTIES = ["timestamp", "lifecycles", "tools", "manufacturer", "authors", "component", "manufacture", "supplier", "licenses", "properties"];
const CYCLONEDX_COMPONENT_PROPERTIES = [
  "type", "mime-type", "bom-ref", "supplier", "manufacturer", "authors", "author", "publisher", "group", "name", "version", "description", "scope",
  "hashes", "licenses", "copyright", "cpe", "purl", "omniborId", "swhid", "swid", "modified", "pedigree", "externalReferences", "components",
  "evidence", "releaseNotes", "modelCard", "data", "cryptoProperties", "properties", "tags", "signature",
];
/** The CycloneDX 1.6 schema's `serialNumber` pattern. */
const SERIAL_NUMBER_PATTERN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function spdxPackageNamed(name: string): SpdxPackage {
  const found = toSpdxDocument(sbomInput()).packages.find((item) => item.name === name);
  if (found === undefined) throw new Error(`The SPDX document has no package ${name}`);
  return found;
}

function shuffled<T>(values: readonly T[]): T[] {
  // A fixed permutation: reversed, then the halves swapped.
  const reversed = [...values].reverse();
  const half = Math.floor(reversed.length / 2);
  return [...reversed.slice(half), ...reversed.slice(0, half)];
}

describe("SBOM fixture", () => {
  it.each(packages.map((item) => [item.name, item] as const))("%s has its normalised license", (_name, item) => {
    expect(item.license).toBe(normalizeLicense(item.licenseDeclared));
  });
});

describe("toSpdxDocument", () => {
  const document = toSpdxDocument(sbomInput());

  it("writes the document fields", () => {
    expect(document.spdxVersion).toBe("SPDX-2.3");
    expect(document.dataLicense).toBe("CC0-1.0");
    expect(document.SPDXID).toBe("SPDXRef-DOCUMENT");
    expect(document.name).toBe("registry.example.com/acme/api:1.4.0");
    expect(document.creationInfo).toEqual({ created: "2024-05-14T10:00:00Z", creators: ["Tool: shipshape-0.1.0"] });
  });

  it("derives the namespace from the image", () => {
    expect(document.documentNamespace).toMatch(
      /^https:\/\/shipshape\.invalid\/spdx\/registry\.example\.com\/acme\/api\/sha256%3A5b0f9a4b0c1f8e1a7c3f7d2f6a1e8b9c0d4e2f3a5b6c7d8e9f0a1b2c3d4e5f60\/[0-9a-f]{32}$/,
    );
    expect(document.documentNamespace).not.toContain("#");
  });

  it("uses only schema properties", () => {
    for (const key of Object.keys(document)) expect(SPDX_DOCUMENT_PROPERTIES).toContain(key);
    for (const key of SPDX_DOCUMENT_REQUIRED) expect(document).toHaveProperty(key);
    for (const item of document.packages) {
      for (const key of Object.keys(item)) expect(SPDX_PACKAGE_PROPERTIES).toContain(key);
      for (const key of SPDX_PACKAGE_REQUIRED) expect(item).toHaveProperty(key);
    }
  });

  it("describes the image as a container", () => {
    expect(document.packages[0]).toEqual({
      SPDXID: "SPDXRef-Image",
      name: "registry.example.com/acme/api",
      versionInfo: "1.4.0",
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      primaryPackagePurpose: "CONTAINER",
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "NOASSERTION",
      copyrightText: "NOASSERTION",
      comment: `Image manifest digest ${IMAGE_DIGEST}, platform linux/amd64.`,
      externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: IMAGE_PURL }],
    });
  });

  it("lists the operating system", () => {
    expect(document.packages[1]).toEqual({
      SPDXID: "SPDXRef-OperatingSystem",
      name: "debian",
      versionInfo: "12",
      description: "Debian GNU/Linux 12 (bookworm)",
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      primaryPackagePurpose: "OPERATING_SYSTEM",
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "NOASSERTION",
      copyrightText: "NOASSERTION",
    });
  });

  it("lists every package once", () => {
    // 14 packages, the image and the operating system; ms is installed at two paths and listed twice.
    expect(document.packages).toHaveLength(16);
    expect(document.packages.filter((item) => item.name === "ms")).toHaveLength(2);
  });

  it("writes a deb package field by field", () => {
    expect(spdxPackageNamed("libssl3")).toEqual({
      SPDXID: expect.stringMatching(/^SPDXRef-Package-deb-libssl3-[0-9a-f]{16}$/),
      name: "libssl3",
      versionInfo: "3.0.11-1~deb12u2",
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: "Apache-2.0",
      licenseDeclared: "Apache-2.0",
      copyrightText: "NOASSERTION",
      sourceInfo: `Read from /var/lib/dpkg/status in layer ${BASE_LAYER}. Source package openssl 3.0.11-1~deb12u2.`,
      externalRefs: [
        { referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl" },
      ],
    });
  });

  it("writes a pypi package field by field", () => {
    const layer = packages.find((item) => item.name === "cryptography")?.layerDigest;
    expect(spdxPackageNamed("cryptography")).toEqual({
      SPDXID: expect.stringMatching(/^SPDXRef-Package-pypi-cryptography-[0-9a-f]{16}$/),
      name: "cryptography",
      versionInfo: "42.0.5",
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: "Apache-2.0 OR BSD-3-Clause",
      licenseDeclared: "Apache-2.0 OR BSD-3-Clause",
      copyrightText: "NOASSERTION",
      sourceInfo: `Read from /usr/local/lib/python3.11/site-packages/cryptography-42.0.5.dist-info/METADATA in layer ${layer}.`,
      externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: "pkg:pypi/cryptography@42.0.5" }],
    });
  });

  const licenses: Array<[string, string]> = [
    ["libc6", "LGPL-2.1-or-later AND GPL-2.0-or-later"],
    ["libgcc-s1", "GPL-3.0-or-later WITH GCC-exception-3.1"],
    ["jszip", "MIT OR GPL-3.0-or-later"],
    ["tzdata", "LicenseRef-Public-Domain"],
    ["@babel/runtime", "MIT"],
    ["libsemanage-common", "NOASSERTION"],
  ];

  it.each(licenses)("writes the license of %s", (name, license) => {
    const item = spdxPackageNamed(name);
    expect(item.licenseConcluded).toBe(license);
    expect(item.licenseDeclared).toBe(license);
  });

  it("writes valid SPDX ids", () => {
    const ids = document.packages.map((item) => item.SPDXID);
    for (const id of ids) expect(id).toMatch(SPDX_ID_PATTERN);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("cleans a scoped npm name in the id", () => {
    expect(spdxPackageNamed("@babel/runtime").SPDXID).toMatch(/^SPDXRef-Package-npm-babel-runtime-[0-9a-f]{16}$/);
  });

  it("writes valid license expressions", () => {
    for (const item of document.packages) {
      for (const license of [item.licenseConcluded, item.licenseDeclared]) {
        if (license !== "NOASSERTION") expect(() => parseSpdxExpression(license)).not.toThrow();
      }
    }
  });

  it("declares every LicenseRef", () => {
    const used = new Set(
      document.packages.flatMap((item) => [item.licenseConcluded, item.licenseDeclared]).flatMap((license) => (license === "NOASSERTION" ? [] : licenseIds(license))),
    );
    const referenced = [...used].filter((id) => id.startsWith("LicenseRef-"));
    const declared = (document.hasExtractedLicensingInfos ?? []).map((info) => info.licenseId);

    expect(referenced).toEqual(["LicenseRef-Public-Domain"]);
    expect(declared).toEqual(referenced);
    for (const id of declared) expect(id).toMatch(LICENSE_REF_PATTERN);
  });

  it("quotes the declared text of a LicenseRef", () => {
    expect(document.hasExtractedLicensingInfos).toEqual([{ licenseId: "LicenseRef-Public-Domain", name: "Public-Domain", extractedText: "public-domain" }]);
  });

  it("relates the document, image and packages", () => {
    const [describes, ...contains] = document.relationships;
    expect(describes).toEqual({ spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: "SPDXRef-Image" });
    expect(contains.map((relationship) => relationship.relationshipType)).toEqual(Array(15).fill("CONTAINS"));
    expect(contains.map((relationship) => relationship.spdxElementId)).toEqual(Array(15).fill("SPDXRef-Image"));
    expect(contains.map((relationship) => relationship.relatedSpdxElement)).toEqual(document.packages.slice(1).map((item) => item.SPDXID));
  });

  it("sorts packages by purl", () => {
    const purls = document.packages.slice(2).map((item) => item.externalRefs?.[0]?.referenceLocator ?? "");
    expect(purls).toEqual([...purls].sort());
  });

  it("is deterministic", () => {
    const again = JSON.stringify(toSpdxDocument(sbomInput()));
    const reordered = JSON.stringify(toSpdxDocument(sbomInput({ packages: shuffled(packages) })));
    expect(again).toBe(JSON.stringify(document));
    expect(reordered).toBe(JSON.stringify(document));
  });

  it("drops exact duplicates", () => {
    const doubled = toSpdxDocument(sbomInput({ packages: [...packages, ...packages] }));
    expect(JSON.stringify(doubled)).toBe(JSON.stringify(document));
  });

  it("keeps the namespace for a new export time", () => {
    const later = toSpdxDocument(sbomInput({ created: new Date("2025-01-01T00:00:00Z") }));
    expect(later.documentNamespace).toBe(document.documentNamespace);
    expect(later.creationInfo.created).toBe("2025-01-01T00:00:00Z");
  });

  it("changes the namespace with the content", () => {
    const fewer = toSpdxDocument(sbomInput({ packages: packages.slice(1) }));
    const newerTool = toSpdxDocument(sbomInput({ toolVersion: "0.2.0" }));
    expect(fewer.documentNamespace).not.toBe(document.documentNamespace);
    expect(newerTool.documentNamespace).not.toBe(document.documentNamespace);
  });

  it("names an untagged image by digest", () => {
    const untagged = toSpdxDocument(sbomInput({ image: { repository: "acme/api", tag: null, digest: IMAGE_DIGEST, platform: "linux/arm64/v8" } }));
    expect(untagged.name).toBe(`acme/api@${IMAGE_DIGEST}`);
    expect(untagged.packages[0]?.versionInfo).toBe(IMAGE_DIGEST);
    expect(untagged.packages[0]?.externalRefs?.[0]?.referenceLocator).toBe(`pkg:oci/api@${IMAGE_DIGEST}?arch=arm64&repository_url=acme%2Fapi`);
  });

  it("leaves out an unknown operating system", () => {
    const scratch = toSpdxDocument(sbomInput({ os: null }));
    expect(scratch.packages.map((item) => item.SPDXID)).not.toContain("SPDXRef-OperatingSystem");
    expect(scratch.relationships).toHaveLength(15);
  });

  it("omits extracted licenses when none are used", () => {
    const mit = toSpdxDocument(sbomInput({ packages: packages.filter((item) => item.license === "MIT") }));
    expect(mit).not.toHaveProperty("hasExtractedLicensingInfos");
  });

  it.each([
    ["an invalid expression", "MIT AND"],
    ["an external document reference", "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"],
  ])("writes NOASSERTION for %s", (_name, license) => {
    const odd = { ...packages[0], license } as SbomPackage;
    const item = toSpdxDocument(sbomInput({ packages: [odd] })).packages[2];

    expect(item?.licenseConcluded).toBe("NOASSERTION");
    expect(item?.licenseDeclared).toBe("NOASSERTION");
    expect(item?.licenseComments).toBe(`The license "${license}" is not a valid SPDX license expression of this document.`);
  });
});

describe("toCycloneDx", () => {
  const bom = toCycloneDx(sbomInput());
  const component = (name: string) => bom.components.find((item) => item.name === name);

  it("writes the BOM fields", () => {
    expect(bom.$schema).toBe("http://cyclonedx.org/schema/bom-1.6.schema.json");
    expect(bom.bomFormat).toBe("CycloneDX");
    expect(bom.specVersion).toBe("1.6");
    expect(bom.version).toBe(1);
    expect(bom.metadata.timestamp).toBe("2024-05-14T10:00:00Z");
  });

  it("derives a name-based serial number", () => {
    expect(bom.serialNumber).toMatch(SERIAL_NUMBER_PATTERN);
    // RFC 4122 version 5 and variant bits.
    expect(bom.serialNumber.charAt("urn:uuid:".length + 14)).toBe("5");
    expect(["8", "9", "a", "b"]).toContain(bom.serialNumber.charAt("urn:uuid:".length + 19));
    expect(toCycloneDx(sbomInput({ created: new Date("2030-01-01T00:00:00Z") })).serialNumber).toBe(bom.serialNumber);
    expect(toCycloneDx(sbomInput({ packages: packages.slice(1) })).serialNumber).not.toBe(bom.serialNumber);
  });

  it("uses only schema properties", () => {
    for (const key of Object.keys(bom)) expect(CYCLONEDX_BOM_PROPERTIES).toContain(key);
    for (const key of Object.keys(bom.metadata)) expect(CYCLONEDX_METADATA_PROPERTIES).toContain(key);
    for (const item of [bom.metadata.component, ...bom.metadata.tools.components, ...bom.components]) {
      for (const key of Object.keys(item)) expect(CYCLONEDX_COMPONENT_PROPERTIES).toContain(key);
      expect(item.name).not.toBe("");
    }
  });

  it("names Shipshape as the tool", () => {
    expect(bom.metadata.tools).toEqual({ components: [{ type: "application", name: "shipshape", version: "0.1.0" }] });
  });

  it("describes the image as a container", () => {
    expect(bom.metadata.component).toEqual({
      type: "container",
      "bom-ref": IMAGE_PURL,
      name: "registry.example.com/acme/api",
      version: "1.4.0",
      purl: IMAGE_PURL,
      properties: [
        { name: "shipshape:image:digest", value: IMAGE_DIGEST },
        { name: "shipshape:image:platform", value: "linux/amd64" },
      ],
    });
  });

  it("lists the operating system first", () => {
    expect(bom.components[0]).toEqual({
      type: "operating-system",
      "bom-ref": "os:debian@12",
      name: "debian",
      version: "12",
      description: "Debian GNU/Linux 12 (bookworm)",
    });
  });

  it("writes one library per purl", () => {
    const libraries = bom.components.filter((item) => item.type === "library");
    expect(libraries).toHaveLength(13);
    for (const library of libraries) expect(library["bom-ref"]).toBe(library.purl);
  });

  it("writes unique bom-refs", () => {
    const refs = [bom.metadata.component["bom-ref"], ...bom.components.map((item) => item["bom-ref"])];
    for (const ref of refs) expect(ref).toMatch(/^(?!urn:cdx:)./);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it("writes a deb library field by field", () => {
    expect(component("libssl3")).toEqual({
      type: "library",
      "bom-ref": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
      name: "libssl3",
      version: "3.0.11-1~deb12u2",
      purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
      licenses: [{ license: { id: "Apache-2.0" } }],
      properties: [
        { name: cycloneDxPropertyNames.layerDigest, value: BASE_LAYER },
        { name: cycloneDxPropertyNames.path, value: "/var/lib/dpkg/status" },
        { name: cycloneDxPropertyNames.sourceName, value: "openssl" },
        { name: cycloneDxPropertyNames.sourceVersion, value: "3.0.11-1~deb12u2" },
      ],
    });
  });

  it("merges copies of one package", () => {
    const ms = bom.components.filter((item) => item.name === "ms");
    expect(ms).toHaveLength(1);
    expect(ms[0]?.properties?.filter((property) => property.name === cycloneDxPropertyNames.path).map((property) => property.value)).toEqual([
      "/app/node_modules/ms/package.json",
      "/app/node_modules/send/node_modules/ms/package.json",
    ]);
    expect(ms[0]?.properties?.filter((property) => property.name === cycloneDxPropertyNames.layerDigest)).toHaveLength(2);
  });

  const licenses: Array<[string, unknown]> = [
    ["express", [{ license: { id: "MIT" } }]],
    ["zlib1g", [{ license: { id: "Zlib" } }]],
    ["jszip", [{ expression: "MIT OR GPL-3.0-or-later" }]],
    ["cryptography", [{ expression: "Apache-2.0 OR BSD-3-Clause" }]],
    ["libc6", [{ expression: "LGPL-2.1-or-later AND GPL-2.0-or-later" }]],
    ["libgcc-s1", [{ expression: "GPL-3.0-or-later WITH GCC-exception-3.1" }]],
    ["tzdata", [{ expression: "LicenseRef-Public-Domain" }]],
    ["libsemanage-common", undefined],
  ];

  it.each(licenses)("writes the licenses of %s", (name, expected) => {
    expect(component(name)?.licenses).toEqual(expected);
  });

  it("names a license that is no SPDX expression", () => {
    const odd = { ...packages[0], license: "MIT AND" } as SbomPackage;
    const [, library] = toCycloneDx(sbomInput({ packages: [odd] })).components;
    expect(library?.licenses).toEqual([{ license: { name: "MIT AND" } }]);
  });

  it("makes the image depend on every component", () => {
    expect(bom.dependencies).toEqual([{ ref: IMAGE_PURL, dependsOn: bom.components.map((item) => item["bom-ref"]) }]);
  });

  it("sorts components by purl", () => {
    const purls = bom.components.slice(1).map((item) => item.purl ?? "");
    expect(purls).toEqual([...purls].sort());
  });

  it("is deterministic", () => {
    expect(JSON.stringify(toCycloneDx(sbomInput()))).toBe(JSON.stringify(bom));
    expect(JSON.stringify(toCycloneDx(sbomInput({ packages: shuffled(packages) })))).toBe(JSON.stringify(bom));
  });

  it("leaves out an unknown operating system", () => {
    const scratch = toCycloneDx(sbomInput({ os: null }));
    expect(scratch.components.map((item) => item.type)).not.toContain("operating-system");
    expect(scratch.dependencies[0]?.dependsOn).toHaveLength(13);
  });
});

// --- Validation against the published JSON schemas ---------------------------

function readJson(url: URL): AnySchema {
  return JSON.parse(readFileSync(url, "utf8")) as AnySchema;
}

/** Lists each error as "path: message", so a failing test names the fields that break the schema. */
function schemaErrors(validate: ValidateFunction, document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath || "/"}: ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`);
}

/** SPDX 2.3 JSON schema (draft 2019-09), committed from the spdx/spdx-spec repository; see testdata/sbom/README.md. */
function spdxValidator(): ValidateFunction {
  const ajv = new Ajv2019({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(readJson(new URL("testdata/sbom/spdx-2.3.schema.json", import.meta.url)));
}

/**
 * CycloneDX 1.6 JSON schema (draft-07) as the @cyclonedx/cyclonedx-library package ships it. The BOM schema refers to
 * `spdx.SNAPSHOT.schema.json` and `jsf-0.82.SNAPSHOT.schema.json` beside it, so each is added under the URL that
 * reference resolves to against the BOM schema's `$id`.
 */
function cycloneDxValidator(): ValidateFunction {
  const folder = new URL("../../node_modules/@cyclonedx/cyclonedx-library/res/schema/", import.meta.url);
  const bom = readJson(new URL("bom-1.6.SNAPSHOT.schema.json", folder)) as { $id: string };
  // strictRequired is a lint for schema authors: the schema lists required properties inside oneOf branches that
  // declare no properties of their own, which is valid JSON Schema.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  // The schema annotates enumerations with "meta:enum" descriptions, which validate nothing.
  ajv.addKeyword("meta:enum");
  // NOTE: ajv-formats 3 has no "iri-reference" or "idn-email" check, so values of those formats are not checked.
  // The exports write neither (they are used for URLs and e-mail addresses).
  ajv.addFormat("iri-reference", true);
  ajv.addFormat("idn-email", true);
  for (const file of ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]) {
    ajv.addSchema(readJson(new URL(file, folder)), new URL(file, bom.$id).href);
  }
  return ajv.compile(bom);
}

describe("schema validation", () => {
  const validateSpdx = spdxValidator();
  const validateCycloneDx = cycloneDxValidator();
  const odd = { ...packages[0], license: "MIT AND" } as SbomPackage;

  const inputs: Array<[string, SbomInput]> = [
    ["the fixture", sbomInput()],
    ["an image without an operating system", sbomInput({ os: null })],
    ["an untagged image", sbomInput({ image: { repository: "acme/api", tag: null, digest: IMAGE_DIGEST, platform: "linux/arm64/v8" } })],
    ["a license that is no SPDX expression", sbomInput({ packages: [odd] })],
    ["an image without packages", sbomInput({ packages: [] })],
  ];

  it.each(inputs)("SPDX export of %s matches SPDX 2.3", (_name, input) => {
    expect(schemaErrors(validateSpdx, toSpdxDocument(input))).toEqual([]);
  });

  it.each(inputs)("CycloneDX export of %s matches CycloneDX 1.6", (_name, input) => {
    expect(schemaErrors(validateCycloneDx, toCycloneDx(input))).toEqual([]);
  });

  it("SPDX schema rejects a broken document", () => {
    const document = JSON.parse(JSON.stringify(toSpdxDocument(sbomInput()))) as Record<string, unknown> & { packages: Record<string, unknown>[] };
    delete document.packages[1]?.downloadLocation;
    document.packages[2] = { ...document.packages[2], primaryPackagePurpose: "IMAGE" };

    const errors = schemaErrors(validateSpdx, document);

    expect(errors).toContainEqual(expect.stringMatching(/^\/packages\/1: must have required property 'downloadLocation'/));
    expect(errors).toContainEqual(expect.stringMatching(/^\/packages\/2\/primaryPackagePurpose: must be equal to one of the allowed values/));
  });

  it("CycloneDX schema rejects a broken BOM", () => {
    const bom = JSON.parse(JSON.stringify(toCycloneDx(sbomInput()))) as Record<string, unknown> & { components: Record<string, unknown>[] };
    bom.serialNumber = "not-a-uuid";
    bom.components[1] = { ...bom.components[1], licenses: [{ license: { id: "Not-An-SPDX-Id" } }] };

    const errors = schemaErrors(validateCycloneDx, bom);

    expect(errors).toContainEqual(expect.stringMatching(/^\/serialNumber: must match pattern/));
    expect(errors).toContainEqual(expect.stringMatching(/^\/components\/1\/licenses\/0\/license\/id: must be equal to one of the allowed values/));
  });
});
