import { LRUCache } from "lru-cache";
import spdxCorrect from "spdx-correct";
import parseSpdx from "spdx-expression-parse";
import deprecatedLicenseIds from "spdx-license-ids/deprecated.json";
import currentLicenseIds from "spdx-license-ids/index.json";

/**
 * License normalisation shared by every cataloger: package databases declare
 * licenses as SPDX ids, old SPDX ids, Debian DEP-5 short names (`GPL-2+`),
 * Alpine names (`GPL2`) or free text. Shipshape stores one valid SPDX
 * expression per package so that license policies and SBOM export read one form.
 */

/** Lower-cased SPDX id → its canonical spelling, current and deprecated ids alike. */
const canonicalIds = new Map<string, string>([...currentLicenseIds, ...deprecatedLicenseIds].map((id) => [id.toLowerCase(), id]));

/**
 * Deprecated SPDX ids and their replacements, from the SPDX license list's
 * deprecation notes. Deprecated ids missing here (`Net-SNMP`) stay as they are,
 * because they are still valid in an expression.
 */
const deprecatedReplacements: Record<string, string> = {
  "AGPL-1.0": "AGPL-1.0-only",
  "AGPL-3.0": "AGPL-3.0-only",
  "BSD-2-Clause-FreeBSD": "BSD-2-Clause-Views",
  "BSD-2-Clause-NetBSD": "BSD-2-Clause",
  "GFDL-1.1": "GFDL-1.1-only",
  "GFDL-1.2": "GFDL-1.2-only",
  "GFDL-1.3": "GFDL-1.3-only",
  "GPL-1.0": "GPL-1.0-only",
  "GPL-2.0": "GPL-2.0-only",
  "GPL-3.0": "GPL-3.0-only",
  "LGPL-2.0": "LGPL-2.0-only",
  "LGPL-2.1": "LGPL-2.1-only",
  "LGPL-3.0": "LGPL-3.0-only",
  "GPL-2.0-with-GCC-exception": "GPL-2.0-only WITH GCC-exception-2.0",
  "GPL-2.0-with-autoconf-exception": "GPL-2.0-only WITH Autoconf-exception-2.0",
  "GPL-2.0-with-bison-exception": "GPL-2.0-only WITH Bison-exception-2.2",
  "GPL-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
  "GPL-2.0-with-font-exception": "GPL-2.0-only WITH Font-exception-2.0",
  "GPL-3.0-with-GCC-exception": "GPL-3.0-only WITH GCC-exception-3.1",
  "GPL-3.0-with-autoconf-exception": "GPL-3.0-only WITH Autoconf-exception-3.0",
  Nunit: "zlib-acknowledgement",
  "StandardML-NJ": "SMLNJ",
  "bzip2-1.0.5": "bzip2-1.0.6",
  "eCos-2.0": "GPL-2.0-or-later WITH eCos-exception-2.0",
  wxWindows: "LGPL-2.0-or-later WITH WxWindows-exception-3.1",
};

/**
 * Names that are not SPDX ids but whose meaning is settled, keyed in lower
 * case: Debian DEP-5 short names (copyright-format 1.0, "License
 * specification") and spellings common in Alpine and RPM metadata.
 */
const knownAliases: Record<string, string> = {
  expat: "MIT",
  "mit/x11": "MIT",
  "mit-style": "MIT",
  // Debian's /usr/share/common-licenses/Artistic is the Perl Artistic License.
  artistic: "Artistic-1.0-Perl",
  "artistic-1": "Artistic-1.0",
  "artistic-2": "Artistic-2.0",
  // NOTE: a bare "BSD" does not say which BSD license. BSD-3-Clause follows
  // Debian's /usr/share/common-licenses/BSD and trivy's mapping, but may be wrong.
  bsd: "BSD-3-Clause",
  "bsd-2": "BSD-2-Clause",
  "bsd-3": "BSD-3-Clause",
  "bsd-4": "BSD-4-Clause",
  "apache-2": "Apache-2.0",
  apache2: "Apache-2.0",
  "apache 2": "Apache-2.0",
  "asl 2.0": "Apache-2.0",
  "mpl-1.1+": "MPL-1.1+",
  "mpl-2": "MPL-2.0",
  cc0: "CC0-1.0",
  psf: "PSF-2.0",
  "public-domain": "LicenseRef-Public-Domain",
  "public domain": "LicenseRef-Public-Domain",
  pd: "LicenseRef-Public-Domain",
};

/** Versions of each GNU license family as SPDX writes them, and the id for the family named without a version. */
const gnuFamilies: Record<string, { versions: Record<string, string>; unversioned: string }> = {
  // The GPL and LGPL say that a program naming no version may use any version
  // ever published (GPL-2.0 section 9, LGPL-2.1 section 13), hence "1.0-or-later".
  GPL: { versions: { "1": "1.0", "2": "2.0", "3": "3.0" }, unversioned: "GPL-1.0-or-later" },
  LGPL: { versions: { "2": "2.0", "2.1": "2.1", "3": "3.0" }, unversioned: "LGPL-2.0-or-later" },
  AGPL: { versions: { "1": "1.0", "3": "3.0" }, unversioned: "AGPL-3.0-or-later" },
};

