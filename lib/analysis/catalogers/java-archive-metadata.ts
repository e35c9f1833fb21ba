/**
 * Parsers for the metadata files inside Java archives: `META-INF/MANIFEST.MF`
 * (JAR File Specification, "JAR Manifest"), Maven's `pom.properties` (Java
 * `.properties` syntax) and the `<licenses>` element of an embedded `pom.xml`.
 */

/**
 * Parses the main section of a manifest: `Name: value` lines, where a line starting with one space continues the
 * value before it. The main section ends at the first empty line.
 */
export function parseManifest(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  let lastName: string | null = null;

  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === "") break;
    if (line.startsWith(" ")) {
      if (lastName !== null) attributes.set(lastName, `${attributes.get(lastName) ?? ""}${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      lastName = null;
      continue;
    }
    lastName = line.slice(0, colon).trim();
    attributes.set(lastName, line.slice(colon + 1).trim());
  }
  return attributes;
}

/** Parses `key=value` and `key: value` lines, skipping `#` and `!` comments. Maven's three keys need no line continuations. */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const separator = line.search(/[=:]/);
    if (separator <= 0) continue;
    properties.set(line.slice(0, separator).trim(), line.slice(separator + 1).trim());
  }
  return properties;
}

/** Returns the `<name>` of each `<license>` in a POM's `<licenses>` element, entities decoded. */
export function pomLicenseNames(xml: string): string[] {
  // Elements are found with indexOf: lazy regular expressions such as
  // /<licenses>([\s\S]*?)<\/licenses>/ take quadratic time on many unclosed tags.
  const licenses = elementTexts(stripXmlComments(xml), "licenses")[0];
  if (licenses === undefined) return [];
  return elementTexts(licenses, "license")
    .map((license) => elementTexts(license, "name")[0])
    .filter((name) => name !== undefined)
    .map((name) => decodeXmlText(name).trim())
    .filter((name) => name !== "");
}

/** Removes `<!-- … -->` comments; an unclosed comment is kept as text. */
function stripXmlComments(xml: string): string {
  let output = "";
  let offset = 0;
  for (;;) {
    const start = xml.indexOf("<!--", offset);
    const end = start === -1 ? -1 : xml.indexOf("-->", start + 4);
    if (end === -1) return output + xml.slice(offset);
    output += xml.slice(offset, start);
    offset = end + 3;
  }
}

/** Returns the text of each closed `<tag>…</tag>` element, in order, without attributes or nesting of the same tag. */
function elementTexts(xml: string, tag: string): string[] {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  const texts: string[] = [];
  let offset = 0;
  for (;;) {
    const start = xml.indexOf(open, offset);
    const end = start === -1 ? -1 : xml.indexOf(close, start + open.length);
    if (end === -1) return texts;
    texts.push(xml.slice(start + open.length, end));
    offset = end + close.length;
  }
}

function decodeXmlText(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number.parseInt(decimal, 10)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** SPDX ids of well-known license URLs, keyed without scheme, `www.`, extension or trailing slash. */
const LICENSE_URL_SPDX: Record<string, string> = {
  "apache.org/licenses/license-2.0": "Apache-2.0",
  "opensource.org/licenses/apache-2.0": "Apache-2.0",
  "opensource.org/licenses/mit": "MIT",
  "opensource.org/licenses/mit-license": "MIT",
  "opensource.org/licenses/bsd-2-clause": "BSD-2-Clause",
  "opensource.org/licenses/bsd-3-clause": "BSD-3-Clause",
  "opensource.org/licenses/bsd-license": "BSD-3-Clause",
  "eclipse.org/legal/epl-v10": "EPL-1.0",
  "eclipse.org/legal/epl-2.0": "EPL-2.0",
  "eclipse.org/legal/epl-v20": "EPL-2.0",
  "eclipse.org/org/documents/edl-v10": "BSD-3-Clause",
  "mozilla.org/mpl/2.0": "MPL-2.0",
  "gnu.org/licenses/lgpl-2.1": "LGPL-2.1-only",
  "gnu.org/licenses/old-licenses/lgpl-2.1": "LGPL-2.1-only",
  "gnu.org/licenses/gpl-2.0": "GPL-2.0-only",
  "gnu.org/licenses/old-licenses/gpl-2.0": "GPL-2.0-only",
  "gnu.org/licenses/lgpl-3.0": "LGPL-3.0-only",
  "gnu.org/licenses/gpl-3.0": "GPL-3.0-only",
};

/**
 * Returns the entries of an OSGi `Bundle-License` manifest header: a comma-separated list of
 * license names or URLs, each optionally followed by `;description=…` or `;link=…` parameters.
 */
export function bundleLicenseEntries(header: string): string[] {
  return header
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((entry) => (entry.split(";")[0] ?? "").trim().replace(/^"|"$/g, ""))
    .filter((entry) => entry !== "");
}

/** Returns an SPDX id for a license URL, the entry itself when it is not a URL, and null for an unknown URL. */
export function licenseFromUrlOrName(entry: string): string | null {
  if (!/^https?:\/\//i.test(entry)) return entry;
  const key = entry
    .toLowerCase()
    .replace(/^https?:\/\/(?:www\.)?/, "")
    .replace(/\/+$/, "")
    .replace(/\.(?:txt|html?|php)$/, "");
  return LICENSE_URL_SPDX[key] ?? null;
}
