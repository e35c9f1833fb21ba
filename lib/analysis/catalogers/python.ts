import { PackageURL } from "packageurl-js";

import { normalizeLicense } from "@/lib/analysis/licenses";
import type { CatalogedPackage, Cataloger, CatalogProblem } from "@/lib/analysis/types";
import { decodeUtf8 } from "@/lib/analysis/utf8";

/**
 * Cataloger for installed Python distributions: the core metadata file of
 * wheels (`*.dist-info/METADATA`) and eggs (`*.egg-info/PKG-INFO`,
 * `*.egg/EGG-INFO/PKG-INFO`, or a flat `*.egg-info` file), wherever they sit.
 * Core metadata is a block of RFC 822 style headers
 * (https://packaging.python.org/en/latest/specifications/core-metadata/).
 */

const METADATA_PATH = /(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO|\.egg\/EGG-INFO\/PKG-INFO|\.egg-info)$/;

// Trove license classifiers (https://pypi.org/classifiers/) whose SPDX id is unambiguous, by their last segment.
// Classifiers that name no version ("Apache Software License", "BSD License") go to normalizeLicense unchanged.
const CLASSIFIER_SPDX: Record<string, string> = {
  "MIT License": "MIT",
  "MIT No Attribution License (MIT-0)": "MIT-0",
  "ISC License (ISCL)": "ISC",
  "Python Software Foundation License": "PSF-2.0",
  "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
  "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
  "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
  "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
  "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
  "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
  "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
  "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
  "GNU Affero General Public License v3": "AGPL-3.0-only",
  "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
  "Mozilla Public License 1.0 (MPL)": "MPL-1.0",
  "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
  "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
  "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
  "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
  "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
  "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
  "The Unlicense (Unlicense)": "Unlicense",
  "Universal Permissive License (UPL)": "UPL-1.0",
  "zlib/libpng License": "Zlib",
  "Historical Permission Notice and Disclaimer (HPND)": "HPND",
  "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
};

// A License field longer than this, or spanning lines, contains license text rather than a license name.
const MAX_LICENSE_NAME_LENGTH = 200;

export const pythonCataloger: Cataloger = {
  id: "python",
  version: 1,
  scope: "file",

  wants(path) {
    return METADATA_PATH.test(path);
  },

  // Core metadata embeds the long description, so the cap is generous.
  maxFileBytes: 10 * 1024 * 1024,

  parse(files) {
    const packages: CatalogedPackage[] = [];
    const problems: CatalogProblem[] = [];

    for (const [path, content] of files) {
      const headers = parseCoreMetadata(decodeUtf8(content));
      const name = headers.get("name")?.[0]?.trim();
      const version = headers.get("version")?.[0]?.trim();
      if (!name || !version) {
        problems.push({ path, message: "Python core metadata is missing the Name or Version field" });
        continue;
      }

      const licenseDeclared = declaredLicenses(headers);
      packages.push({
        type: "pypi",
        name,
        version,
        purl: new PackageURL("pypi", undefined, normalizePythonName(name), version, undefined, undefined).toString(),
        license: normalizeLicense(licenseDeclared.map((declared) => CLASSIFIER_SPDX[declared] ?? declared)),
        licenseDeclared,
        path,
      });
    }
    return { packages, problems };
  },
};

/**
 * Parses the header block into lower-cased field names and their values in order, because fields such as Classifier
 * repeat. The block ends at the first empty line, after which the description body may follow.
 */
export function parseCoreMetadata(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let current: { values: string[]; index: number } | null = null;

  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    if (/^[ \t]/.test(line)) {
      // A continuation line extends the field before it.
      if (current) current.values[current.index] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      current = null;
      continue;
    }
    const field = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(field) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(field, values);
    current = { values, index: values.length - 1 };
  }
  return headers;
}

/**
 * Returns the licenses a distribution declares, most precise source first: the PEP 639 License-Expression,
 * else the license classifiers' last segments, else the License field when it is a name and not "UNKNOWN",
 * which setuptools writes when no license was given.
 */
function declaredLicenses(headers: Map<string, string[]>): string[] {
  const expression = headers.get("license-expression")?.[0];
  if (expression) return [expression];

  const classifiers = (headers.get("classifier") ?? [])
    .filter((classifier) => classifier.startsWith("License ::"))
    .map((classifier) => classifier.split("::").map((segment) => segment.trim()))
    // "License :: OSI Approved" alone names no license.
    .filter((segments) => !(segments.length === 2 && segments[1] === "OSI Approved"))
    .map((segments) => segments[segments.length - 1] ?? "");
  // NOTE: normalizeLicense joins several classifiers with AND, although a project listing several often means a choice.
  if (classifiers.length > 0) return [...new Set(classifiers)];

  const license = headers.get("license")?.[0];
  if (!license || license === "UNKNOWN" || license.includes("\n") || license.length > MAX_LICENSE_NAME_LENGTH) return [];
  return [license];
}

/** PEP 503 name normalisation: lower case, every run of "-", "_" and "." replaced by one "-". */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}
