/**
 * Shipshape's grading library: given facts about one platform image and a policy
 * configuration, it returns a score report. It does no I/O and imports no server
 * modules, so the server, the worker and the CLI grade identically.
 */
export type {
  AnalysisFact,
  BaseImageFact,
  BaseTagResolution,
  Evidence,
  Grade,
  ImageFacts,
  NoAgplV3LicensesSettings,
  NoFixableCriticalHighSettings,
  NoHighProfileVulnerabilitiesSettings,
  NoUnapprovedBaseImagesSettings,
  OsFact,
  PackageFact,
  PolicyConfig,
  PolicyId,
  PolicyResult,
  PolicySettings,
  PolicySettingsById,
  PolicyStatus,
  ScoreReport,
  VulnerabilityFinding,
} from "./types";
export { policyIds } from "./types";
export { badgeColor, describeScore, gradeForPercent, gradeRank, worstGrade } from "./grade";
export {
  defaultAgplLicenses,
  defaultHighProfileCves,
  defaultPolicyConfig,
  packageTypes,
  parsePolicyConfig,
  PolicyConfigError,
  type PolicyConfigProblem,
  policyConfigSchema,
  severityLevels,
} from "./policy-config";
export { applyExceptions, type ExceptionScope, type VulnerabilityException, vulnerabilityExceptionSchema } from "./exceptions";
export {
  applyVex,
  parseOpenVex,
  type ParseOpenVexResult,
  type VexJustification,
  vexJustifications,
  type VexProblem,
  type VexProduct,
  type VexStatement,
  type VexStatus,
  vexStatuses,
} from "./openvex";
export { engineVersion, scoreImage } from "./score-image";
export { type BaseTagCandidate, type BaseTagSuggestion, type Fix, findingKey, fixPlan, type FixPlanOptions, type LayerOrigin, type PackageUpgrade } from "./fix-plan";
export {
  formatImageReference,
  type ImagePattern,
  imagePatternProblem,
  type ImageReference,
  ImageReferenceError,
  matchesImagePattern,
  normalizeImageReference,
  parseImagePattern,
  parseImageReference,
} from "./image-reference";
/** Every policy's id, title and description (and its rule), e.g. for the settings page. */
export { type Policy, policies } from "./policies";
