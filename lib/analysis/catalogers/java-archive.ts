import { unzipSync, type Unzipped } from "fflate";
import { PackageURL } from "packageurl-js";

import { bundleLicenseEntries, licenseFromUrlOrName, parseManifest, parseProperties, pomLicenseNames } from "@/lib/analysis/catalogers/java-archive-metadata";
import { normalizeLicense } from "@/lib/analysis/licenses";
import type { CatalogedPackage, Cataloger, CatalogProblem } from "@/lib/analysis/types";

/**
 * Cataloger for Java archives (jar, war, ear and the jar-shaped plugin formats):
 * Maven coordinates from every embedded `pom.properties`, the manifest as a
 * fallback for the archive itself, and the same again for archives nested in
 * fat jars, wars and ears. A package nested in an archive has the path
 * `<archive>!/<entry>`, as in Java's `jar:` URLs.
 */

const ARCHIVE_PATH = /\.(?:jar|war|ear|jpi|hpi|par|sar|kar|nar)$/i;
// Spring Boot jars nest one level (BOOT-INF/lib) and ears two (ear → war → jar). Deeper nesting is unusual.
const MAX_NESTING_DEPTH = 4;
// Metadata files are small text files, so a larger entry is not a real one.
const MAX_METADATA_BYTES = 1024 * 1024;
const MAX_NESTED_ARCHIVE_BYTES = 128 * 1024 * 1024;
// Decompressed bytes allowed for one top-level archive and everything nested in it, against zip bombs.
const MAX_DECOMPRESSED_BYTES_PER_FILE = 512 * 1024 * 1024;

export const javaArchiveCataloger: Cataloger = {
  id: "java-archive",
  version: 1,
  scope: "file",

  wants(path) {
    return ARCHIVE_PATH.test(path);
  },

  maxFileBytes: 256 * 1024 * 1024,

  parse(files) {
    const packages: CatalogedPackage[] = [];
    const problems: CatalogProblem[] = [];

    for (const [path, content] of files) {
      const budget = { remaining: MAX_DECOMPRESSED_BYTES_PER_FILE };
      readArchive(content, path, 0, budget, packages, problems);
    }
    return { packages, problems };
  },
};

interface MavenCoordinates {
  groupId: string;
  artifactId: string;
  version: string;
}

interface ArchiveEntries {
  manifest: Map<string, string> | null;
  /** pom.properties coordinates with the entry directory they came from. */
  poms: Array<{ coordinates: MavenCoordinates; directory: string }>;
  pomXmlByDirectory: Map<string, string>;
  nested: Array<{ name: string; bytes: Uint8Array }>;
}

function readArchive(
  content: Uint8Array,
  path: string,
  depth: number,
  budget: { remaining: number },
  packages: CatalogedPackage[],
  problems: CatalogProblem[],
): void {
  let entries: ArchiveEntries;
  try {
    entries = extractEntries(content, depth, budget, path, problems);
  } catch (error) {
    problems.push({ path, message: `Java archive could not be read as a zip file: ${error instanceof Error ? error.message : String(error)}` });
    return;
  }

  packages.push(...archivePackages(entries, path));

  for (const nested of entries.nested) {
    readArchive(nested.bytes, `${path}!/${nested.name}`, depth + 1, budget, packages, problems);
  }
}

/** Decompresses only the entries the cataloger reads, within the size caps. Throws when the zip is corrupt. */
function extractEntries(content: Uint8Array, depth: number, budget: { remaining: number }, path: string, problems: CatalogProblem[]): ArchiveEntries {
  const skipped: string[] = [];
  const files: Unzipped = unzipSync(content, {
    filter(file) {
      const nestedArchive = ARCHIVE_PATH.test(file.name);
      const metadata = isMetadataEntry(file.name);
      if (!nestedArchive && !metadata) return false;
      if (nestedArchive && depth + 1 > MAX_NESTING_DEPTH) {
        skipped.push(`${file.name} (nested deeper than ${MAX_NESTING_DEPTH} archives)`);
        return false;
      }

      // fflate inflates each entry into a buffer of its declared size, so the declared size bounds the output.
      const limit = nestedArchive ? MAX_NESTED_ARCHIVE_BYTES : MAX_METADATA_BYTES;
      if (file.originalSize > limit || file.originalSize > budget.remaining) {
        skipped.push(`${file.name} (${file.originalSize} bytes exceed the limit)`);
        return false;
      }
      budget.remaining -= file.originalSize;
      return true;
    },
  });
  for (const entry of skipped) {
    problems.push({ path, message: `skipped archive entry ${entry}` });
  }

  const decoder = new TextDecoder();
  const result: ArchiveEntries = { manifest: null, poms: [], pomXmlByDirectory: new Map(), nested: [] };
  for (const [name, bytes] of Object.entries(files)) {
    const directory = name.slice(0, name.lastIndexOf("/") + 1);
    if (ARCHIVE_PATH.test(name)) {
      result.nested.push({ name, bytes });
    } else if (name === "META-INF/MANIFEST.MF") {
      result.manifest = parseManifest(decoder.decode(bytes));
    } else if (name.endsWith("pom.properties")) {
      const coordinates = coordinatesFromProperties(parseProperties(decoder.decode(bytes)));
      if (coordinates) result.poms.push({ coordinates, directory });
      else problems.push({ path, message: `${name} lacks groupId, artifactId or version` });
    } else if (name.endsWith("pom.xml")) {
      result.pomXmlByDirectory.set(directory, decoder.decode(bytes));
    }
  }
  result.poms.sort((a, b) => mavenName(a.coordinates).localeCompare(mavenName(b.coordinates)));
  return result;
}

