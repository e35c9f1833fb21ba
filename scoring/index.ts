/**
 * Shipshape's grading library: given facts about one platform image and a policy
 * configuration, it returns a score report. It does no I/O and imports no server
 * modules, so the server, the worker and the CLI grade identically.
 */
export type {
  AnalysisFact,
  BaseImageFact,
  Evidence,
  Grade,
  ImageFacts,
  OsFact,
  PackageFact,
  PolicyConfig,
  PolicyId,
  PolicyResult,
  PolicySettings,
  PolicyStatus,
  ScoreReport,
  VulnerabilityFinding,
} from "./types";
export { policyIds } from "./types";
export { badgeColor, describeScore, gradeForPercent, gradeRank, worstGrade } from "./grade";
export {
  defaultPolicyConfig,
  parsePolicyConfig,
  PolicyConfigError,
  type PolicyConfigProblem,
  policyConfigSchema,
} from "./policy-config";
export { engineVersion, scoreImage } from "./score-image";
/** Every policy's id, title and description (and its rule), e.g. for the settings page. */
export { type Policy, policies } from "./policies";
