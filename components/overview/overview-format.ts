/** Labels and number formats shared by the overview's server and client components. */

/** Names a grade bucket: the letter, or "Not graded" for "none". */
export function bucketLabel(grade: string): string {
  return grade === "none" ? "Not graded" : grade;
}

export function formatRepositoryCount(count: number): string {
  return `${count} ${count === 1 ? "repository" : "repositories"}`;
}

export function formatTagCount(count: number): string {
  return `${count} ${count === 1 ? "tag" : "tags"}`;
}

/** Formats a change in percentage points with one decimal and a real minus sign, e.g. "−20.0". */
export function formatPoints(points: number): string {
  const text = Math.abs(points).toFixed(1);
  if (points < 0) return `\u2212${text}`;
  return points > 0 ? `+${text}` : text;
}
