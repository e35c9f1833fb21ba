import type { RpmHeaderRecord } from "@/lib/analysis/catalogers/rpm-header";

/**
 * Parser for the package manifest that CBL-Mariner and Azure Linux distroless
 * images ship in place of an rpm database (`/var/lib/rpmmanifest/container-manifest-2`).
 * Each line is one package, tab-separated: NAME, VERSION-RELEASE, INSTALLTIME,
 * BUILDTIME, VENDOR, EPOCH ("(none)" when unset), SIZE, ARCH, EPOCHNUM, SOURCERPM.
 */

const FIELD_COUNT = 10;

/** A package read from one manifest line, or the reason the line was skipped. */
export type RpmManifestEntry = { line: number; record: RpmHeaderRecord } | { line: number; error: string };

export function parseRpmManifest(text: string): RpmManifestEntry[] {
  const entries: RpmManifestEntry[] = [];
  const lines = text.split("\n");

  for (const [index, rawLine] of lines.entries()) {
    const line = index + 1;
    const content = rawLine.replace(/\r$/, "");
    if (content.trim() === "") continue;

    const fields = content.split("\t");
    if (fields.length < FIELD_COUNT) {
      entries.push({ line, error: `rpm manifest line ${line} has ${fields.length} tab-separated fields, expected ${FIELD_COUNT}` });
      continue;
    }
    const [name, versionRelease, , , vendor, epochText, , arch, , sourceRpm] = fields as [string, string, string, string, string, string, string, string, string, string];

    const dash = versionRelease.lastIndexOf("-");
    if (name === "" || dash <= 0 || dash === versionRelease.length - 1) {
      entries.push({ line, error: `rpm manifest line ${line} has an invalid name or VERSION-RELEASE "${versionRelease}"` });
      continue;
    }
    const epoch = epochText === "(none)" || epochText === "" ? null : Number(epochText);
    if (epoch !== null && !Number.isInteger(epoch)) {
      entries.push({ line, error: `rpm manifest line ${line} has an invalid epoch "${epochText}"` });
      continue;
    }

    entries.push({
      line,
      record: {
        name,
        version: versionRelease.slice(0, dash),
        release: versionRelease.slice(dash + 1),
        epoch,
        arch: arch || null,
        license: null,
        sourceRpm: sourceRpm || null,
        vendor: vendor || null,
      },
    });
  }
  return entries;
}
