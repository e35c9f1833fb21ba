import deprecatedLicenseIds from "spdx-license-ids/deprecated.json";
import currentLicenseIds from "spdx-license-ids/index.json";
import { z } from "zod";
import type { SeverityLevel } from "./advisories/severity";
import { imagePatternProblem } from "./image-reference";
import { type PolicyConfig, type PolicyId, policyIds } from "./types";

/** Severity levels a finding can have, worst first. */
export const severityLevels = ["critical", "high", "medium", "low", "none", "unspecified"] as const satisfies readonly SeverityLevel[];

/** Package URL types that the package catalogers write, the values packageTypes accepts. */
export const packageTypes = ["deb", "apk", "rpm", "pypi", "npm", "golang", "maven", "gem", "cargo"] as const;

/**
 * Widely exploited or widely reported CVEs that fail "no-high-profile-vulnerabilities"
 * by default: Heartbleed, Shellshock, Log4Shell (two CVEs), Spring4Shell, the curl SOCKS5
 * heap overflow, HTTP/2 Rapid Reset, the xz backdoor and the four CUPS remote code execution CVEs.
 */
export const defaultHighProfileCves = Object.freeze([
  "CVE-2014-0160",
  "CVE-2014-6271",
  "CVE-2021-44228",
  "CVE-2021-45046",
  "CVE-2022-22965",
  "CVE-2023-38545",
  "CVE-2023-44487",
  "CVE-2024-3094",
  "CVE-2024-47176",
  "CVE-2024-47076",
  "CVE-2024-47175",
  "CVE-2024-47177",
]);

/** The AGPL license ids, current and deprecated, that fail "no-agpl-v3-licenses" by default. */
export const defaultAgplLicenses = Object.freeze([
  "AGPL-1.0",
  "AGPL-1.0-only",
  "AGPL-1.0-or-later",
  "AGPL-3.0",
  "AGPL-3.0-only",
  "AGPL-3.0-or-later",
]);

