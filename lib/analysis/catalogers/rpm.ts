import { PackageURL } from "packageurl-js";

import { readBerkeleyDbHashValues } from "@/lib/analysis/catalogers/rpm-berkeley-db";
import { readRpmHeader, type RpmHeaderRecord } from "@/lib/analysis/catalogers/rpm-header";
import { parseRpmManifest } from "@/lib/analysis/catalogers/rpm-manifest";
import { readNdbPackageBlobs } from "@/lib/analysis/catalogers/rpm-ndb";
import { readSqlitePackageBlobs } from "@/lib/analysis/catalogers/rpm-sqlite";
import type { CatalogContext, CatalogedPackage, Cataloger, CatalogProblem } from "@/lib/analysis/types";
import { normalizeLicense } from "@/lib/analysis/licenses";
import { AppError } from "@/lib/errors";
import { decodeUtf8 } from "@/lib/analysis/utf8";

/**
 * Cataloger for rpm-based images: the three rpm database backends (Berkeley DB
 * `Packages`, SQLite `rpmdb.sqlite`, ndb `Packages.db`) in `/var/lib/rpm` or,
 * from Fedora 36 and openSUSE on, `/usr/lib/sysimage/rpm`, and the text manifest
 * of CBL-Mariner and Azure Linux distroless images.
 */

const DATABASE_DIRECTORIES = ["/var/lib/rpm/", "/usr/lib/sysimage/rpm/"];
const MANIFEST_PATH = "/var/lib/rpmmanifest/container-manifest-2";

type DatabaseFormat = "berkeley-db" | "sqlite" | "ndb" | "manifest";

const FORMAT_BY_FILE_NAME: Record<string, DatabaseFormat> = {
  Packages: "berkeley-db",
  "rpmdb.sqlite": "sqlite",
  "Packages.db": "ndb",
};

/** PURL namespaces by os-release ID. The purl spec names the rpm namespace after the vendor or distribution. */
const NAMESPACE_BY_OS_ID: Record<string, string> = {
  rhel: "redhat",
  centos: "centos",
  almalinux: "almalinux",
  rocky: "rocky",
  amzn: "amazon",
  fedora: "fedora",
  mariner: "mariner",
  azurelinux: "azurelinux",
  ol: "oracle",
  opensuse: "opensuse",
  "opensuse-leap": "opensuse",
  "opensuse-tumbleweed": "opensuse",
  sles: "suse",
  sle_bci: "suse",
  photon: "photon",
};

/** PURL namespaces by the rpm VENDOR tag, for images whose OS is unknown. The first match wins. */
const NAMESPACE_BY_VENDOR: [RegExp, string][] = [
  [/red hat/i, "redhat"],
  [/centos/i, "centos"],
  [/fedora/i, "fedora"],
  [/almalinux/i, "almalinux"],
  [/rocky/i, "rocky"],
  [/amazon/i, "amazon"],
  [/microsoft/i, "mariner"],
  [/oracle/i, "oracle"],
  [/opensuse/i, "opensuse"],
  [/suse/i, "suse"],
  [/vmware/i, "photon"],
];

export const rpmCataloger: Cataloger = {
  id: "rpm",
  version: 1,
  scope: "image",

  wants(path) {
    return databaseFormat(path) !== null;
  },

  // NOTE: a guessed cap, not measured against real databases.
  maxFileBytes: 256 * 1024 * 1024,

  parse(files, context) {
    const packages: CatalogedPackage[] = [];
    const problems: CatalogProblem[] = [];
    const parsedContents: Uint8Array[] = [];

    for (const [path, content] of files) {
      const format = databaseFormat(path);
      if (format === null) continue;
      // /var/lib/rpm is a symbolic link to /usr/lib/sysimage/rpm on newer systems, so one database can arrive twice.
      if (parsedContents.some((seen) => sameBytes(seen, content))) continue;
      parsedContents.push(content);

      try {
        for (const entry of readRecords(format, content)) {
          if ("error" in entry) {
            problems.push({ path, message: `skipped rpm package record ${entry.id}: ${entry.error}` });
          } else if (entry.record.name !== "gpg-pubkey") {
            // gpg-pubkey entries are imported signing keys, not installed packages.
            packages.push(toCatalogedPackage(entry.record, path, context));
          }
        }
      } catch (error) {
        problems.push({ path, message: `rpm database could not be read: ${describeError(error)}` });
      }
    }
    return { packages, problems };
  },
};

