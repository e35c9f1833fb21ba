/**
 * Reading package URLs (https://github.com/package-url/purl-spec) for matching:
 * allow-list and exception patterns, and OpenVEX products.
 */
import picomatch from "picomatch/posix";

/** The parts of a package URL that matching compares, percent-decoded. Qualifiers and subpath are dropped. */
export interface PackageUrlParts {
  /** Lowercase, as the purl spec makes the type case-insensitive. */
  type: string;
  /** Null when the purl has none ("pkg:pypi/requests@2.31.0"). */
  namespace: string | null;
  name: string;
  /** Null when the purl names no version. */
  version: string | null;
}

/**
 * Splits a package URL into its decoded parts, or returns null when the string is not
 * one. Both "pkg:npm/%40acme/widget@1.0.0" and "pkg:npm/@acme/widget@1.0.0" read as
 * namespace "@acme", name "widget", version "1.0.0".
 */
export function parsePackageUrl(purl: string): PackageUrlParts | null {
  if (!/^pkg:/i.test(purl)) return null;

  // The spec reads a purl from the right: subpath after "#", qualifiers after "?", version after the last "@".
  let rest = purl.slice("pkg:".length).replace(/^\/+/, "");
  rest = cutAt(rest, "#");
  rest = cutAt(rest, "?");

  const typeEnd = rest.indexOf("/");
  if (typeEnd <= 0) return null;
  const type = rest.slice(0, typeEnd).toLowerCase();
  let path = rest.slice(typeEnd + 1);

  // A raw "@" before the last "/" belongs to the namespace (a non-canonical npm scope), not the version.
  let version: string | null = null;
  const at = path.lastIndexOf("@");
  if (at > path.lastIndexOf("/")) {
    version = path.slice(at + 1);
    path = path.slice(0, at);
  }

  const segments = path.split("/").filter((segment) => segment !== "");
  const encodedName = segments.pop();
  if (encodedName === undefined) return null;
  try {
    const name = decodeURIComponent(encodedName);
    const namespace = segments.length === 0 ? null : segments.map((segment) => decodeURIComponent(segment)).join("/");
    const decodedVersion = version === null || version === "" ? null : decodeURIComponent(version);
    return { type, namespace, name, version: decodedVersion };
  } catch {
    // decodeURIComponent throws URIError on a malformed escape such as "%4".
    return null;
  }
}

/** Writes the parts without version as a decoded purl: "pkg:npm/@acme/widget". */
export function formatPackageUrlWithoutVersion(parts: PackageUrlParts): string {
  const path = parts.namespace === null ? parts.name : `${parts.namespace}/${parts.name}`;
  return `pkg:${parts.type}/${path}`;
}

/**
 * Compiles glob patterns into a test that returns the first pattern, in the given order,
 * that matches a package, or null. A pattern matches the decoded purl with its version,
 * the decoded purl without its version, or the package name when one is given.
 * Qualifiers and subpath are ignored, so "pkg:npm/@acme/*" matches
 * "pkg:npm/%40acme/widget@1.2.0?foo=bar". As in file globs, "*" stops at "/" and "**" does not.
 */
export function compilePackagePatterns(patterns: readonly string[]): (purl: string, name?: string) => string | null {
  const matchers = patterns.map((pattern) => ({ pattern, isMatch: picomatch(pattern, { dot: true }) }));
  return (purl, name) => {
    const candidates = packageMatchForms(purl);
    if (name !== undefined) candidates.push(name);
    const found = matchers.find(({ isMatch }) => candidates.some((candidate) => isMatch(candidate)));
    return found?.pattern ?? null;
  };
}

/** Returns the strings a package pattern is tested against, apart from the package name. */
function packageMatchForms(purl: string): string[] {
  const parts = parsePackageUrl(purl);
  if (parts === null) return [purl];
  const withoutVersion = formatPackageUrlWithoutVersion(parts);
  return parts.version === null ? [withoutVersion] : [`${withoutVersion}@${parts.version}`, withoutVersion];
}

function cutAt(text: string, separator: string): string {
  const index = text.indexOf(separator);
  return index === -1 ? text : text.slice(0, index);
}