/** `GPL-2`, `GPLv2+`, `GPL 2 or later`, `LGPL-2.1+`, `GNU GPL v3`, `AGPL` … */
const gnuLicensePattern = /^(?:GNU[ -]?)?(A|L)?GPL[-_ ]?(?:v(?:ersion)?[ -]?)?(\d(?:\.\d)?)?(\+| or later|-or-later|-only| only)?$/i;

/**
 * Converts one license name (not an expression) to an SPDX id, a small SPDX
 * expression for old ids that bundle an exception, or `LicenseRef-<name>` when
 * the name is not recognised.
 */
export function normalizeLicenseId(name: string): string {
  const trimmed = name.trim().replace(/\s+/g, " ");
  if (/^(LicenseRef|DocumentRef)-/i.test(trimmed)) {
    return sanitizeReference(trimmed);
  }

  const exact = canonicalId(trimmed);
  if (exact !== null) return exact;

  if (trimmed.endsWith("+")) {
    const base = trimmed.slice(0, -1);
    const gnu = gnuLicense(`${base}+`);
    if (gnu !== null) return gnu;
    const baseId = canonicalId(base);
    // SPDX's "+" operator applies to a simple id only, not to a replacement that carries WITH.
    if (baseId !== null && !baseId.includes(" ")) return `${baseId}+`;
  }

  const gnu = gnuLicense(trimmed);
  if (gnu !== null) return gnu;

  const alias = knownAliases[trimmed.toLowerCase()];
  if (alias !== undefined) return alias;

  const corrected = trustedCorrection(trimmed);
  if (corrected !== null) return corrected;

  return sanitizeReference(`LicenseRef-${trimmed}`);
}

/**
 * Normalises the licenses a package declares into one SPDX expression. Each
 * entry is a license name or an SPDX-like expression (`MIT OR Apache-2.0`,
 * operators in any case); entries are combined with AND, duplicates removed.
 * Returns null when nothing is declared.
 */
export function normalizeLicense(declared: string[]): string | null {
  const key = JSON.stringify(declared);
  const known = normalizedLicenses.get(key);
  if (known !== undefined) return known.expression;
  const expression = normalizeUncached(declared);
  normalizedLicenses.set(key, { expression });
  return expression;
}

/**
 * Results of normalizeLicense by declared text. Package databases repeat a few
 * hundred license lists (a Debian image declares `GPL-2+` hundreds of times),
 * and spdx-correct is slow, so a worker normalises each list once. Bounded,
 * because the declared text comes from the images.
 */
const normalizedLicenses = new LRUCache<string, { expression: string | null }>({ max: 10_000 });

function normalizeUncached(declared: string[]): string | null {
  const parts: string[] = [];
  for (const entry of declared) {
    const normalized = normalizeEntry(entry);
    if (normalized !== null) parts.push(normalized);
  }
  if (parts.length === 0) return null;

  const combined = parts.length === 1 ? (parts[0] ?? "") : parts.map((part) => `(${part})`).join(" AND ");
  return renderExpression(parseSpdx(combined));
}

/**
 * Lists the license ids an expression names, without `+` and exceptions, in
 * order of first appearance. Text that is not a valid expression is normalised
 * first, so this never throws.
 */
export function licenseIds(expression: string): string[] {
  const normalized = normalizeLicense([expression]);
  if (normalized === null) return [];

  const ids: string[] = [];
  collectIds(parseSpdx(normalized), ids);
  return [...new Set(ids)];
}

function normalizeEntry(entry: string): string | null {
  const trimmed = entry.trim();
  if (trimmed === "") return null;

  try {
    return renderExpression(parseSpdx(rewriteExpression(trimmed)));
  } catch {
    // The text is not an expression even after rewriting: keep it as one license name.
    return normalizeLicenseId(trimmed);
  }
}

/**
 * Rewrites an SPDX-like expression token by token: operators upper-cased, each
 * run of words between operators normalised as one license name, and an
 * exception SPDX does not know dropped (the declared text keeps it).
 */
function rewriteExpression(text: string): string {
  // "GPLv3 or later" is one license, not an OR of two. The lookbehind lets a
  // match start only where a whitespace run starts, because trying every
  // position inside a long run made this replace quadratic.
  const withPlus = text.replace(/(?<!\s)\s+or\s+(?:any\s+)?later(?:\s+version)?\b/gi, "+");
  const tokens = withPlus.split(/(\s+|\(|\))/).filter((token) => token.trim() !== "");
  const output: string[] = [];
  let words: string[] = [];
  let afterWith = false;

  const flushWords = () => {
    if (words.length === 0) return;
    const name = words.join(" ");
    words = [];
    if (afterWith) {
      afterWith = false;
      const exception = spdxException(name);
      if (exception === null) {
        // The WITH already written has nothing to attach to, so it goes.
        output.pop();
      } else {
        output.push(exception);
      }
      return;
    }
    const id = normalizeLicenseId(name);
    output.push(id.includes(" ") ? `(${id})` : id);
  };

  for (const token of tokens) {
    const upper = token.toUpperCase();
    if (upper === "AND" || upper === "OR" || upper === "WITH" || token === "(" || token === ")") {
      flushWords();
      output.push(upper);
      afterWith = upper === "WITH";
    } else {
      words.push(token);
    }
  }
  flushWords();
  return output.join(" ").replace(/\( /g, "(").replace(/ \)/g, ")");
}

