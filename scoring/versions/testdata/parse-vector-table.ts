/** One data row of a vector table, keyed by the names in the table's header line. */
export type VectorRow = Readonly<Record<string, string>>;

/**
 * Parses a tab-separated vector table. Lines starting with `# ` are provenance and are skipped,
 * and the first other line names the columns. A field that starts with `"` is a JSON string
 * literal, used for values with tabs, newlines or surrounding spaces. A row whose field count
 * differs from the header's throws, so a damaged file fails instead of losing rows.
 */
export function parseVectorTable(text: string): VectorRow[] {
  const lines = text.split("\n").filter((line) => line !== "" && !line.startsWith("# "));
  const [header, ...dataLines] = lines;
  if (header === undefined) throw new Error("The vector table has no header line.");
  const columns = header.split("\t");

  return dataLines.map((line, index) => {
    const fields = line.split("\t");
    if (fields.length !== columns.length) {
      throw new Error(`Vector table row ${index + 1} has ${fields.length} fields, but the header has ${columns.length}: ${JSON.stringify(line)}`);
    }
    const row: Record<string, string> = {};
    columns.forEach((column, position) => {
      const field = fields[position] ?? "";
      row[column] = field.startsWith('"') ? decodeJsonString(field) : field;
    });
    return row;
  });
}

function decodeJsonString(field: string): string {
  const value: unknown = JSON.parse(field);
  if (typeof value !== "string") throw new Error(`Expected a JSON string literal, got ${field}`);
  return value;
}

/** Returns the named column of a row, or throws when the table has no such column. */
export function column(row: VectorRow, name: string): string {
  const value = row[name];
  if (value === undefined) throw new Error(`The vector table has no column ${JSON.stringify(name)}.`);
  return value;
}

/** Reads the `expected` column (-1, 0 or 1) of a comparison row. */
export function expectedSign(row: VectorRow): -1 | 0 | 1 {
  const value = column(row, "expected");
  if (value === "-1") return -1;
  if (value === "0") return 0;
  if (value === "1") return 1;
  throw new Error(`Invalid expected value ${JSON.stringify(value)}; expected -1, 0 or 1.`);
}

/** A row of a comparison table: the expected sign of compare(a, b), with the row's source and note. */
export interface ComparisonCase {
  a: string;
  b: string;
  expected: -1 | 0 | 1;
  source: string;
  note: string;
}

/** Parses a comparison table with the columns a, b, expected, source and note (and any others). */
export function parseComparisonTable(text: string): ComparisonCase[] {
  return parseVectorTable(text).map((row) => ({
    a: column(row, "a"),
    b: column(row, "b"),
    expected: expectedSign(row),
    source: column(row, "source"),
    note: column(row, "note"),
  }));
}

/** Pairs each element of an ascending list with the next one, for order checks. */
export function adjacentPairs(ascending: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let index = 1; index < ascending.length; index++) {
    pairs.push([ascending[index - 1] ?? "", ascending[index] ?? ""]);
  }
  return pairs;
}

/** Reduces a comparison result to -1, 0 or 1, so 0 and -0 compare equal in toBe(). */
export function signOf(result: number): -1 | 0 | 1 {
  if (result < 0) return -1;
  return result > 0 ? 1 : 0;
}

/** Returns the sign that compare(b, a) must have when compare(a, b) has the given sign. */
export function reversed(sign: -1 | 0 | 1): -1 | 0 | 1 {
  if (sign === 0) return 0;
  return sign === 1 ? -1 : 1;
}
