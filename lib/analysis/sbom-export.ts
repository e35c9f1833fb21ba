import { createHash } from "node:crypto";

import { PackageURL } from "packageurl-js";
import parseSpdxExpression from "spdx-expression-parse";
import deprecatedLicenseIds from "spdx-license-ids/deprecated.json";
import currentLicenseIds from "spdx-license-ids/index.json";

import { licenseIds, normalizeLicense } from "@/lib/analysis/licenses";
import type { CatalogedPackage, OsRelease } from "@/lib/analysis/types";

/**
 * Export of one platform image's package inventory as SPDX 2.3 JSON and
 * CycloneDX 1.6 JSON. Both exports are deterministic: the same input gives the
 * same JSON, byte for byte, so exports can be stored and compared. Packages are
 * sorted and every id is derived from the content, never random.
 */

export interface SbomInput {
  image: {
    repository: string;
    tag: string | null;
    /** Platform manifest digest. */
    digest: string;
    /** "linux/amd64", "linux/arm64/v8". */
    platform: string;
  };
  os: OsRelease | null;
  packages: readonly (CatalogedPackage & { layerDigest: string })[];
  created: Date;
  toolVersion: string;
}

export type SbomPackage = SbomInput["packages"][number];

export const SHIPSHAPE_TOOL_NAME = "shipshape";

/** Base of SPDX document namespaces. The reserved `.invalid` top-level domain never resolves, so the URI names the document without locating it. */
const NAMESPACE_BASE = "https://shipshape.invalid";

/** The name space id that RFC 4122 assigns to URLs, for name-based UUIDs. */
const URL_NAMESPACE_UUID = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

const NOASSERTION = "NOASSERTION";

const spdxLicenseIds = new Set<string>([...currentLicenseIds, ...deprecatedLicenseIds]);

// --- SPDX 2.3 ---------------------------------------------------------------

export interface SpdxExternalRef {
  referenceCategory: "PACKAGE-MANAGER" | "SECURITY" | "PERSISTENT-ID" | "OTHER";
  referenceType: string;
  referenceLocator: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  primaryPackagePurpose?: "CONTAINER" | "OPERATING_SYSTEM";
  licenseConcluded: string;
  licenseDeclared: string;
  licenseComments?: string;
  copyrightText: string;
  description?: string;
  comment?: string;
  sourceInfo?: string;
  externalRefs?: SpdxExternalRef[];
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: "DESCRIBES" | "CONTAINS";
  relatedSpdxElement: string;
}

export interface SpdxExtractedLicensingInfo {
  licenseId: string;
  name: string;
  extractedText: string;
}

export interface SpdxDocument {
  spdxVersion: "SPDX-2.3";
  dataLicense: "CC0-1.0";
  SPDXID: "SPDXRef-DOCUMENT";
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
  hasExtractedLicensingInfos?: SpdxExtractedLicensingInfo[];
}

const DOCUMENT_ID = "SPDXRef-DOCUMENT";
const IMAGE_SPDX_ID = "SPDXRef-Image";
const OS_SPDX_ID = "SPDXRef-OperatingSystem";

/**
 * Builds an SPDX 2.3 document: the image is one package with purpose
 * CONTAINER, which the document DESCRIBES and which CONTAINS the operating
 * system and every package. Field names and rules follow SPDX 2.3 clauses 6
 * (document creation), 7 (packages), 10 (other licensing) and 11
 * (relationships).
 */
export function toSpdxDocument(input: SbomInput): SpdxDocument {
  const packages = sortedPackages(input.packages);
  const imagePurl = imagePackageUrl(input.image);

  const imagePackage: SpdxPackage = {
    SPDXID: IMAGE_SPDX_ID,
    name: input.image.repository,
    versionInfo: input.image.tag ?? input.image.digest,
    downloadLocation: NOASSERTION,
    // SPDX 2.3 clause 7.8: an omitted field means true, which claims that the package's files were analysed.
    filesAnalyzed: false,
    primaryPackagePurpose: "CONTAINER",
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    comment: `Image manifest digest ${input.image.digest}, platform ${input.image.platform}.`,
    externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: imagePurl }],
  };

  const spdxPackages: SpdxPackage[] = [imagePackage];
  const relationships: SpdxRelationship[] = [{ spdxElementId: DOCUMENT_ID, relationshipType: "DESCRIBES", relatedSpdxElement: IMAGE_SPDX_ID }];

  if (input.os !== null) {
    spdxPackages.push(operatingSystemPackage(input.os));
    relationships.push({ spdxElementId: IMAGE_SPDX_ID, relationshipType: "CONTAINS", relatedSpdxElement: OS_SPDX_ID });
  }

  for (const item of packages) {
    const spdxPackage = toSpdxPackage(item);
    spdxPackages.push(spdxPackage);
    relationships.push({ spdxElementId: IMAGE_SPDX_ID, relationshipType: "CONTAINS", relatedSpdxElement: spdxPackage.SPDXID });
  }

  const document: SpdxDocument = {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: DOCUMENT_ID,
    name: imageName(input.image),
    documentNamespace: `${NAMESPACE_BASE}/spdx/${imagePath(input.image)}/${contentHash(input, packages)}`,
    creationInfo: { created: spdxTimestamp(input.created), creators: [`Tool: ${SHIPSHAPE_TOOL_NAME}-${input.toolVersion}`] },
    packages: spdxPackages,
    relationships,
  };

  const extracted = extractedLicensingInfos(packages);
  if (extracted.length > 0) document.hasExtractedLicensingInfos = extracted;
  return document;
}