/** Returns the SPDX exception id for a name such as `Classpath-exception-2.0` or `OpenSSL exception`, or null. */
function spdxException(name: string): string | null {
  const candidates = [name, name.replace(/\s+/g, "-")];
  for (const candidate of candidates) {
    try {
      parseSpdx(`MIT WITH ${candidate}`);
      return candidate;
    } catch {
      // not a known exception id in this spelling
    }
  }
  return null;
}

function canonicalId(name: string): string | null {
  const id = canonicalIds.get(name.toLowerCase());
  if (id === undefined) return null;
  return deprecatedReplacements[id] ?? id;
}

function gnuLicense(name: string): string | null {
  const match = gnuLicensePattern.exec(name);
  if (match === null) return null;

  const familyName = `${(match[1] ?? "").toUpperCase()}GPL`;
  const family = gnuFamilies[familyName];
  if (family === undefined) return null;

  const version = match[2];
  const suffix = (match[3] ?? "").trim().toLowerCase();
  const orLater = suffix === "+" || suffix === "or later" || suffix === "-or-later";
  if (version === undefined) {
    return suffix === "" || orLater ? family.unversioned : null;
  }

  const fullVersion = family.versions[version] ?? family.versions[version.replace(/\.0$/, "")];
  if (fullVersion === undefined) return null;
  return `${familyName}-${fullVersion}-${orLater ? "or-later" : "only"}`;
}

/**
 * Returns spdx-correct's guess when it is safe to take. spdx-correct matches
 * loosely: it maps `BSD-4-clause-POWERDOG` to BSD-2-Clause, so a guess is
 * rejected when it drops a digit of the name (a version or clause count).
 */
function trustedCorrection(name: string): string | null {
  let corrected: string | null;
  try {
    corrected = spdxCorrect(name, { upgrade: true });
  } catch {
    return null;
  }
  if (corrected === null) return null;

  const digits = name.match(/\d/g) ?? [];
  for (const digit of digits) {
    if (!corrected.includes(digit)) return null;
  }
  return corrected;
}

/** Makes `LicenseRef-<id>` valid: SPDX allows letters, digits, `.` and `-` in the id part. */
function sanitizeReference(reference: string): string {
  const colon = reference.indexOf(":");
  if (/^DocumentRef-/i.test(reference) && colon > 0) {
    const document = reference.slice("DocumentRef-".length, colon);
    const license = reference.slice(colon + 1).replace(/^LicenseRef-/i, "");
    return `DocumentRef-${sanitizeIdString(document)}:LicenseRef-${sanitizeIdString(license)}`;
  }
  return `LicenseRef-${sanitizeIdString(reference.replace(/^(LicenseRef|DocumentRef)-/i, ""))}`;
}

function sanitizeIdString(value: string): string {
  const cleaned = value
    .replace(/[^A-Za-z0-9.-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-|-$/g, "");
  return cleaned === "" ? "unknown" : cleaned;
}

type ExpressionNode = parseSpdx.Info;

/**
 * Renders a parsed expression with chains of one operator flattened and
 * de-duplicated, and brackets only where AND binds an OR.
 */
function renderExpression(node: ExpressionNode): string {
  if (!("conjunction" in node)) {
    const plus = node.plus === true ? "+" : "";
    const exception = node.exception === undefined ? "" : ` WITH ${node.exception}`;
    return `${node.license}${plus}${exception}`;
  }

  const operands: string[] = [];
  for (const operand of flattenChain(node, node.conjunction)) {
    const rendered = renderExpression(operand);
    const bracketed = node.conjunction === "and" && "conjunction" in operand && operand.conjunction === "or" ? `(${rendered})` : rendered;
    if (!operands.includes(bracketed)) operands.push(bracketed);
  }
  return operands.join(node.conjunction === "and" ? " AND " : " OR ");
}

function flattenChain(node: ExpressionNode, conjunction: "and" | "or"): ExpressionNode[] {
  if ("conjunction" in node && node.conjunction === conjunction) {
    return [...flattenChain(node.left, conjunction), ...flattenChain(node.right, conjunction)];
  }
  return [node];
}

function collectIds(node: ExpressionNode, ids: string[]): void {
  if ("conjunction" in node) {
    collectIds(node.left, ids);
    collectIds(node.right, ids);
    return;
  }
  ids.push(node.license);
}
