/**
 * Shapes shared by the layer reader, the catalogers and the analysis that
 * stores their results. A cataloger is a small module with a fixed shape: the
 * paths it needs, a version that keys the per-layer cache, and a parse function.
 */

/** Package ecosystems, named as Package URL types. */
export type PackageType = "deb" | "apk" | "rpm" | "pypi" | "npm" | "golang" | "maven" | "gem" | "cargo";

export interface CatalogedPackage {
  type: PackageType;
  name: string;
  version: string;
  /** Package URL, e.g. `pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12`. */
  purl: string;
  /** Normalised SPDX license expression, or null when none could be read. */
  license: string | null;
  /** The license text or ids as the package database declares them, before normalisation. */
  licenseDeclared: string[];
  /** Source package (dpkg `Source:`, apk origin `o:`, rpm source RPM) where the ecosystem has one. */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  /** The file the package was read from, absolute within the image (`/var/lib/dpkg/status`). */
  path: string;
}

/** A record the cataloger skipped, reported with its file so the scan goes on. */
export interface CatalogProblem {
  path: string;
  message: string;
}

/** The files a cataloger receives: absolute in-image path to content. */
export type RequestedFiles = ReadonlyMap<string, Uint8Array>;

export interface CatalogContext {
  /** Distribution facts, for PURL qualifiers (`distro=debian-12`). Null before OS detection or for scratch images. */
  os: OsRelease | null;
}

export interface Cataloger {
  /** Stable id, e.g. "dpkg". */
  id: string;
  /** Bump when parsing changes, so cached layer results are recomputed. */
  version: number;
  /**
   * "file": each file is parsed alone and without OS facts, so its packages are
   * cached per layer and the file itself is never kept. "image": the cataloger
   * reads several files of the merged image together (a package database with
   * its copyright files) or needs the OS, so the files are cached instead.
   */
  scope: "file" | "image";
  /** Whether the file at this absolute in-image path is one the cataloger reads. */
  wants(path: string): boolean;
  /** Maximum bytes buffered per requested file; larger files are reported as problems and skipped. */
  maxFileBytes: number;
  /**
   * Whether a wanted file is worth reading, judged from its first bytes (at
   * least 4 when the file has them); absent means every wanted file is. Lets
   * binary catalogers skip large data files without buffering them.
   */
  wantsContent?(head: Uint8Array): boolean;
  parse(files: RequestedFiles, context: CatalogContext): { packages: CatalogedPackage[]; problems: CatalogProblem[] };
}

export interface OsRelease {
  /** os-release ID: "debian", "ubuntu", "alpine", "rhel", "almalinux", "rocky", "amzn" … */
  id: string;
  /** VERSION_ID, e.g. "12", "22.04", "3.20.3". */
  versionId: string | null;
  prettyName: string | null;
  /** The OSV ecosystem that advisories for this release use: "Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.20" … */
  ecosystem: string | null;
  /** End-of-life date of the release, ISO date, from the committed table; null when unknown. */
  endOfLife: string | null;
}
