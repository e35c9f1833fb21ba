import { PackageURL } from "packageurl-js";

import { normalizeLicense } from "@/lib/analysis/licenses";
import type { CatalogContext, CatalogedPackage, CatalogProblem, Cataloger, RequestedFiles } from "@/lib/analysis/types";
import { decodeUtf8 } from "@/lib/analysis/utf8";

const STATUS_PATH = "/var/lib/dpkg/status";
/** Distroless images write one control file per package here instead of a status file. */
const STATUS_DIRECTORY = "/var/lib/dpkg/status.d/";
const COPYRIGHT_PATTERN = /^\/usr\/share\/doc\/[^/]+\/copyright$/;

/**
 * Catalogs Debian and Ubuntu packages from `/var/lib/dpkg/status` and the
 * distroless `/var/lib/dpkg/status.d/*` files, with licenses read from each
 * package's `/usr/share/doc/<package>/copyright`.
 */
export const dpkgCataloger: Cataloger = {
  id: "dpkg",
  version: 1,
  scope: "image",
  wants(path) {
    if (path === STATUS_PATH) return true;
    if (path.startsWith(STATUS_DIRECTORY)) {
      const name = path.slice(STATUS_DIRECTORY.length);
      // Distroless keeps `<package>.md5sums` beside each control file.
      return name !== "" && !name.includes("/") && !name.endsWith(".md5sums");
    }
    return COPYRIGHT_PATTERN.test(path);
  },
  // A status file of a large Ubuntu image is a few MiB.
  maxFileBytes: 32 * 1024 * 1024,
  parse: parseDpkgFiles,
};

function parseDpkgFiles(files: RequestedFiles, context: CatalogContext): { packages: CatalogedPackage[]; problems: CatalogProblem[] } {
  const packages: CatalogedPackage[] = [];
  const problems: CatalogProblem[] = [];
  const databases = [...files.keys()].filter((path) => path === STATUS_PATH || path.startsWith(STATUS_DIRECTORY)).sort();

  for (const path of databases) {
    const content = files.get(path);
    if (content === undefined) continue;
    const result = parseStatusFile(decodeUtf8(content), path, context);
    problems.push(...result.problems);

    for (const entry of result.packages) {
      const copyright = files.get(`/usr/share/doc/${entry.name}/copyright`);
      if (copyright !== undefined) {
        const licenses = parseCopyright(decodeUtf8(copyright));
        entry.licenseDeclared = licenses.declared;
        entry.license = normalizeLicense(licenses.expressions);
      }
      packages.push(entry);
    }
  }
  return { packages, problems };
}

/**
 * Parses one dpkg status file or distroless control file. Only installed
 * packages are returned: the Status field's third word must be `installed`, so
 * `install ok installed` and `hold ok installed` count, `deinstall ok
 * config-files` does not. Distroless control files have no Status field, and
 * every package they list is installed. A stanza without a name or a valid
 * version is reported as a problem and skipped.
 */
export function parseStatusFile(text: string, path: string, context: CatalogContext): { packages: CatalogedPackage[]; problems: CatalogProblem[] } {
  const packages: CatalogedPackage[] = [];
  const problems: CatalogProblem[] = [];
  const statusRequired = path === STATUS_PATH;

  for (const stanza of parseControlStanzas(text)) {
    if (stanza.errors.length > 0) {
      problems.push({ path, message: `Stanza at line ${stanza.line} is malformed (${stanza.errors.join("; ")}); it was skipped.` });
      continue;
    }

    const fields = stanza.fields;
    const name = fields.get("package") ?? "";
    const label = name === "" ? `Stanza at line ${stanza.line}` : `Package ${name} (line ${stanza.line})`;
    if (name === "") {
      problems.push({ path, message: `${label} has no Package name; it was skipped.` });
      continue;
    }

    // Removed and purged packages are not installed, and purged ones keep no Version.
    const status = fields.get("status");
    if (status !== undefined && status.split(/\s+/)[2] !== "installed") continue;

    const version = fields.get("version") ?? "";
    if (version === "") {
      problems.push({ path, message: `${label} has no Version; it was skipped.` });
      continue;
    }
    if (!isValidDebianVersion(version)) {
      problems.push({ path, message: `${label} has an invalid Version ${JSON.stringify(version)}; it was skipped.` });
      continue;
    }
    if (status === undefined && statusRequired) {
      problems.push({ path, message: `${label} has no Status field; it was skipped.` });
      continue;
    }

    const arch = fields.get("architecture");
    const source = parseSourceField(fields.get("source") ?? "");
    const sourceName = source.name === "" ? name : source.name;
    const sourceVersion = source.version === "" ? version : source.version;
    packages.push({
      type: "deb",
      name,
      version,
      purl: debPurl(name, version, arch, sourceName, context),
      license: null,
      licenseDeclared: [],
      sourceName,
      sourceVersion,
      ...(arch === undefined ? {} : { arch }),
      path,
    });
  }
  return { packages, problems };
}

