import type { ImageFilesystem } from "@/lib/analysis/image-filesystem";
import { endOfLife } from "@/lib/analysis/end-of-life";
import type { OsRelease } from "@/lib/analysis/types";
import { decodeUtf8 } from "@/lib/analysis/utf8";

/** Files the layer reader must buffer for detectOs, in the order they are tried. */
export const osWantedPaths: readonly string[] = ["/etc/os-release", "/usr/lib/os-release", "/etc/alpine-release", "/etc/debian_version"];

/** Largest os-release style file read, in bytes; real ones are under 1 KiB. */
export const OS_RELEASE_MAX_BYTES = 64 * 1024;

/**
 * Detects the distribution from `/etc/os-release`, then `/usr/lib/os-release`
 * (os-release(5) names both), then `/etc/alpine-release` and
 * `/etc/debian_version` for images without either. Returns null for images
 * with none of them, such as `scratch`.
 */
export function detectOs(fs: ImageFilesystem): OsRelease | null {
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    const file = fs.get(path);
    if (file === undefined) continue;

    const fields = parseOsRelease(decodeUtf8(file.content));
    const id = fields.get("ID")?.toLowerCase();
    if (id === undefined || id === "") continue;
    return describeRelease({
      id,
      versionId: fields.get("VERSION_ID") ?? null,
      prettyName: fields.get("PRETTY_NAME") ?? null,
      version: fields.get("VERSION") ?? null,
      cpeName: fields.get("CPE_NAME") ?? null,
    });
  }

  const alpine = fs.get("/etc/alpine-release");
  if (alpine !== undefined) {
    const versionId = decodeUtf8(alpine.content).trim();
    return describeRelease({ id: "alpine", versionId: versionId || null, prettyName: null, version: null, cpeName: null });
  }

  const debian = fs.get("/etc/debian_version");
  if (debian !== undefined) {
    // The file holds "12.7" on a release and a codename such as "trixie/sid" on testing.
    const content = decodeUtf8(debian.content).trim();
    const major = /^(\d+)/.exec(content)?.[1] ?? null;
    return describeRelease({ id: "debian", versionId: major, prettyName: null, version: null, cpeName: null });
  }

  return null;
}

/**
 * Parses the os-release format (os-release(5)): `KEY=value` lines, values
 * optionally in single or double quotes with shell-style backslash escapes,
 * `#` comments and blank lines. Malformed lines are ignored, as os-release(5) requires.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;

    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match === null) continue;
    const [, key, rawValue] = match;
    if (key === undefined || rawValue === undefined) continue;

    const value = unquote(rawValue);
    if (value !== null) fields.set(key, value);
  }
  return fields;
}

function unquote(raw: string): string | null {
  const quote = raw[0];
  if (quote !== '"' && quote !== "'") {
    return unescape(raw);
  }
  if (raw.length < 2 || !raw.endsWith(quote) || (quote === '"' && isEscaped(raw, raw.length - 1))) return null;

  const inner = raw.slice(1, -1);
  // Inside single quotes the shell takes every character literally.
  return quote === "'" ? inner : unescape(inner);
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, "$1");
}

function isEscaped(value: string, index: number): boolean {
  let backslashes = 0;
  for (let position = index - 1; position >= 0 && value[position] === "\\"; position -= 1) backslashes += 1;
  return backslashes % 2 === 1;
}

interface ReleaseFacts {
  id: string;
  versionId: string | null;
  prettyName: string | null;
  version: string | null;
  cpeName: string | null;
}

function describeRelease(facts: ReleaseFacts): OsRelease {
  return {
    id: facts.id,
    versionId: facts.versionId,
    prettyName: facts.prettyName,
    ecosystem: osvEcosystem(facts),
    endOfLife: facts.versionId === null ? null : endOfLife(facts.id, facts.versionId),
  };
}

/**
 * Maps a release to the OSV ecosystem its advisories use. Names and suffixes
 * follow ossf/osv-schema `ecosystems.json`: `Debian:<major>`, `Ubuntu:<YY.MM>`
 * with a mandatory `:LTS` for LTS releases, `Alpine:v<major.minor>`,
 * `AlmaLinux:<major>`, `Rocky Linux:<major>`, and `Red Hat:<CPE>` where the
 * CPE drops its `cpe:/o:redhat:` prefix.
 */
export function osvEcosystem(facts: ReleaseFacts): string | null {
  const versionId = facts.versionId;
  const major = versionId === null ? null : (/^(\d+)/.exec(versionId)?.[1] ?? null);

  switch (facts.id) {
    case "debian":
      return major === null ? null : `Debian:${major}`;
    case "ubuntu": {
      const release = versionId === null ? null : (/^(\d+\.\d+)/.exec(versionId)?.[1] ?? null);
      if (release === null) return null;
      return isUbuntuLts(release, facts.version) ? `Ubuntu:${release}:LTS` : `Ubuntu:${release}`;
    }
    case "alpine": {
      const branch = versionId === null ? null : (/^(\d+\.\d+)/.exec(versionId)?.[1] ?? null);
      return branch === null ? null : `Alpine:v${branch}`;
    }
    case "almalinux":
      return major === null ? null : `AlmaLinux:${major}`;
    case "rocky":
      return major === null ? null : `Rocky Linux:${major}`;
    case "rhel":
      return redHatEcosystem(facts.cpeName, major);
    case "wolfi":
      return "Wolfi";
    case "chainguard":
      return "Chainguard";
    default:
      // NOTE: Amazon Linux, CentOS and Fedora have no OSV ecosystem in
      // osv-schema's ecosystems.json, so their packages match no advisories.
      return null;
  }
}

/**
 * Ubuntu LTS releases are the April releases of even years. VERSION ("22.04.4
 * LTS (Jammy Jellyfish)") marks LTS releases directly and takes precedence.
 */
function isUbuntuLts(release: string, version: string | null): boolean {
  if (version !== null && /\bLTS\b/.test(version)) return true;
  const [year, month] = release.split(".").map(Number);
  return year !== undefined && month === 4 && year % 2 === 0;
}

/**
 * RHEL's os-release carries CPE_NAME, e.g. `cpe:/o:redhat:enterprise_linux:9::baseos`.
 * NOTE: packages from the AppStream repository have advisories under the
 * `::appstream` stream instead; the matcher has to try both.
 */
function redHatEcosystem(cpeName: string | null, major: string | null): string | null {
  const prefix = "cpe:/o:redhat:";
  if (cpeName !== null && cpeName.startsWith(prefix)) return `Red Hat:${cpeName.slice(prefix.length)}`;
  return major === null ? null : `Red Hat:enterprise_linux:${major}::baseos`;
}
