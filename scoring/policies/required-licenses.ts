/**
 * Finds the listed licenses that an SPDX license expression leaves no choice but to
 * accept. Expression syntax: SPDX specification, annex "SPDX license expressions".
 */
import parseSpdxExpression from "spdx-expression-parse";
import deprecatedLicenseIds from "spdx-license-ids/deprecated.json";
import currentLicenseIds from "spdx-license-ids/index.json";

type ExpressionNode = ReturnType<typeof parseSpdxExpression>;

/** Lower-cased SPDX id to its canonical spelling, current and deprecated ids alike. */
const canonicalIds = new Map<string, string>([...currentLicenseIds, ...deprecatedLicenseIds].map((id) => [id.toLowerCase(), id]));

/** The listed licenses an expression requires, or why it could not be read. */
export type RequiredLicenses = { readable: true; required: string[] } | { readable: false; problem: string };

/**
 * Returns the listed licenses that every way of satisfying the expression includes:
 * empty when some choice avoids them all. An OR needs both sides to require a listed
 * license, and an AND needs either side to. So "MIT OR AGPL-3.0-only" requires none,
 * and "MIT AND AGPL-3.0-only" requires AGPL-3.0-only. The licenses come back as the
 * expression writes them, sorted.
 *
 * A license exception (WITH …) adds permissions to its license but still requires it,
 * so the exception is dropped before parsing, whether or not SPDX lists it. License
 * ids are matched case-insensitively, as the SPDX specification asks.
 */
export function requiredLicenses(expression: string, listed: ReadonlySet<string>): RequiredLicenses {
  let tree: ExpressionNode;
  try {
    tree = parseSpdxExpression(withoutExceptions(expression));
  } catch (error) {
    // spdx-expression-parse 5 throws an Error naming the offending token, but a TypeError
    // when the tokens run out mid-expression ("MIT AND").
    const problem = error instanceof TypeError ? "the expression ends early" : (error as Error).message;
    return { readable: false, problem };
  }
  const required = requiredIn(tree, listed) ?? [];
  return { readable: true, required: [...new Set(required)].sort() };
}

/** Returns the listed licenses every choice of the node includes, or null when a choice avoids all of them. */
function requiredIn(node: ExpressionNode, listed: ReadonlySet<string>): string[] | null {
  if ("license" in node) {
    const written = node.plus === true ? `${node.license}+` : node.license;
    return equivalentIds(node.license, node.plus === true).some((id) => listed.has(id)) ? [written] : null;
  }
  const left = requiredIn(node.left, listed);
  const right = requiredIn(node.right, listed);
  if (node.conjunction === "and") return left === null && right === null ? null : [...(left ?? []), ...(right ?? [])];
  return left === null || right === null ? null : [...left, ...right];
}

/**
 * Returns the ids that name the same license terms. The deprecated bare ids of the GNU
 * licenses mean "-only" ("AGPL-3.0" is "AGPL-3.0-only"), and "+" means "-or-later".
 */
function equivalentIds(license: string, plus: boolean): string[] {
  const base = license.replace(/-(only|or-later)$/, "");
  if (plus) return [`${license}+`, `${base}+`, `${base}-or-later`];
  if (license.endsWith("-or-later")) return [license, `${base}+`];
  return [license, base, `${base}-only`];
}

/**
 * Rewrites an expression for the parser: operators in upper case, license ids in their
 * canonical spelling, and each "WITH exception" removed. Other words stay as they are,
 * so the parser reports them.
 */
function withoutExceptions(expression: string): string {
  const tokens = expression.match(/[()]|[^\s()]+/g) ?? [];
  const rewritten: string[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] ?? "";
    const operator = token.toUpperCase();
    if (operator === "WITH" && index + 1 < tokens.length && !/^[()]$/.test(tokens[index + 1] ?? "")) {
      index += 1;
      continue;
    }
    if (operator === "AND" || operator === "OR" || operator === "WITH") {
      rewritten.push(operator);
      continue;
    }
    const plus = token.endsWith("+") ? "+" : "";
    const id = plus === "" ? token : token.slice(0, -1);
    rewritten.push(`${canonicalIds.get(id.toLowerCase()) ?? id}${plus}`);
  }
  return rewritten.join(" ");
}
