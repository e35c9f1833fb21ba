import type { ImageFacts, PolicyId, PolicyResult, PolicySettings } from "../types";

/** What a policy decides; the weight and points are added by scoreImage so the arithmetic lives in one place. */
export type PolicyOutcome = Pick<PolicyResult, "status" | "summary" | "evidence" | "remediation">;

/** The shape every policy module exports. */
export interface Policy {
  id: PolicyId;
  title: string;
  description: string;
  evaluate(facts: ImageFacts, settings: PolicySettings): PolicyOutcome;
}