function toSpdxPackage(item: SbomPackage): SpdxPackage {
  const license = spdxLicense(item.license);
  const spdxPackage: SpdxPackage = {
    SPDXID: packageSpdxId(item),
    name: item.name,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: license,
    licenseDeclared: license,
    copyrightText: NOASSERTION,
    sourceInfo: packageSourceInfo(item),
    externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: item.purl }],
  };
  if (item.version !== "") spdxPackage.versionInfo = item.version;
  if (license === NOASSERTION && item.license !== null) {
    spdxPackage.licenseComments = `The license "${item.license}" is not a valid SPDX license expression of this document.`;
  }
  return spdxPackage;
}

function operatingSystemPackage(os: OsRelease): SpdxPackage {
  const osPackage: SpdxPackage = {
    SPDXID: OS_SPDX_ID,
    name: os.id,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    primaryPackagePurpose: "OPERATING_SYSTEM",
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
  };
  if (os.versionId !== null) osPackage.versionInfo = os.versionId;
  if (os.prettyName !== null) osPackage.description = os.prettyName;
  return osPackage;
}

/**
 * Returns the expression when SPDX can carry it as is, else NOASSERTION. A
 * `DocumentRef-` would need an external document reference that Shipshape
 * cannot give, so it is not carried.
 */
function spdxLicense(license: string | null): string {
  if (license === null || license.includes("DocumentRef-")) return NOASSERTION;
  return isSpdxExpression(license) ? license : NOASSERTION;
}

/**
 * Declares every `LicenseRef-` id the packages use (SPDX 2.3 clause 10.1
 * requires it). The extracted text is what the packages declared that
 * normalises to the id, because Shipshape keeps no license files.
 */
function extractedLicensingInfos(packages: readonly SbomPackage[]): SpdxExtractedLicensingInfo[] {
  const texts = new Map<string, Set<string>>();
  for (const item of packages) {
    const license = spdxLicense(item.license);
    if (license === NOASSERTION) continue;

    for (const id of licenseIds(license)) {
      if (!id.startsWith("LicenseRef-")) continue;
      const declared = texts.get(id) ?? new Set<string>();
      texts.set(id, declared);
      for (const entry of item.licenseDeclared) {
        if (licenseIds(normalizeLicense([entry]) ?? "").includes(id)) declared.add(entry.trim());
      }
    }
  }

  return [...texts.keys()].sort(compareText).map((id) => {
    const declared = [...(texts.get(id) ?? [])].sort(compareText);
    return {
      licenseId: id,
      name: id.slice("LicenseRef-".length),
      extractedText: declared.length > 0 ? declared.join("\n") : NOASSERTION,
    };
  });
}

/**
 * Builds `SPDXRef-Package-<type>-<name>-<hash>`: SPDX ids allow letters,
 * digits, "." and "-" after `SPDXRef-` (clause 7.2). The hash of the purl,
 * path and layer keeps two copies of one package apart and stays the same
 * wherever the package sorts.
 */
function packageSpdxId(item: SbomPackage): string {
  const hash = sha256Hex(`${item.purl}\n${item.path}\n${item.layerDigest}`).slice(0, 16);
  return `SPDXRef-Package-${idString(item.type)}-${idString(item.name)}-${hash}`;
}

function packageSourceInfo(item: SbomPackage): string {
  let text = `Read from ${item.path} in layer ${item.layerDigest}.`;
  if (item.sourceName !== undefined) {
    const version = item.sourceVersion ?? item.version;
    text += ` Source package ${item.sourceName} ${version}.`;
  }
  return text;
}

