import { readFile } from "node:fs/promises";
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { AppError } from "@/lib/errors";
import { parsePolicyConfig, type PolicyConfig, PolicyConfigError } from "@/scoring";

/**
 * Reads a policy configuration file, YAML or JSON (JSON is read as YAML 1.2,
 * of which it is a subset), and validates it with the schema of the
 * organization settings. Raises AppError INVALID_INPUT naming the file, the
 * field and its line for every problem.
 */
export async function loadPolicyConfig(file: string): Promise<PolicyConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new AppError("NOT_FOUND", `The policy configuration ${file} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Check the --config path.`, { cause: error });
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    // With pretty errors (the default) each message starts with the problem and its line and column, e.g. "… at line 3, column 5:".
    const problems = document.errors.map((error) => error.message.split("\n")[0]!.replace(/:$/, ""));
    throw new AppError("INVALID_INPUT", `${file} is not valid YAML or JSON: ${problems.join("; ")}. Fix the file and run again.`);
  }

  try {
    return parsePolicyConfig(document.toJS());
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    const problems = error.problems.map((problem) => {
      const line = lineOf(document, lineCounter, problem.path);
      return `${problem.path || "the configuration"}${line === null ? "" : ` (line ${line})`} ${problem.message}`;
    });
    throw new AppError("INVALID_INPUT", `Invalid policy configuration in ${file}: ${problems.join("; ")}. It takes the schema of the organization's policy settings: { version, policies: { <policy id>: { weight, … } } }.`, { cause: error });
  }
}

/**
 * Finds the line of the key of the field at a dotted path. A missing field
 * gets its nearest parent's line, and the whole document gets null.
 */
function lineOf(document: ReturnType<typeof parseDocument>, lineCounter: LineCounter, dottedPath: string): number | null {
  const keys: (string | number)[] = dottedPath === "" ? [] : dottedPath.split(".").map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  for (let length = keys.length; length > 0; length -= 1) {
    const parent = document.getIn(keys.slice(0, length - 1), true);
    const last = keys[length - 1];
    if (isMap(parent)) {
      const key = parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(last))?.key;
      if (isNode(key) && key.range) return lineCounter.linePos(key.range[0]).line;
    }
    if (isSeq(parent) && typeof last === "number") {
      const item = parent.items[last];
      if (isNode(item) && item.range) return lineCounter.linePos(item.range[0]).line;
    }
  }
  return null;
}
