import { InvalidArgumentError } from "commander";
import type { ImageScore } from "@/lib/cli/score-image-input";
import { type Grade, gradeRank, type PolicyId, policyIds } from "@/scoring";

/** Exit code when the image was scored but fails a gate (--fail-under, --fail-on, --fail-on-regression). */
export const EXIT_GATE_FAILED = 2;
/** Exit code when the image could not be scored: bad input, unreadable image, unreachable registry. */
export const EXIT_NOT_SCORED = 1;

export interface GateOptions {
  failUnder: Grade | null;
  failOn: readonly PolicyId[];
}

/** The outcome of the gates, with one sentence per reason it failed. */
export interface GateResult {
  failed: boolean;
  reasons: string[];
}

const grades: readonly Grade[] = ["A", "B", "C", "D", "E", "F"];

/** Parses --fail-under: one grade letter, A to F, in either case. */
export function parseGrade(value: string): Grade {
  const grade = value.trim().toUpperCase();
  if (!(grades as readonly string[]).includes(grade)) throw new InvalidArgumentError(`"${value}" is not a grade. Give one letter from A (best) to F, e.g. --fail-under B.`);
  return grade as Grade;
}

/** Parses --fail-on: comma-separated policy ids. */
export function parsePolicyIds(value: string): PolicyId[] {
  const ids = value
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  const unknown = ids.filter((id) => !(policyIds as readonly string[]).includes(id));
  if (ids.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`"${unknown.join(",") || value}" is not a policy id. The policy ids are ${policyIds.join(", ")}.`);
  }
  return ids as PolicyId[];
}

/**
 * Applies the gates: the image's grade below --fail-under (an ungraded image,
 * whose every weight is 0, is not below), or a --fail-on policy that fails on
 * any platform. A policy with no data does not fail the gate.
 */
export function evaluateGate(score: ImageScore, options: GateOptions): GateResult {
  const reasons: string[] = [];
  if (options.failUnder !== null && score.grade !== null && gradeRank(score.grade) > gradeRank(options.failUnder)) {
    reasons.push(`The grade ${score.grade} is below ${options.failUnder} (--fail-under ${options.failUnder}).`);
  }
  for (const id of options.failOn) {
    const failing = score.platforms.filter((platform) => platform.report.results.some((result) => result.id === id && result.status === "fail"));
    if (failing.length > 0) reasons.push(`The policy ${id} fails on ${failing.map((platform) => platform.report.platform).join(", ")} (--fail-on).`);
  }
  return { failed: reasons.length > 0, reasons };
}