// --- CycloneDX 1.6 ----------------------------------------------------------

export type CycloneDxLicenseChoice = [{ expression: string }] | { license: { id: string } | { name: string } }[];

export interface CycloneDxProperty {
  name: string;
  value: string;
}

export interface CycloneDxComponent {
  type: "library" | "container" | "operating-system" | "application";
  "bom-ref"?: string;
  name: string;
  version?: string;
  description?: string;
  purl?: string;
  licenses?: CycloneDxLicenseChoice;
  properties?: CycloneDxProperty[];
}

export interface CycloneDxBom {
  $schema: "http://cyclonedx.org/schema/bom-1.6.schema.json";
  bomFormat: "CycloneDX";
  specVersion: "1.6";
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: CycloneDxComponent[] };
    component: CycloneDxComponent;
  };
  components: CycloneDxComponent[];
  dependencies: { ref: string; dependsOn: string[] }[];
}

/** Shipshape's CycloneDX property names, in a `shipshape:` namespace. */
export const cycloneDxPropertyNames = {
  imageDigest: "shipshape:image:digest",
  platform: "shipshape:image:platform",
  layerDigest: "shipshape:package:layerDigest",
  path: "shipshape:package:path",
  sourceName: "shipshape:package:sourceName",
  sourceVersion: "shipshape:package:sourceVersion",
} as const;

/**
 * Builds a CycloneDX 1.6 BOM: the image is `metadata.component` of type
 * container, each distinct purl is one `library` component whose `bom-ref` is
 * the purl, and the dependency graph lists the image depending on every
 * component. Copies of one package (the same purl read from several paths or
 * layers) are one component with a layer and a path property per copy.
 */
export function toCycloneDx(input: SbomInput): CycloneDxBom {
  const packages = sortedPackages(input.packages);
  const imagePurl = imagePackageUrl(input.image);

  const components: CycloneDxComponent[] = [];
  const componentRefs: string[] = [];
  if (input.os !== null) {
    const ref = operatingSystemRef(input.os);
    components.push(operatingSystemComponent(input.os, ref));
    componentRefs.push(ref);
  }

  const byPurl = new Map<string, SbomPackage[]>();
  for (const item of packages) {
    const copies = byPurl.get(item.purl) ?? [];
    copies.push(item);
    byPurl.set(item.purl, copies);
  }
  for (const [purl, copies] of byPurl) {
    const [first] = copies;
    if (first === undefined) continue;
    components.push(libraryComponent(purl, first, copies));
    componentRefs.push(purl);
  }

  const imageComponent: CycloneDxComponent = {
    type: "container",
    "bom-ref": imagePurl,
    name: input.image.repository,
    version: input.image.tag ?? input.image.digest,
    purl: imagePurl,
    properties: [
      { name: cycloneDxPropertyNames.imageDigest, value: input.image.digest },
      { name: cycloneDxPropertyNames.platform, value: input.image.platform },
    ],
  };

  const namespace = `${NAMESPACE_BASE}/cyclonedx/${imagePath(input.image)}/${contentHash(input, packages)}`;
  return {
    $schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    serialNumber: `urn:uuid:${nameBasedUuid(namespace)}`,
    version: 1,
    metadata: {
      timestamp: spdxTimestamp(input.created),
      tools: { components: [{ type: "application", name: SHIPSHAPE_TOOL_NAME, version: input.toolVersion }] },
      component: imageComponent,
    },
    components,
    dependencies: [{ ref: imagePurl, dependsOn: componentRefs }],
  };
}

/** Builds one library component from the copies of a package that share `purl`. Name, version and license come from the first copy. */
function libraryComponent(purl: string, first: SbomPackage, copies: readonly SbomPackage[]): CycloneDxComponent {
  const component: CycloneDxComponent = { type: "library", "bom-ref": purl, name: first.name };
  if (first.version !== "") component.version = first.version;
  component.purl = purl;

  const licenses = cycloneDxLicenses(first.license);
  if (licenses !== null) component.licenses = licenses;

  const properties: CycloneDxProperty[] = [];
  for (const copy of copies) {
    properties.push({ name: cycloneDxPropertyNames.layerDigest, value: copy.layerDigest });
    properties.push({ name: cycloneDxPropertyNames.path, value: copy.path });
  }
  if (first.sourceName !== undefined) {
    properties.push({ name: cycloneDxPropertyNames.sourceName, value: first.sourceName });
    properties.push({ name: cycloneDxPropertyNames.sourceVersion, value: first.sourceVersion ?? first.version });
  }
  component.properties = properties;
  return component;
}