/** Splits a `Source:` value, `gcc-5 (5.1.1-12ubuntu1)` or `pam`, into name and version ("" when absent). */
export function parseSourceField(value: string): { name: string; version: string } {
  // Parsed without a regular expression, because the earlier pattern backtracked
  // polynomially on a run of spaces after "(": 5,000 of them took over a minute.
  const trimmed = value.trim();
  const nameEnd = trimmed.search(/\s/);
  if (nameEnd === -1) return { name: trimmed, version: "" };
  const name = trimmed.slice(0, nameEnd);
  const rest = trimmed.slice(nameEnd).trim();
  if (rest.startsWith("(") && rest.endsWith(")") && rest.indexOf(")") === rest.length - 1) {
    return { name, version: rest.slice(1, -1).trim() };
  }
  return { name: trimmed, version: "" };
}

/**
 * Checks the version syntax of Debian Policy 5.6.12: `[epoch:]upstream[-revision]`,
 * upstream starting with a digit and using `A-Za-z0-9.+~-`, revision using `A-Za-z0-9.+~`.
 */
function isValidDebianVersion(version: string): boolean {
  const epochMatch = /^(\d+):(.*)$/.exec(version);
  const rest = epochMatch === null ? version : (epochMatch[2] ?? "");
  const hyphen = rest.lastIndexOf("-");
  const upstream = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const revision = hyphen === -1 ? null : rest.slice(hyphen + 1);
  if (!/^\d[A-Za-z0-9.+~-]*$/.test(upstream)) return false;
  return revision === null || /^[A-Za-z0-9.+~]+$/.test(revision);
}

/**
 * Builds `pkg:deb/<distro id>/<name>@<version>?arch=…&distro=<id>-<version id>`
 * with `upstream=<source>` when the source package has another name, as the
 * purl spec's deb type defines.
 */
function debPurl(name: string, version: string, arch: string | undefined, sourceName: string, context: CatalogContext): string {
  const qualifiers: Record<string, string> = {};
  if (arch !== undefined) qualifiers.arch = arch;
  if (context.os?.versionId != null) qualifiers.distro = `${context.os.id}-${context.os.versionId}`;
  if (sourceName !== name) qualifiers.upstream = sourceName;
  return new PackageURL("deb", context.os?.id ?? "debian", name, version, qualifiers).toString();
}

interface ControlStanza {
  /** Line number of the stanza's first field, from 1. */
  line: number;
  /** Field name in lower case (field names are case-insensitive in deb822) → value, continuation lines joined with "\n". */
  fields: Map<string, string>;
  errors: string[];
}