/** The default weights and options as configuration version 1. It is frozen, so copy it to change it. */
export const defaultPolicyConfig: PolicyConfig = Object.freeze({
  version: 1,
  policies: Object.freeze({
    "no-fixable-critical-high": Object.freeze({
      weight: 20,
      severities: Object.freeze(["critical", "high"] as const),
      fixableOnly: true,
      graceDays: 0,
      packageTypes: null,
    }),
    "no-high-profile-vulnerabilities": Object.freeze({
      weight: 20,
      cves: defaultHighProfileCves,
      knownExploited: true,
      excludedCves: Object.freeze([]),
    }),
    "supply-chain-attestations": Object.freeze({ weight: 15 }),
    "no-unapproved-base-images": Object.freeze({ weight: 15, approvedPatterns: Object.freeze(["*"]), failEndOfLife: true }),
    "no-outdated-base-images": Object.freeze({ weight: 10 }),
    "default-non-root-user": Object.freeze({ weight: 5 }),
    "no-agpl-v3-licenses": Object.freeze({ weight: 5, licenses: defaultAgplLicenses, allowedPackages: Object.freeze([]) }),
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

/** The maximum grace period, ten years, so that a typo such as 36500 is caught. */
const maxGraceDays = 3650;
const graceDaysError = mustBe(`must be a whole number of days from 0 to ${maxGraceDays} (0 means no grace period)`);
const booleanError = mustBe("must be true or false");

const cveIdPattern = /^CVE-\d{4}-\d{4,}$/;

/** Lower-cased SPDX id to its canonical spelling, to suggest the right case for a misspelt id. */
const canonicalLicenseIds = new Map<string, string>([...currentLicenseIds, ...deprecatedLicenseIds].map((id) => [id.toLowerCase(), id]));

const weightSchema = z.int({ error: weightError }).min(0, { error: weightError }).max(100, { error: weightError });

/**
 * Builds a list option: an array whose items each pass `item`, with a fresh copy of the
 * default when omitted. With `emptyError`, an empty list is rejected with that message.
 */
const listOption = <T extends z.ZodType>(item: T, example: string, fallback: () => z.output<T>[], emptyError?: string) => {
  const list = z.array(item, { error: mustBe(`must be a list such as ${example}`) });
  return (emptyError === undefined ? list : list.min(1, { error: emptyError })).default(fallback);
};

const cveIdSchema = z
  .string({ error: mustBe('must be a CVE id such as "CVE-2021-44228"') })
  .regex(cveIdPattern, {
    error: (issue) =>
      typeof issue.input === "string" && cveIdPattern.test(issue.input.trim().toUpperCase())
        ? `must be written ${JSON.stringify(issue.input.trim().toUpperCase())}, not ${showValue(issue.input)}`
        : `must be a CVE id such as "CVE-2021-44228", not ${showValue(issue.input)}`,
  });

const licenseIdSchema = z
  .string({ error: mustBe('must be an SPDX license id such as "AGPL-3.0-only"') })
  .refine((id) => canonicalLicenseIds.get(id.toLowerCase()) === id || /^LicenseRef-[A-Za-z0-9.-]+$/.test(id), {
    error: (issue) => {
      const input = typeof issue.input === "string" ? issue.input : "";
      const suggestion = canonicalLicenseIds.get(input.toLowerCase()) ?? plusSuggestion(input);
      const rule = "must be an SPDX license id (https://spdx.org/licenses/) or a LicenseRef-";
      return suggestion === null ? `${rule}, not ${showValue(issue.input)}` : `${rule}: write ${JSON.stringify(suggestion)}, not ${showValue(issue.input)}`;
    },
  });

/** Suggests the "-or-later" id for a "+" form such as "AGPL-3.0+", which is an expression rather than an id. */
function plusSuggestion(input: string): string | null {
  if (!input.endsWith("+")) return null;
  const orLater = canonicalLicenseIds.get(`${input.slice(0, -1).toLowerCase()}-or-later`);
  return orLater ?? null;
}

const purlPatternSchema = z
  .string({ error: mustBe('must be a package URL pattern such as "pkg:npm/@acme/*"') })
  .regex(/^pkg:[A-Za-z*?[{]/, {
    error: (issue) => `must be a package URL pattern starting with "pkg:", such as "pkg:npm/@acme/*", not ${showValue(issue.input)}`,
  });

const imagePatternExample = '"docker.io/library/node:*-slim"';

const imagePatternSchema = z
  .string({ error: mustBe(`must be an image pattern such as ${imagePatternExample}`) })
  .refine((pattern) => imagePatternProblem(pattern) === null, {
    error: (issue) => {
      const pattern = typeof issue.input === "string" ? issue.input : "";
      return `must be an image pattern such as ${imagePatternExample}, not ${JSON.stringify(pattern)}: ${imagePatternProblem(pattern)}`;
    },
  });

const settingsError = (issue: { input?: unknown }) =>
  issue.input === undefined ? "is missing; give every policy a weight (0 turns it off)" : `must be an object such as { "weight": 10 }`;

const weightOnlySettingsSchema = z.strictObject({ weight: weightSchema }, { error: settingsError });

const noFixableCriticalHighSchema = z.strictObject(
  {
    weight: weightSchema,
    severities: listOption(
      z.enum(severityLevels, { error: mustBe(`must be one of ${severityLevels.join(", ")}`) }),
      '["critical", "high"]',
      (): SeverityLevel[] => ["critical", "high"],
      "must list at least one severity; to turn the policy off, set its weight to 0",
    ),
    fixableOnly: z.boolean({ error: booleanError }).default(true),
    graceDays: z.int({ error: graceDaysError }).min(0, { error: graceDaysError }).max(maxGraceDays, { error: graceDaysError }).default(0),
    packageTypes: z
      .array(z.enum(packageTypes, { error: mustBe(`must be one of ${packageTypes.join(", ")}`) }), {
        error: mustBe('must be null (every package type) or a list such as ["deb", "npm"]'),
      })
      .min(1, { error: "must list at least one package type, or be null to check every type" })
      .nullable()
      .default(null),
  },
  { error: settingsError },
);

const noHighProfileVulnerabilitiesSchema = z
  .strictObject(
    {
      weight: weightSchema,
      cves: listOption(cveIdSchema, '["CVE-2021-44228"]', () => [...defaultHighProfileCves]),
      knownExploited: z.boolean({ error: booleanError }).default(true),
      excludedCves: listOption(cveIdSchema, '["CVE-2023-44487"]', () => []),
    },
    { error: settingsError },
  )
  .refine((settings) => settings.cves.length > 0 || settings.knownExploited, {
    // With neither a CVE list nor the KEV catalog the policy would pass every image.
    error: "is empty while knownExploited is false, so the policy could never fail; list CVEs, set knownExploited to true, or set the weight to 0",
    path: ["cves"],
  });

const noAgplV3LicensesSchema = z.strictObject(
  {
    weight: weightSchema,
    licenses: listOption(
      licenseIdSchema,
      '["AGPL-3.0-only"]',
      () => [...defaultAgplLicenses],
      "must list at least one license; to turn the policy off, set its weight to 0",
    ),
    allowedPackages: listOption(purlPatternSchema, '["pkg:npm/@acme/*"]', () => []),
  },
  { error: settingsError },
);

const noUnapprovedBaseImagesSchema = z.strictObject(
  {
    weight: weightSchema,
    approvedPatterns: listOption(
      imagePatternSchema,
      `[${imagePatternExample}]`,
      () => ["*"],
      'must list at least one pattern; write ["*"] to approve every base image, or set the weight to 0 to turn the policy off',
    ),
    failEndOfLife: z.boolean({ error: booleanError }).default(true),
  },
  { error: settingsError },
);

/** The settings schema of each policy; policies without options take only a weight. */
const policySettingsSchemas = {
  "no-fixable-critical-high": noFixableCriticalHighSchema,
  "no-high-profile-vulnerabilities": noHighProfileVulnerabilitiesSchema,
  "supply-chain-attestations": weightOnlySettingsSchema,
  "no-unapproved-base-images": noUnapprovedBaseImagesSchema,
  "no-outdated-base-images": weightOnlySettingsSchema,
  "default-non-root-user": weightOnlySettingsSchema,
  "no-agpl-v3-licenses": noAgplV3LicensesSchema,
} satisfies Record<PolicyId, z.ZodType>;

/**
 * A policy configuration: a positive version and settings for every policy. Unknown
 * policies and settings are rejected, so a misspelt name cannot silently keep a default.
 * Omitted options take their defaults, so a configuration of weights alone stays valid.
 */
export const policyConfigSchema = z.strictObject(
  {
    version: z.int({ error: versionError }).min(1, { error: versionError }),
    policies: z.strictObject(policySettingsSchemas, {
      error: `must be an object with a setting for each policy: ${policyIds.join(", ")}`,
    }),
  },
  { error: `must be an object such as { "version": 1, "policies": { … } }` },
).refine((config) => Object.values(config.policies).some((settings) => settings.weight > 0), {
  path: ["policies"],
  error: "must give at least one policy a weight above 0, because with every weight at 0 no image could be graded",
});

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
