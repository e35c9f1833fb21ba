import { gradeForPercent } from "./grade";
import { policies } from "./policies";
import { defaultPolicyConfig } from "./policy-config";
import { type ImageFacts, type PolicyConfig, type PolicyResult, policyIds, type ScoreReport } from "./types";

/**
 * The version of the rules, stored in every report. Change it whenever a policy's
 * decision or the grade arithmetic changes, so that older reports can be recognised.
 */
export const engineVersion = "4";

/**
 * Grades one platform image by evaluating each policy whose weight is above 0.
 * A pass earns the weight. A fail or no-data earns 0 and still counts in what was possible.
 */
export function scoreImage(
  facts: ImageFacts,
  config: PolicyConfig = defaultPolicyConfig,
  options: { advisorySnapshot?: string | null } = {},
): ScoreReport {
  const results: PolicyResult[] = [];
  for (const id of policyIds) {
    // A configuration built before a policy had options carries only its weight; the defaults fill the rest.
    const settings = { ...defaultPolicyConfig.policies[id], ...config.policies[id] };
    if (settings.weight === 0) continue;
    const { title, description, evaluate } = policies[id];
    const outcome = evaluate(facts, settings);
    const points = outcome.status === "pass" ? settings.weight : 0;
    results.push({ id, title, description, ...outcome, weight: settings.weight, points });
  }
  const earned = results.reduce((sum, result) => sum + result.points, 0);
  const possible = results.reduce((sum, result) => sum + result.weight, 0);
  // Multiplying first keeps whole percents exact (11 / 20 * 100 is 55.00000000000001; 1100 / 20 is 55),
  // so a score that lands on a grade boundary stays on it.
  const percent = possible === 0 ? null : (earned * 100) / possible;
  return {
    engineVersion,
    digest: facts.digest,
    platform: facts.platform,
    policyConfigVersion: config.version,
    advisorySnapshot: options.advisorySnapshot ?? null,
    earned,
    possible,
    percent,
    grade: percent === null ? null : gradeForPercent(percent),
    results,
  };
}