/** Splits deb822 text (dpkg status, control and DEP-5 copyright files) into stanzas separated by blank lines. */
export function parseControlStanzas(text: string): ControlStanza[] {
  const stanzas: ControlStanza[] = [];
  let current: ControlStanza | null = null;
  let lastField: string | null = null;

  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") {
      if (current !== null) stanzas.push(current);
      current = null;
      lastField = null;
      continue;
    }

    current ??= { line: index + 1, fields: new Map(), errors: [] };
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (lastField === null) {
        current.errors.push(`line ${index + 1} continues no field`);
      } else {
        current.fields.set(lastField, `${current.fields.get(lastField) ?? ""}\n${line.trim()}`);
      }
      continue;
    }
    if (line.startsWith("#")) continue;

    const colon = line.indexOf(":");
    if (colon <= 0) {
      current.errors.push(`line ${index + 1} is not a "Field: value" line`);
      continue;
    }
    lastField = line.slice(0, colon).trim().toLowerCase();
    current.fields.set(lastField, line.slice(colon + 1).trim());
  }
  if (current !== null) stanzas.push(current);
  return stanzas;
}

/** Licenses read from a copyright file. */
export interface CopyrightLicenses {
  /** License names as the file writes them. */
  declared: string[];
  /** The same licenses as SPDX-syntax expressions over DEP-5 short names, for normalizeLicense. */
  expressions: string[];
}

/**
 * Reads the licenses of a Debian copyright file. A machine-readable file
 * (DEP-5, copyright-format 1.0, recognised by its `Format:` field) gives the
 * `License:` of its header and Files paragraphs; standalone License paragraphs
 * only carry license texts and are skipped. Other files are scanned for
 * `License:` lines, GNU license grants ("either version 2 of the License, or
 * (at your option) any later version"), references to
 * `/usr/share/common-licenses/`, and the Apache-2.0, MIT, BSD and PSF texts.
 */
export function parseCopyright(text: string): CopyrightLicenses {
  const paragraphs = copyrightParagraphs(text);
  if (paragraphs[0]?.format === true) {
    return machineReadableLicenses(paragraphs);
  }
  return freeTextLicenses(text);
}

/** The fields of one deb822 paragraph of a copyright file that the license reading uses. */
interface CopyrightParagraph {
  format: boolean;
  files: boolean;
  /** The `License:` field's first line, trimmed. */
  license: string | undefined;
}

/**
 * Splits a copyright file into paragraphs as parseControlStanzas does, but
 * keeps only the fields the license reading uses, because building every
 * field's value (whole license texts) took most of the dpkg cataloger's time.
 * It stops after the first paragraph when that has no `Format:` field, since
 * such a file is read as free text.
 */
function copyrightParagraphs(text: string): CopyrightParagraph[] {
  const paragraphs: CopyrightParagraph[] = [];
  let current: CopyrightParagraph | null = null;
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") {
      if (current !== null) {
        paragraphs.push(current);
        if (!paragraphs[0]!.format) return paragraphs;
      }
      current = null;
      continue;
    }
    current ??= { format: false, files: false, license: undefined };
    // Continuation lines only extend a value, and the license reading takes a License field's first line.
    if (line.startsWith(" ") || line.startsWith("\t") || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === "format") current.format = true;
    else if (name === "files") current.files = true;
    else if (name === "license") current.license = line.slice(colon + 1).trim();
  }
  if (current !== null) paragraphs.push(current);
  return paragraphs;
}

function machineReadableLicenses(paragraphs: CopyrightParagraph[]): CopyrightLicenses {
  const declared: string[] = [];
  for (const [index, paragraph] of paragraphs.entries()) {
    if (index !== 0 && !paragraph.files) continue;
    if (paragraph.license === undefined) continue;
    // A trailing comma ("Zlib,") is a common typo; "none" marks files with no copyright to license.
    const shortName = paragraph.license.replace(/,+$/, "");
    if (shortName === "" || shortName.toLowerCase() === "none") continue;
    if (!declared.includes(shortName)) declared.push(shortName);
  }
  return { declared, expressions: declared.map(dep5ToExpression) };
}

/**
 * Converts a DEP-5 license specification to SPDX syntax. DEP-5 writes
 * operators in lower case and uses a comma for lower precedence:
 * `GPL-1+ or Artistic, and BSD-4-clause-POWERDOG` is `(GPL-1+ OR Artistic) AND BSD-4-clause-POWERDOG`.
 */
