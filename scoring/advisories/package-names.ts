/**
 * Rules for the names that OSV advisories use for an installed package. The rules come from the
 * OSV schema's table of defined ecosystems (https://ossf.github.io/osv-schema/).
 */

/** An installed package as the package catalogers report it. */
export interface InstalledPackage {
  /** The OSV ecosystem, with the release for distributions: "Debian:12", "Alpine:v3.20", "Ubuntu:22.04:LTS", "PyPI". */
  ecosystem: string;
  /** The binary package name for distributions (dpkg Package:, apk P:), else the library's name. */
  name: string;
  /** The source package (dpkg Source:, apk origin o:, rpm source RPM). Absent when it equals name. */
  sourceName?: string;
  version: string;
  purl: string;
}

/** Ecosystems whose advisories name the source package, not the binary one. */
const sourceNamedEcosystems = new Set([
  "AlmaLinux",
  "Alpaquita",
  "Alpine",
  "BellSoft Hardened Containers",
  "Debian",
  "Echo",
  "Mageia",
  "openEuler",
  "openSUSE",
  "Rocky Linux",
  "SUSE",
  "Ubuntu",
]);

/** Ecosystems whose advisories may name either the binary or the source package. */
const binaryOrSourceNamedEcosystems = new Set(["Red Hat"]);

/** Returns the ecosystem without its release or repository suffix: "Debian:12" → "Debian", "Ubuntu:Pro:18.04:LTS" → "Ubuntu". */
export function ecosystemBase(ecosystem: string): string {
  const colon = ecosystem.indexOf(":");
  return colon === -1 ? ecosystem : ecosystem.slice(0, colon);
}

/**
 * Normalizes a package name the way its ecosystem compares names. PyPI names are
 * compared in their PEP 503 normal form (lowercase, runs of "-", "_" and "." as one
 * "-"), so "Products.PluggableAuthService" matches "products-pluggableauthservice".
 * Other ecosystems compare names exactly.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  if (ecosystemBase(ecosystem) === "PyPI") return name.replace(/[-_.]+/g, "-").toLowerCase();
  return name;
}

/** Returns the normalized names under which advisories for this package are filed. */
export function advisoryNamesFor(installed: InstalledPackage): string[] {
  const base = ecosystemBase(installed.ecosystem);
  const sourceName = installed.sourceName ?? installed.name;

  let names: string[];
  if (sourceNamedEcosystems.has(base)) names = [sourceName];
  else if (binaryOrSourceNamedEcosystems.has(base)) names = [installed.name, sourceName];
  else names = [installed.name];

  return [...new Set(names.map((name) => normalizePackageName(installed.ecosystem, name)))];
}