type RecordEntry = { id: number; record: RpmHeaderRecord } | { id: number; error: string };

function databaseFormat(path: string): DatabaseFormat | null {
  if (path === MANIFEST_PATH) return "manifest";
  const directory = DATABASE_DIRECTORIES.find((prefix) => path.startsWith(prefix));
  if (!directory) return null;
  return FORMAT_BY_FILE_NAME[path.slice(directory.length)] ?? null;
}

function readRecords(format: DatabaseFormat, content: Uint8Array): RecordEntry[] {
  switch (format) {
    case "manifest":
      return parseRpmManifest(decodeUtf8(content)).map((entry) =>
        "error" in entry ? { id: entry.line, error: entry.error } : { id: entry.line, record: entry.record },
      );
    case "sqlite":
      return readSqlitePackageBlobs(content).map((entry) =>
        "error" in entry ? { id: entry.headerNumber, error: entry.error } : headerEntry(entry.headerNumber, entry.blob),
      );
    case "ndb":
      return readNdbPackageBlobs(content).map((entry) =>
        "error" in entry ? { id: entry.packageIndex, error: entry.error } : headerEntry(entry.packageIndex, entry.blob),
      );
    case "berkeley-db":
      return (
        readBerkeleyDbHashValues(content)
          // Key 0 of rpm's Packages database contains the highest header number in use, not a header.
          .filter((entry) => entry.key !== 0)
          .map((entry, index) => {
            const id = entry.key ?? index;
            return "error" in entry ? { id, error: entry.error } : headerEntry(id, entry.value);
          })
      );
  }
}

function headerEntry(id: number, blob: Uint8Array): RecordEntry {
  try {
    return { id, record: readRpmHeader(blob) };
  } catch (error) {
    return { id, error: describeError(error) };
  }
}

function toCatalogedPackage(record: RpmHeaderRecord, path: string, context: CatalogContext): CatalogedPackage {
  const versionRelease = `${record.version}-${record.release}`;
  const licenseDeclared = record.license ? [record.license] : [];
  const source = record.sourceRpm ? splitSourceRpm(record.sourceRpm) : null;
  // rpm treats a missing epoch and epoch 0 alike.
  const epochPrefix = record.epoch ? `${record.epoch}:` : "";

  const cataloged: CatalogedPackage = {
    type: "rpm",
    name: record.name,
    version: `${epochPrefix}${versionRelease}`,
    purl: rpmPackageUrl(record, context),
    license: normalizeLicense(licenseDeclared),
    licenseDeclared,
    path,
  };
  if (record.arch) cataloged.arch = record.arch;
  if (source) {
    cataloged.sourceName = source.name;
    // A source rpm file name carries no epoch; rpm builds every binary package with its source package's epoch.
    cataloged.sourceVersion = `${epochPrefix}${source.versionRelease}`;
  }
  return cataloged;
}

/**
 * Builds `pkg:rpm/<namespace>/<name>@<version>-<release>?arch=…&distro=…&epoch=…`. The purl spec for rpm
 * keeps the epoch out of the version and puts it in the `epoch` qualifier.
 */
export function rpmPackageUrl(record: RpmHeaderRecord, context: CatalogContext): string {
  const qualifiers: Record<string, string> = {};
  if (record.arch) qualifiers.arch = record.arch;
  if (context.os?.versionId) qualifiers.distro = `${context.os.id}-${context.os.versionId}`;
  if (record.epoch !== null && record.epoch !== 0) qualifiers.epoch = String(record.epoch);

  const namespace = purlNamespace(record.vendor, context);
  return new PackageURL("rpm", namespace, record.name, `${record.version}-${record.release}`, qualifiers, undefined).toString();
}

function purlNamespace(vendor: string | null, context: CatalogContext): string | undefined {
  if (context.os) return NAMESPACE_BY_OS_ID[context.os.id] ?? context.os.id.toLowerCase();
  if (!vendor) return undefined;
  return NAMESPACE_BY_VENDOR.find(([pattern]) => pattern.test(vendor))?.[1];
}

/** Splits `util-linux-2.32.1-42.el8_8.src.rpm` into the name and `version-release`; null when it has another shape. */
export function splitSourceRpm(fileName: string): { name: string; versionRelease: string } | null {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(fileName);
  if (!match) return null;
  const [, name, version, release] = match as unknown as [string, string, string, string];
  return { name, versionRelease: `${version}-${release}` };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

function describeError(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return `unexpected parser failure (${error instanceof Error ? error.message : String(error)})`;
}
