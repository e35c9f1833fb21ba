/**
 * Encodes `value` as compact UTF-8 JSON. Object keys keep their insertion
 * order, so callers build objects in the order the bytes should have. Maps
 * whose order comes from input go through `sortKeys` first, as Go's
 * encoding/json sorts map keys.
 */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Copies `record` with its keys in ascending code-unit order. */
export function sortKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) {
    sorted[key] = record[key] as T;
  }
  return sorted;
}
