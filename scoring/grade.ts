import type { Grade, ScoreReport } from "./types";

/**
 * Lower bounds of each grade, best first. A percent must be strictly above a bound
 * to earn its grade, so a score exactly on a boundary takes the lower grade
 * (A > 90, B > 70, C > 50, D > 30, E > 10, F ≤ 10).
 */
const gradeFloors: readonly (readonly [Grade, number])[] = [
  ["A", 90],
  ["B", 70],
  ["C", 50],
  ["D", 30],
  ["E", 10],
];

const gradeOrder: readonly Grade[] = ["A", "B", "C", "D", "E", "F"];

/** Returns the grade for an unrounded percent. A percent on a boundary gets the lower grade. */
export function gradeForPercent(percent: number): Grade {
  if (Number.isNaN(percent)) throw new RangeError("Cannot grade a percent that is not a number (NaN).");
  return gradeFloors.find(([, floor]) => percent > floor)?.[0] ?? "F";
}

/** Returns the grade's rank, A = 0 … F = 5, for sorting best first. */
export function gradeRank(grade: Grade): number {
  return gradeOrder.indexOf(grade);
}

/** Returns the worst grade that is set (e.g. a tag's worst platform), or null when none is. */
export function worstGrade(grades: readonly (Grade | null)[]): Grade | null {
  let worst: Grade | null = null;
  for (const grade of grades) {
    if (grade !== null && (worst === null || gradeRank(grade) > gradeRank(worst))) worst = grade;
  }
  return worst;
}

export function badgeColor(grade: Grade | null): "green" | "yellow" | "orange" | "red" | "grey" {
  switch (grade) {
    case "A":
    case "B":
      return "green";
    case "C":
      return "yellow";
    case "D":
      return "orange";
    case "E":
    case "F":
      return "red";
    case null:
      return "grey";
  }
}

/**
 * Formats a percent with one decimal, or more when one decimal would round a percent
 * just above a boundary onto it (90.01 shown as "90" next to an A).
 */
function formatPercent(percent: number): string {
  const grade = gradeForPercent(percent);
  for (let decimals = 1; decimals < 6; decimals++) {
    const rounded = Number(percent.toFixed(decimals));
    if (gradeForPercent(rounded) === grade) return String(rounded);
  }
  return String(percent);
}

/** Describes the arithmetic in words, e.g. "20 of 90 points = 22.2 % → E". */
export function describeScore(report: Pick<ScoreReport, "earned" | "possible" | "percent" | "grade">): string {
  if (report.percent === null || report.grade === null) {
    return `${report.earned} of ${report.possible} points: every policy has weight 0, so the image is not graded`;
  }
  return `${report.earned} of ${report.possible} points = ${formatPercent(report.percent)} % → ${report.grade}`;
}