function dep5ToExpression(value: string): string {
  let expression = "";
  for (const rawPart of value.split(",")) {
    let part = rawPart.trim();
    if (part === "") continue;
    let operator = "AND";
    const leading = /^(and|or)\s+(.*)$/i.exec(part);
    if (leading !== null) {
      operator = (leading[1] ?? "and").toUpperCase();
      part = leading[2] ?? "";
    }
    expression = expression === "" ? `(${part})` : `(${expression}) ${operator} (${part})`;
  }
  return expression;
}

/** GNU license grants, matched on text with whitespace collapsed. */
const gnuGrantPattern =
  /GNU (Lesser |Library |Affero )?General Public License,?(?: as published by the Free Software Foundation)?[;,]? (?:either )?version (\d(?:\.\d)?)(?: of the License)?(,? or \(at your option\) any later version| or later)?/gi;
const commonLicensePattern = /\/usr\/share\/common-licenses\/([A-Za-z0-9.+_-]*[A-Za-z0-9+])/g;
const licenseLinePattern = /^License:[ \t]*([A-Za-z0-9][A-Za-z0-9.+_ -]{0,60})$/gm;

const textPatterns: { pattern: RegExp; license: string }[] = [
  { pattern: /Apache License,? Version 2\.0/i, license: "Apache-2.0" },
  { pattern: /Permission is hereby granted, free of charge, to any person obtaining a copy/i, license: "MIT" },
  { pattern: /PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2/i, license: "PSF-2.0" },
];

function freeTextLicenses(text: string): CopyrightLicenses {
  const flat = text.replace(/\s+/g, " ");
  const found: string[] = [];
  const add = (license: string) => {
    if (!found.includes(license)) found.push(license);
  };

  for (const match of text.matchAll(licenseLinePattern)) {
    add((match[1] ?? "").trim());
  }

  const grantedFamilies = new Set<string>();
  for (const match of flat.matchAll(gnuGrantPattern)) {
    const family = gnuFamilyName(match[1] ?? "");
    const version = match[2] ?? "";
    grantedFamilies.add(`${family}-${version}`);
    add(`${family}-${version}${match[3] === undefined ? "" : "+"}`);
  }

  for (const match of text.matchAll(commonLicensePattern)) {
    const name = match[1] ?? "";
    // The reference names where the text lives; a grant of the same license already says which versions apply.
    if (grantedFamilies.has(name.replace(/\+$/, ""))) continue;
    add(name);
  }

  for (const { pattern, license } of textPatterns) {
    if (pattern.test(flat)) add(license);
  }
  for (const license of bsdLicenses(flat)) add(license);

  return { declared: found, expressions: found };
}

function gnuFamilyName(qualifier: string): string {
  switch (qualifier.trim().toLowerCase()) {
    case "lesser":
    case "library":
      return "LGPL";
    case "affero":
      return "AGPL";
    default:
      return "GPL";
  }
}

/**
 * Names BSD licenses by their clauses: an advertising clause makes BSD-4-Clause,
 * a no-endorsement clause BSD-3-Clause, otherwise BSD-2-Clause. Each text runs
 * from "Redistribution and use" to its warranty disclaimer.
 */
function bsdLicenses(flat: string): string[] {
  const licenses: string[] = [];
  const start = /Redistribution and use in source and binary forms/gi;
  for (const match of flat.matchAll(start)) {
    const from = match.index ?? 0;
    const disclaimer = flat.slice(from).search(/THIS SOFTWARE IS PROVIDED/i);
    const body = flat.slice(from, disclaimer === -1 ? from + 2000 : from + disclaimer);
    let license = "BSD-2-Clause";
    if (/advertising materials/i.test(body)) license = "BSD-4-Clause";
    else if (/endorse or promote/i.test(body)) license = "BSD-3-Clause";
    if (!licenses.includes(license)) licenses.push(license);
  }
  return licenses;
}