function isMetadataEntry(name: string): boolean {
  return name === "META-INF/MANIFEST.MF" || name.endsWith("/pom.properties") || (name.startsWith("META-INF/maven/") && name.endsWith("/pom.xml"));
}

/**
 * Returns the packages of one archive. Every pom.properties is a package, and shaded and fat jars carry one per
 * bundled artifact. The manifest describes the archive itself and is used when no pom.properties does. As in
 * trivy, a pom.properties describes the archive when its artifact id matches the file name (`guava-29.0-jre.jar`)
 * or when it is the only one.
 */
function archivePackages(entries: ArchiveEntries, path: string): CatalogedPackage[] {
  const ownArtifactId = artifactIdFromFileName(path);
  const manifestLicenses = entries.manifest ? manifestLicenseEntries(entries.manifest) : [];
  const ownPom =
    entries.poms.find((pom) => pom.coordinates.artifactId === ownArtifactId) ?? (entries.poms.length === 1 ? entries.poms[0] : undefined);

  const packages = entries.poms.map((pom) => {
    const pomXml = entries.pomXmlByDirectory.get(pom.directory);
    const pomLicenses = pomXml === undefined ? [] : pomLicenseNames(pomXml);
    return mavenPackage(pom.coordinates, pomLicenses.length > 0 || pom !== ownPom ? pomLicenses : manifestLicenses, path);
  });

  if (ownPom === undefined && entries.manifest) {
    const coordinates = coordinatesFromManifest(entries.manifest);
    const duplicate = coordinates && packages.some((pkg) => pkg.name === mavenName(coordinates) && pkg.version === coordinates.version);
    if (coordinates && !duplicate) packages.push(mavenPackage(coordinates, manifestLicenses, path));
  }
  return packages;
}

function coordinatesFromProperties(properties: Map<string, string>): MavenCoordinates | null {
  const groupId = properties.get("groupId");
  const artifactId = properties.get("artifactId");
  const version = properties.get("version");
  if (!groupId || !artifactId || !version) return null;
  return { groupId, artifactId, version };
}

/**
 * Reads coordinates from manifest attributes. The group is Implementation-Vendor-Id, else the OSGi
 * Bundle-SymbolicName without its last segment. The artifact is Implementation-Title, Specification-Title or
 * Bundle-Name, and the version Implementation-Version, Specification-Version or Bundle-Version.
 */
function coordinatesFromManifest(manifest: Map<string, string>): MavenCoordinates | null {
  const symbolicName = manifest.get("Bundle-SymbolicName")?.split(";")[0]?.trim();
  const symbolicGroup = symbolicName?.includes(".") ? symbolicName.slice(0, symbolicName.lastIndexOf(".")) : symbolicName;

  const groupId = manifest.get("Implementation-Vendor-Id") || symbolicGroup;
  const artifactId = manifest.get("Implementation-Title") || manifest.get("Specification-Title") || manifest.get("Bundle-Name");
  const version = manifest.get("Implementation-Version") || manifest.get("Specification-Version") || manifest.get("Bundle-Version");
  if (!groupId || !artifactId || !version) return null;
  return { groupId, artifactId, version };
}

/** Returns the licenses a manifest names: OSGi Bundle-License entries and Jenkins Plugin-License-Name, -Name-2 … */
function manifestLicenseEntries(manifest: Map<string, string>): string[] {
  const licenses = bundleLicenseEntries(manifest.get("Bundle-License") ?? "");
  const jenkinsNames = [...manifest.entries()]
    .filter(([name]) => /^Plugin-License-Name(?:-\d+)?$/.test(name))
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([, value]) => value);
  return [...licenses, ...jenkinsNames];
}

/** Returns the artifact id part of an archive file name: `commons-dbcp-1.4.jar` → `commons-dbcp`, `nested.jar` → `nested`. */
function artifactIdFromFileName(path: string): string {
  const fileName = path.slice(path.lastIndexOf("/") + 1).replace(ARCHIVE_PATH, "");
  return /^(.+?)-\d/.exec(fileName)?.[1] ?? fileName;
}

function mavenName(coordinates: MavenCoordinates): string {
  return `${coordinates.groupId}:${coordinates.artifactId}`;
}

function mavenPackage(coordinates: MavenCoordinates, licenseDeclared: string[], path: string): CatalogedPackage {
  // License URLs that name no known license are kept as declared but left out of the expression.
  const licenseNames = licenseDeclared.map(licenseFromUrlOrName).filter((name): name is string => name !== null);
  return {
    type: "maven",
    name: mavenName(coordinates),
    version: coordinates.version,
    purl: new PackageURL("maven", coordinates.groupId, coordinates.artifactId, coordinates.version, undefined, undefined).toString(),
    license: normalizeLicense(licenseNames),
    licenseDeclared,
    path,
  };
}