/** Builds the operating system's bom-ref. There is no purl type for it, and the `os:` prefix keeps it apart from every purl (`pkg:`). */
function operatingSystemRef(os: OsRelease): string {
  return `os:${os.id}@${os.versionId ?? "unknown"}`;
}

function operatingSystemComponent(os: OsRelease, ref: string): CycloneDxComponent {
  const component: CycloneDxComponent = { type: "operating-system", "bom-ref": ref, name: os.id };
  if (os.versionId !== null) component.version = os.versionId;
  if (os.prettyName !== null) component.description = os.prettyName;
  return component;
}

/**
 * Maps an expression to CycloneDX's license choice: one SPDX id as
 * `license.id`, anything else (operators, `+`, `WITH`, `LicenseRef-`) as the
 * single `expression` the schema allows, and text that is no SPDX expression
 * as a named license.
 */
function cycloneDxLicenses(license: string | null): CycloneDxLicenseChoice | null {
  if (license === null) return null;
  if (!isSpdxExpression(license)) return [{ license: { name: license } }];
  // NOTE: license.id must be in the schema's spdx.schema.json enumeration. An id added to the
  // SPDX license list after the CycloneDX 1.6 schema was published fails that validation.
  if (spdxLicenseIds.has(license)) return [{ license: { id: license } }];
  return [{ expression: license }];
}

// --- Shared -----------------------------------------------------------------

/** Sorts by purl, path and layer, and drops exact duplicates, so that the order of the input does not matter. */
function sortedPackages(packages: readonly SbomPackage[]): SbomPackage[] {
  const unique = new Map<string, SbomPackage>();
  for (const item of packages) {
    const key = `${item.purl}\n${item.path}\n${item.layerDigest}`;
    if (!unique.has(key)) unique.set(key, item);
  }
  return [...unique.entries()].sort(([a], [b]) => compareText(a, b)).map(([, item]) => item);
}

/** Builds the image's `pkg:oci` purl (purl-spec OCI type): the name is the last repository component, lowercase. */
function imagePackageUrl(image: SbomInput["image"]): string {
  const name = (image.repository.split("/").pop() ?? image.repository).toLowerCase();
  const qualifiers: Record<string, string> = { repository_url: image.repository };
  const architecture = image.platform.split("/")[1];
  if (architecture !== undefined && architecture !== "") qualifiers.arch = architecture;
  if (image.tag !== null) qualifiers.tag = image.tag;
  return new PackageURL("oci", undefined, name, image.digest, qualifiers).toString();
}

function imageName(image: SbomInput["image"]): string {
  return image.tag === null ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}

function imagePath(image: SbomInput["image"]): string {
  const segments = image.repository.split("/").map((segment) => encodeURIComponent(segment));
  return `${segments.join("/")}/${encodeURIComponent(image.digest)}`;
}

/**
 * Hashes the exported content without the creation time. Changed content so
 * gets a new SPDX namespace and CycloneDX serial number, as SPDX 2.3 clause 6.5
 * requires a new URI for each document version, and the same content always
 * gets the same ones.
 */
function contentHash(input: SbomInput, packages: readonly SbomPackage[]): string {
  const content = {
    image: input.image,
    os: input.os,
    toolVersion: input.toolVersion,
    packages: packages.map((item) => [
      item.type,
      item.name,
      item.version,
      item.purl,
      item.license,
      item.licenseDeclared,
      item.sourceName ?? null,
      item.sourceVersion ?? null,
      item.arch ?? null,
      item.path,
      item.layerDigest,
    ]),
  };
  return sha256Hex(JSON.stringify(content)).slice(0, 32);
}

/** Builds a name-based UUID, version 5 (SHA-1), in the URL name space, per RFC 4122 section 4.3. */
function nameBasedUuid(name: string): string {
  const namespace = Buffer.from(URL_NAMESPACE_UUID.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(namespace).update(name, "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Formats a time as SPDX 2.3 clause 6.9 writes it, `YYYY-MM-DDThh:mm:ssZ` in UTC, without fractions. */
function spdxTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function idString(value: string): string {
  const cleaned = value
    .replace(/[^A-Za-z0-9.-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-|-$/g, "");
  return cleaned === "" ? "unnamed" : cleaned;
}

function isSpdxExpression(text: string): boolean {
  try {
    parseSpdxExpression(text);
    return true;
  } catch {
    return false;
  }
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
