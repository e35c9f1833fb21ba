import { PackageURL } from "packageurl-js";

import { normalizeLicense } from "@/lib/analysis/licenses";
import type { CatalogedPackage, Cataloger, CatalogProblem } from "@/lib/analysis/types";
import { decodeUtf8 } from "@/lib/analysis/utf8";

/**
 * Cataloger for installed Ruby gems: the specification files RubyGems writes
 * to `specifications/<name>-<version>.gemspec` (and `specifications/default/`
 * for gems bundled with Ruby). They are Ruby code, so the fields are read with
 * patterns for the literal forms that `Gem::Specification#to_ruby` writes, not
 * by running them.
 */

const SPECIFICATION_PATH = /\/specifications\/(?:default\/)?[^/]+\.gemspec$/;

// One Ruby string literal as RubyGems writes it, on one line: "…", '…' or %q<…>, optionally followed by .freeze.
// Stopping at a line end keeps an unterminated literal from making each match attempt scan the rest of the file.
const STRING_LITERAL = String.raw`(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|%q<([^>\n]*)>|%q\{([^}\n]*)\}|%q\(([^)\n]*)\))(?:\.freeze)?`;

// Leading whitespace of a line. Unlike \s it never crosses a line end, so each
// line start is tried in time proportional to its line, not to the rest of the file.
const INDENT = String.raw`[^\S\n]*`;

// A license list longer than this is not a real one; the bound keeps an unclosed `[` from scanning the rest of the file.
const MAX_LICENSE_LIST_CHARS = 4096;

export const rubyGemspecCataloger: Cataloger = {
  id: "ruby-gemspec",
  version: 1,
  scope: "file",

  wants(path) {
    return SPECIFICATION_PATH.test(path);
  },

  maxFileBytes: 1024 * 1024,

  parse(files) {
    const packages: CatalogedPackage[] = [];
    const problems: CatalogProblem[] = [];

    for (const [path, content] of files) {
      const result = readGemspec(decodeUtf8(content));
      if ("error" in result) {
        problems.push({ path, message: `failed to parse gemspec: ${result.error}` });
        continue;
      }

      const qualifiers = result.platform && result.platform !== "ruby" ? { platform: result.platform } : undefined;
      packages.push({
        type: "gem",
        name: result.name,
        version: result.version,
        purl: new PackageURL("gem", undefined, result.name, result.version, qualifiers, undefined).toString(),
        license: normalizeLicense(result.licenses),
        licenseDeclared: result.licenses,
        path,
      });
    }
    return { packages, problems };
  },
};

export interface Gemspec {
  name: string;
  version: string;
  licenses: string[];
  platform: string | null;
}

/** Reads the fields of a gemspec, or returns why it could not. */
export function readGemspec(source: string): Gemspec | { error: string } {
  const block = /Gem::Specification\.new\s+do\s*\|\s*([A-Za-z_]\w*)\s*\|/.exec(source);
  if (!block) return { error: "no Gem::Specification.new do |spec| block found" };
  const variable = block[1] as string;

  const name = assignedString(source, variable, "name");
  if (!name) return { error: `no ${variable}.name assignment found` };
  const version = assignedString(source, variable, "version", String.raw`Gem::Version\.new\(\s*${STRING_LITERAL}\s*\)`);
  if (!version) return { error: `no ${variable}.version assignment found` };

  return {
    name,
    version,
    licenses: assignedLicenses(source, variable),
    platform: assignedString(source, variable, "platform"),
  };
}

/** Returns the string assigned by `<variable>.<field> = "…"`, or by an alternative form such as `Gem::Version.new("…")`. */
function assignedString(source: string, variable: string, field: string, alternative?: string): string | null {
  const value = alternative ? `(?:${STRING_LITERAL}|${alternative})` : STRING_LITERAL;
  const match = new RegExp(String.raw`^${INDENT}${variable}\.${field}\s*=\s*${value}`, "m").exec(source);
  if (!match) return null;
  return match.slice(1).find((group) => group !== undefined) ?? null;
}

/**
 * Returns the licenses of `<variable>.licenses = [...]` or `<variable>.license = "…"`. RubyGems wraps a single
 * string given to `licenses=` in an array, so `licenses = "MIT"` counts too.
 */
function assignedLicenses(source: string, variable: string): string[] {
  const list = new RegExp(String.raw`^${INDENT}${variable}\.licenses\s*=\s*\[([^\]]{0,${MAX_LICENSE_LIST_CHARS}})\]`, "m").exec(source);
  if (list) {
    const literals = new RegExp(STRING_LITERAL, "g");
    return [...(list[1] as string).matchAll(literals)].map((match) => match.slice(1).find((group) => group !== undefined) ?? "").filter(Boolean);
  }
  const single = assignedString(source, variable, "licenses") ?? assignedString(source, variable, "license");
  return single ? [single] : [];
}
