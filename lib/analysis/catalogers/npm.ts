import { PackageURL } from "packageurl-js";

import { normalizeLicense } from "@/lib/analysis/licenses";
import type { CatalogedPackage, Cataloger, CatalogProblem } from "@/lib/analysis/types";
import { decodeUtf8 } from "@/lib/analysis/utf8";

/**
 * Cataloger for installed npm packages: the `package.json` at the root of each
 * package folder under any `node_modules`, nested and scoped ones included
 * (`node_modules/a/node_modules/@scope/b/package.json`). A project's own
 * `package.json` and files deeper inside a package are not installed packages.
 */

const PACKAGE_MANIFEST_PATH = /\/node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/;

// npm's name rules (validate-npm-package-name): at most 214 characters, URL-safe, not starting with "." or "_".
// Upper-case letters stay allowed because old packages may have them.
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/i;
const MAX_NAME_LENGTH = 214;

export const npmCataloger: Cataloger = {
  id: "npm",
  version: 1,
  scope: "file",

  wants(path) {
    return PACKAGE_MANIFEST_PATH.test(path);
  },

  // Older npm clients wrote the README into installed package.json files, so the cap is generous.
  maxFileBytes: 5 * 1024 * 1024,

  parse(files) {
    const packages: CatalogedPackage[] = [];
    const problems: CatalogProblem[] = [];

    for (const [path, content] of files) {
      let manifest: unknown;
      try {
        manifest = JSON.parse(decodeUtf8(content));
      } catch (error) {
        problems.push({ path, message: `package.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
        continue;
      }
      if (!isObject(manifest)) {
        problems.push({ path, message: "package.json is not a JSON object" });
        continue;
      }

      const { name, version } = manifest;
      if (typeof name !== "string" || name === "" || typeof version !== "string" || version === "") {
        problems.push({ path, message: "package.json of an installed package is missing its name or version" });
        continue;
      }
      if (name.length > MAX_NAME_LENGTH || !PACKAGE_NAME.test(name)) {
        problems.push({ path, message: `package.json has an invalid package name "${name.slice(0, MAX_NAME_LENGTH)}"` });
        continue;
      }

      const licenseDeclared = declaredLicenses(manifest);
      packages.push({
        type: "npm",
        name,
        version,
        purl: npmPackageUrl(name, version),
        license: normalizeLicense(licenseDeclared),
        licenseDeclared,
        path,
      });
    }
    return { packages, problems };
  },
};

/** Builds `pkg:npm/name@version` or, for a scoped name, `pkg:npm/%40scope/name@version`. */
export function npmPackageUrl(name: string, version: string): string {
  const slash = name.startsWith("@") ? name.indexOf("/") : -1;
  const namespace = slash < 0 ? undefined : name.slice(0, slash);
  return new PackageURL("npm", namespace, name.slice(slash + 1), version, undefined, undefined).toString();
}

/**
 * Returns the licenses of a package.json: the `license` string (an SPDX expression by npm's rules), or the
 * deprecated forms that older packages still carry: a `{ "type": … }` object, an array of them, or a
 * `licenses` array. Other values (numbers, null, objects without `type`) declare nothing.
 */
function declaredLicenses(manifest: Record<string, unknown>): string[] {
  const fromValue = (value: unknown): string[] => {
    if (typeof value === "string") return value.trim() === "" ? [] : [value.trim()];
    if (Array.isArray(value)) return value.flatMap(fromValue);
    if (isObject(value) && typeof value.type === "string") return fromValue(value.type);
    return [];
  };

  const declared = fromValue(manifest.license);
  return declared.length > 0 ? declared : fromValue(manifest.licenses);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
