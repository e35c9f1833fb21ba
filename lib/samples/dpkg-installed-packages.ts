import { AppError } from "@/lib/errors";

/** A package that a dpkg status file records as installed. */
export interface DpkgPackage {
  name: string;
  version: string;
  architecture: string;
  /** Source package name, without the version that `Source:` may add in brackets. */
  sourceName?: string;
  maintainer?: string;
}

/**
 * Lists the packages of a dpkg status file (deb822 stanzas separated by blank
 * lines) whose `Status` is `install ok installed`, in file order.
 *
 * Only generates SBOMs for the samples, so a stanza without `Package` or
 * `Version` raises instead of being skipped: the input is a committed file.
 */
export function listInstalledDpkgPackages(status: string): DpkgPackage[] {
  const packages: DpkgPackage[] = [];

  for (const stanza of status.split(/\n[ \t]*\n/)) {
    if (stanza.trim() === "") continue;
    const fields = parseStanza(stanza);
    if (fields.get("Status") !== "install ok installed") continue;

    const name = fields.get("Package");
    const version = fields.get("Version");
    if (name === undefined || version === undefined) {
      throw new AppError(
        "INVALID_INPUT",
        `Invalid dpkg status stanza starting "${stanza.slice(0, 60)}": an installed package needs Package and Version fields.`,
      );
    }

    const source = fields.get("Source");
    packages.push({
      name,
      version,
      architecture: fields.get("Architecture") ?? "all",
      ...(source === undefined ? {} : { sourceName: source.split(" ")[0] }),
      ...(fields.has("Maintainer") ? { maintainer: fields.get("Maintainer") } : {}),
    });
  }

  return packages;
}

// Returns the first line of each field; continuation lines (starting with a
// space or tab) only extend multi-line fields such as Description.
function parseStanza(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of stanza.split("\n")) {
    if (line === "" || line.startsWith(" ") || line.startsWith("\t")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}
