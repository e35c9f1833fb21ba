import type { Evidence } from "../types";

/** Evidence items a result lists before it sums up the rest in one "and N more" item. */
export const maxEvidenceItems = 10;

/**
 * Returns the first maxEvidenceItems items and, when there are more, a final item
 * counting the rest, e.g. { label: "More", value: "and 12 more findings" }.
 */
export function capEvidence(items: readonly Evidence[], noun: { one: string; many: string }): Evidence[] {
  if (items.length <= maxEvidenceItems) return [...items];
  const rest = items.length - maxEvidenceItems;
  return [...items.slice(0, maxEvidenceItems), { label: "More", value: `and ${rest} more ${rest === 1 ? noun.one : noun.many}` }];
}

/** Writes a count with its noun: "1 package", "3 packages". */
export function countOf(count: number, noun: { one: string; many: string }): string {
  return `${count} ${count === 1 ? noun.one : noun.many}`;
}
