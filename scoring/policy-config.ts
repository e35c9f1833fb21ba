import { z } from "zod";
import { type PolicyConfig, type PolicyId, policyIds } from "./types";

/** The default weights as configuration version 1. It is frozen, so copy it to change it. */
export const defaultPolicyConfig: PolicyConfig = Object.freeze({
  version: 1,
  policies: Object.freeze({
    "no-fixable-critical-high": Object.freeze({ weight: 20 }),
    "no-high-profile-vulnerabilities": Object.freeze({ weight: 20 }),
    "supply-chain-attestations": Object.freeze({ weight: 15 }),
    "no-unapproved-base-images": Object.freeze({ weight: 15 }),
    "no-outdated-base-images": Object.freeze({ weight: 10 }),
    "default-non-root-user": Object.freeze({ weight: 5 }),
    "no-agpl-v3-licenses": Object.freeze({ weight: 5 }),
  }),
});

/** Shows a rejected value briefly: numbers as written, strings quoted and cut, objects by kind. */
function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

/** Makes a zod error map naming the rule and the rejected value, e.g. "must be … from 0 to 100, not -5". */
const mustBe = (rule: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `is missing; it ${rule}` : `${rule}, not ${showValue(issue.input)}`;

const weightError = mustBe("must be a whole number from 0 to 100 (0 turns the policy off)");
const versionError = mustBe("must be a whole number of at least 1");

const policySettingsSchema = z.strictObject(
  { weight: z.int({ error: weightError }).min(0, { error: weightError }).max(100, { error: weightError }) },
  {
    error: (issue) =>
      issue.input === undefined
        ? "is missing; give every policy a weight (0 turns it off)"
        : `must be an object such as { "weight": 10 }`,
  },
);

/**
 * A policy configuration: a positive version and settings for every policy. Unknown
 * policies and settings are rejected, so a misspelt name cannot silently keep a default.
 */
export const policyConfigSchema = z.strictObject(
  {
    version: z.int({ error: versionError }).min(1, { error: versionError }),
    policies: z.strictObject(
      Object.fromEntries(policyIds.map((id) => [id, policySettingsSchema])) as Record<PolicyId, typeof policySettingsSchema>,
      { error: `must be an object with a setting for each policy: ${policyIds.join(", ")}` },
    ),
  },
  { error: `must be an object such as { "version": 1, "policies": { … } }` },
);

/** One thing wrong with a configuration: the dotted path of the field ("" for the whole) and what is wrong. */
export interface PolicyConfigProblem {
  path: string;
  message: string;
}

/**
 * The error parsePolicyConfig throws. Its message names every bad field and can be shown
 * to the user who sent the configuration, so callers map it to a 400 / INVALID_INPUT.
 * It is not lib/errors' AppError because scoring/ imports none of the server's modules.
 */
export class PolicyConfigError extends Error {
  readonly code = "INVALID_INPUT";
  readonly problems: readonly PolicyConfigProblem[];

  constructor(problems: readonly PolicyConfigProblem[]) {
    const listed = problems.map((problem) => `${problem.path || "the configuration"} ${problem.message}`);
    super(`Invalid policy configuration: ${listed.join("; ")}.`);
    this.name = "PolicyConfigError";
    this.problems = problems;
  }
}

function toProblems(issue: z.core.$ZodIssue): PolicyConfigProblem[] {
  const path = issue.path.map(String).join(".");
  if (issue.code !== "unrecognized_keys") return [{ path, message: issue.message }];
  const kind = path === "policies" ? `policy; the policies are ${policyIds.join(", ")}` : "field";
  return issue.keys.map((key) => ({ path: path === "" ? key : `${path}.${key}`, message: `is not a known ${kind}` }));
}

/**
 * Validates a policy configuration from a settings form, the API or a CLI file.
 * Throws PolicyConfigError whose message names every bad field, e.g.
 * "policies.default-non-root-user.weight must be a whole number from 0 to 100".
 */
export function parsePolicyConfig(input: unknown): PolicyConfig {
  const result = policyConfigSchema.safeParse(input);
  if (!result.success) throw new PolicyConfigError(result.error.issues.flatMap(toProblems));
  return result.data;
}
