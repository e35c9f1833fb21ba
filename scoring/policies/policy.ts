import type { ImageFacts, PolicyId, PolicyResult, PolicySettingsById } from "../types";

/** What a policy decides; the weight and points are added by scoreImage so the arithmetic lives in one place. */
export type PolicyOutcome = Pick<PolicyResult, "status" | "summary" | "evidence" | "remediation">;

/**
 * The shape every policy module exports. A policy with options names its id, e.g.
 * Policy<"no-agpl-v3-licenses">, so evaluate receives that policy's settings type.
 */
export interface Policy<Id extends PolicyId = PolicyId> {
  id: Id;
  title: string;
  description: string;
  evaluate(facts: ImageFacts, settings: PolicySettingsById[Id]): PolicyOutcome;
}
