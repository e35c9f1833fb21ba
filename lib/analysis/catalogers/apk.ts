import { PackageURL } from "packageurl-js";

import { normalizeLicense } from "@/lib/analysis/licenses";
import type { CatalogContext, CatalogedPackage, CatalogProblem, Cataloger, RequestedFiles } from "@/lib/analysis/types";
import { decodeUtf8 } from "@/lib/analysis/utf8";

const INSTALLED_PATH = "/lib/apk/db/installed";

/** Catalogs Alpine packages from the apk database `/lib/apk/db/installed`. */
export const apkCataloger: Cataloger = {
  id: "apk",
  version: 1,
  scope: "image",
  wants(path) {
    return path === INSTALLED_PATH;
  },
  // The database lists every installed file, so it grows with the image: a few MiB for large ones.
  maxFileBytes: 64 * 1024 * 1024,
  parse(files: RequestedFiles, context: CatalogContext) {
    const content = files.get(INSTALLED_PATH);
    if (content === undefined) return { packages: [], problems: [] };
    return parseApkDatabase(decodeUtf8(content), INSTALLED_PATH, context);
  },
};

/** Fields of one apk database record that the cataloger reads. */
export interface ApkRecord {
  /** Line number of the record's first field, from 1. */
  line: number;
  name: string;
  version: string;
  arch: string;
  license: string;
  origin: string;
  maintainer: string;
  /** `C:` checksum as `sha1:<hex>`; apk writes `Q1` + base64 of the SHA-1 of the package's control data. Empty when absent or in another form. */
  checksum: string;
}

/**
 * Parses the apk installed database: records separated by blank lines, one
 * `X:value` field per line, as apk-tools' "Installed Database V2" format
 * describes. A record without `P:` or `V:` is reported as a problem and skipped.
 */
export function parseApkDatabase(text: string, path: string, context: CatalogContext): { packages: CatalogedPackage[]; problems: CatalogProblem[] } {
  const packages: CatalogedPackage[] = [];
  const problems: CatalogProblem[] = [];

  for (const record of readApkRecords(text)) {
    const label = record.name === "" ? `Record at line ${record.line}` : `Package ${record.name} (line ${record.line})`;
    if (record.name === "") {
      problems.push({ path, message: `${label} has no package name (P:); it was skipped.` });
      continue;
    }
    if (record.version === "") {
      problems.push({ path, message: `${label} has no version (V:); it was skipped.` });
      continue;
    }

    const declared = record.license === "" ? [] : [record.license];
    const sourceName = record.origin === "" ? record.name : record.origin;
    packages.push({
      type: "apk",
      name: record.name,
      version: record.version,
      purl: apkPurl(record, context),
      license: normalizeLicense(apkLicenseTerms(record.license)),
      licenseDeclared: declared,
      sourceName,
      // An origin package is built from the same APKBUILD, so it shares the version.
      sourceVersion: record.version,
      ...(record.arch === "" ? {} : { arch: record.arch }),
      path,
    });
  }
  return { packages, problems };
}

/**
 * Splits an `L:` value into terms for normalizeLicense. Alpine writes either
 * an SPDX expression or, in older packages, a space-separated list meaning all
 * of the licenses apply (`MIT BSD GPL2+`).
 */
export function apkLicenseTerms(license: string): string[] {
  const trimmed = license.trim();
  if (trimmed === "") return [];
  if (/[()]|\s(AND|OR|WITH)\s/i.test(trimmed)) return [trimmed];
  return trimmed.split(/\s+/);
}

/** Splits the database into records; fields other than those of ApkRecord are skipped. */
export function readApkRecords(text: string): ApkRecord[] {
  const records: ApkRecord[] = [];
  let current: ApkRecord | null = null;

  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") {
      if (current !== null) records.push(current);
      current = null;
      continue;
    }

    current ??= { line: index + 1, name: "", version: "", arch: "", license: "", origin: "", maintainer: "", checksum: "" };
    // Every line is a one-letter field, a colon and the value.
    if (line[1] !== ":") continue;
    const value = line.slice(2);
    switch (line[0]) {
      case "P":
        current.name = value.trim();
        break;
      case "V":
        current.version = value.trim();
        break;
      case "A":
        current.arch = value.trim();
        break;
      case "L":
        current.license = value.trim();
        break;
      case "o":
        current.origin = value.trim();
        break;
      case "m":
        current.maintainer = value.trim();
        break;
      case "C":
        current.checksum = apkChecksum(value.trim());
        break;
      default:
        break;
    }
  }
  if (current !== null) records.push(current);
  return records;
}

function apkChecksum(value: string): string {
  if (!value.startsWith("Q1")) return "";
  return `sha1:${Buffer.from(value.slice(2), "base64").toString("hex")}`;
}

/** Builds `pkg:apk/alpine/<name>@<version>?arch=<arch>&distro=alpine-<version id>`. */
function apkPurl(record: ApkRecord, context: CatalogContext): string {
  const qualifiers: Record<string, string> = {};
  if (record.arch !== "") qualifiers.arch = record.arch;
  if (context.os?.versionId != null) qualifiers.distro = `${context.os.id}-${context.os.versionId}`;
  return new PackageURL("apk", context.os?.id ?? "alpine", record.name, record.version, qualifiers).toString();
}
