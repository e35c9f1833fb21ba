import { defaultPolicyConfig, packageTypes, parsePolicyConfig, PolicyConfigError, policies, policyIds, severityLevels, type PolicyConfig, type PolicyId } from "@/scoring";
import { controlCharacterProblem } from "@/lib/data/settings/form-text";

// The policies settings form: which inputs each policy option gets, how the
// posted values become a candidate configuration, and how the problems that
// parsePolicyConfig reports are placed next to the inputs. Inputs are named
// "<policy id>.<option>", such as "default-non-root-user.weight".

/** The maximum number of entries of a list input, so a pasted file cannot bloat the stored configuration. */
export const MAX_LIST_ENTRIES = 1000;

/**
 * The kind of an input. "integer" is a whole-number text box, "boolean" a
 * checkbox, "choices" a group of checkboxes over a closed set, "lines" a
 * textarea with one value per line. A "choices" input with `emptyMeans` stores
 * an empty selection as null, which the option reads as `emptyMeans`.
 */
type InputKind =
  | { kind: "integer"; min: number; max: number }
  | { kind: "boolean" }
  | { kind: "choices"; choices: readonly string[]; emptyMeans: string | null }
  | { kind: "lines"; placeholder: string };

/** One option's input as written in the table below. */
type FieldSpec = { option: string; label: string; help: string } & InputKind;

/** One input of the form. Plain data, so the page can pass it to the client component. */
export type PolicyField = FieldSpec & {
  /** The input's name: "<policy id>.<option>". */
  name: string;
  policyId: PolicyId;
};

/** The inputs of one policy. */
export interface PolicyFieldGroup {
  policyId: PolicyId;
  title: string;
  description: string;
  fields: PolicyField[];
}

/** The form's values as the browser posts them: text for text boxes and checkboxes ("on" when checked), lists for checkbox groups. */
export type PolicyFormValues = Record<string, string | string[]>;

/** Messages per input name, and messages that belong to no single input. */
export interface PolicyFormProblems {
  fieldErrors: Record<string, string[]>;
  formErrors: string[];
}

const weightSpec: FieldSpec = { option: "weight", kind: "integer", min: 0, max: 100, label: "Weight", help: "Points the policy is worth, from 0 to 100. 0 turns the policy off." };

/** The options of each policy beyond its weight. Every option of defaultPolicyConfig needs an entry; a test checks this. */
const optionSpecs: Record<PolicyId, FieldSpec[]> = {
  "no-fixable-critical-high": [
    {
      option: "severities",
      kind: "choices",
      choices: severityLevels,
      emptyMeans: null,
      label: "Severities that fail",
      help: "A vulnerability of a checked severity fails the policy.",
    },
    {
      option: "fixableOnly",
      kind: "boolean",
      label: "Count only vulnerabilities that have a fix",
      help: "When unchecked, vulnerabilities without a fixed version fail the policy too.",
    },
    {
      option: "graceDays",
      kind: "integer",
      min: 0,
      max: 3650,
      label: "Grace period in days",
      help: "Days after an advisory is published before its vulnerability counts, from 0 to 3650. 0 means no grace period.",
    },
    {
      option: "packageTypes",
      kind: "choices",
      choices: packageTypes,
      emptyMeans: "every package type",
      label: "Package types to check",
      help: "Leave every box unchecked to check every package type.",
    },
  ],
  "no-high-profile-vulnerabilities": [
    {
      option: "cves",
      kind: "lines",
      placeholder: "CVE-2021-44228",
      label: "High-profile CVEs",
      help: "One CVE id per line. A package affected by one of them fails the policy, whether a fix exists or not.",
    },
    {
      option: "knownExploited",
      kind: "boolean",
      label: "Fail on every CVE in CISA's Known Exploited Vulnerabilities (KEV) catalog",
      help: "When checked, a CVE in the imported KEV catalog fails the policy as if it were listed above.",
    },
    {
      option: "excludedCves",
      kind: "lines",
      placeholder: "CVE-2023-44487",
      label: "Excluded CVEs",
      help: "One CVE id per line. These never fail the policy, even when listed above or in KEV.",
    },
  ],
  "supply-chain-attestations": [],
  "no-unapproved-base-images": [
    {
      option: "approvedPatterns",
      kind: "lines",
      placeholder: "docker.io/library/node:*-slim",
      label: "Approved base images",
      help: "One pattern per line on the full base image reference, such as docker.io/library/node:*-slim; write Docker Hub images with docker.io/. A * matches any run of characters, a pattern without a tag matches every tag, and * alone approves every base image.",
    },
    {
      option: "failEndOfLife",
      kind: "boolean",
      label: "Fail images whose distribution release is end-of-life",
      help: "When checked, an image on a release past its end-of-life date fails the policy, whatever its base image.",
    },
  ],
  "no-outdated-base-images": [],
  "default-non-root-user": [],
  "no-agpl-v3-licenses": [
    {
      option: "licenses",
      kind: "lines",
      placeholder: "AGPL-3.0-only",
      label: "Licenses that fail",
      help: "One SPDX license id per line. A package whose license expression requires one of them fails the policy.",
    },
    {
      option: "allowedPackages",
      kind: "lines",
      placeholder: "pkg:npm/@acme/*",
      label: "Allowed packages",
      help: "One package URL pattern per line, with * and ? as wildcards. Matching packages are not checked.",
    },
  ],
};

/** The order of the policies on the page: approved base images first, as owners change them most; then the scoring library's order. */
const pageOrder: PolicyId[] = ["no-unapproved-base-images", ...policyIds.filter((id) => id !== "no-unapproved-base-images")];

/** Every policy with its inputs: the weight first, then its options. */
export const policyFieldGroups: PolicyFieldGroup[] = pageOrder.map((policyId) => ({
  policyId,
  title: policies[policyId].title,
  description: policies[policyId].description,
  fields: [weightSpec, ...optionSpecs[policyId]].map((spec): PolicyField => ({ ...spec, policyId, name: `${policyId}.${spec.option}` })),
}));

const fieldsByName = new Map(policyFieldGroups.flatMap((group) => group.fields.map((field) => [field.name, field] as const)));

/** Reads the form's inputs from posted form data; inputs that are absent (unchecked boxes) come out empty. */
export function policyFormValuesFrom(form: FormData): PolicyFormValues {
  const values: PolicyFormValues = {};
  for (const field of fieldsByName.values()) {
    if (field.kind === "choices") {
      values[field.name] = form.getAll(field.name).filter((value): value is string => typeof value === "string");
    } else {
      const value = form.get(field.name);
      values[field.name] = typeof value === "string" ? value : "";
    }
  }
  return values;
}

/** Writes a configuration as the form's values, the inverse of candidateConfig. */
export function policyFormValuesOf(config: PolicyConfig): PolicyFormValues {
  const values: PolicyFormValues = {};
  for (const field of fieldsByName.values()) {
    const settings: Record<string, unknown> = { ...defaultPolicyConfig.policies[field.policyId], ...config.policies[field.policyId] };
    const value = settings[field.option];
    switch (field.kind) {
      case "integer":
        values[field.name] = typeof value === "number" ? String(value) : "";
        break;
      case "boolean":
        values[field.name] = value === true ? "on" : "";
        break;
      case "choices":
        values[field.name] = Array.isArray(value) ? value.map(String) : [];
        break;
      case "lines":
        values[field.name] = Array.isArray(value) ? value.map(String).join("\n") : "";
        break;
    }
  }
  return values;
}

/** Splits a list input into its entries with the line each came from, skipping blank lines. */
function entriesOf(text: string): { value: string; line: number }[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((value, index) => ({ value: value.trim(), line: index + 1 }))
    .filter((entry) => entry.value !== "");
}

const numberPattern = /^[+-]?\d+(?:\.\d+)?$/;

function textOf(value: string | string[] | undefined): string {
  if (Array.isArray(value)) return value[0] ?? "";
  return value ?? "";
}

/**
 * Turns one input's value into the option's value. A number that is not
 * whole, or text that is no number, is passed on as it is, so that
 * parsePolicyConfig rejects it with a message that names it.
 */
function optionValue(field: PolicyField, raw: string | string[] | undefined): unknown {
  switch (field.kind) {
    case "integer": {
      const text = textOf(raw).trim();
      if (text === "") return undefined;
      return numberPattern.test(text) ? Number(text) : text;
    }
    case "boolean":
      return textOf(raw) === "on" || textOf(raw) === "true";
    case "choices": {
      let chosen: string[] = [];
      if (Array.isArray(raw)) chosen = raw;
      else if (raw) chosen = [raw];
      return chosen.length === 0 && field.emptyMeans !== null ? null : chosen;
    }
    case "lines":
      return entriesOf(textOf(raw)).map((entry) => entry.value);
  }
}

/** Ends a message with a full stop unless it has one. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function addProblem(problems: PolicyFormProblems, name: string, message: string): void {
  (problems.fieldErrors[name] ??= []).push(sentence(message));
}

/**
 * Places a problem from parsePolicyConfig next to its input. A path such as
 * "policies.no-high-profile-vulnerabilities.cves.2" names the third entry of
 * a list, which is reported with the line the owner typed it on.
 */
function placeProblem(problems: PolicyFormProblems, path: string, message: string, values: PolicyFormValues): void {
  const [root, policyId, option, index] = path.split(".");
  const field = root === "policies" && policyId && option ? fieldsByName.get(`${policyId}.${option}`) : undefined;
  if (field === undefined) {
    problems.formErrors.push(sentence(`${path === "" || path === "policies" ? "The configuration" : path} ${message}`));
    return;
  }
  if (index !== undefined && field.kind === "lines") {
    const entry = entriesOf(textOf(values[field.name]))[Number(index)];
    addProblem(problems, field.name, `Line ${entry?.line ?? Number(index) + 1} ${message}`);
    return;
  }
  if (index !== undefined) {
    addProblem(problems, field.name, `Choice ${showChoice(values[field.name], Number(index))} ${message}`);
    return;
  }
  addProblem(problems, field.name, `${field.label} ${message}`);
}

function showChoice(value: string | string[] | undefined, index: number): string {
  const chosen = Array.isArray(value) ? value[index] : value;
  return JSON.stringify(chosen ?? "");
}

/**
 * Builds the configuration the form describes: the base configuration with
 * every input's option replaced, as version `version`. Options the form has no
 * input for keep the base's values. Returns every problem at once, each placed
 * next to its input, when parsePolicyConfig rejects the result.
 */
export function candidateConfig(
  values: PolicyFormValues,
  base: PolicyConfig,
  version: number,
): { success: true; config: PolicyConfig } | ({ success: false } & PolicyFormProblems) {
  const problems: PolicyFormProblems = { fieldErrors: {}, formErrors: [] };
  const settingsById: Record<string, Record<string, unknown>> = {};
  for (const group of policyFieldGroups) {
    const settings: Record<string, unknown> = { ...defaultPolicyConfig.policies[group.policyId], ...base.policies[group.policyId] };
    for (const field of group.fields) {
      const control = [values[field.name] ?? []].flat().map((text) => controlCharacterProblem(field.label, text)).find((problem) => problem !== null);
      if (control !== undefined) addProblem(problems, field.name, control);
      settings[field.option] = optionValue(field, values[field.name]);
      if (field.kind === "lines") {
        const count = entriesOf(textOf(values[field.name])).length;
        if (count > MAX_LIST_ENTRIES) {
          addProblem(problems, field.name, `${field.label} has ${count.toLocaleString("en-US")} lines, but the limit is ${MAX_LIST_ENTRIES.toLocaleString("en-US")}. Remove some, one value per line`);
        }
      }
    }
    settingsById[group.policyId] = settings;
  }

  try {
    const config = parsePolicyConfig({ version, policies: settingsById });
    if (Object.keys(problems.fieldErrors).length > 0) return { success: false, ...problems };
    return { success: true, config };
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    for (const problem of error.problems) placeProblem(problems, problem.path, problem.message, values);
    return { success: false, ...problems };
  }
}

/** One option whose value differs between two configurations. */
export interface OptionChange {
  /** The input's name, "<policy id>.<option>". */
  option: string;
  /** "Default non-root user: Weight". */
  label: string;
  from: unknown;
  to: unknown;
}

/** Lists the options whose values differ, in the form's order; options the form has no input for come last. */
export function changedOptions(before: PolicyConfig, after: PolicyConfig): OptionChange[] {
  const changes: OptionChange[] = [];
  for (const group of policyFieldGroups) {
    const from: Record<string, unknown> = { ...defaultPolicyConfig.policies[group.policyId], ...before.policies[group.policyId] };
    const to: Record<string, unknown> = { ...defaultPolicyConfig.policies[group.policyId], ...after.policies[group.policyId] };
    const known = group.fields.map((field) => field.option);
    const others = [...new Set([...Object.keys(from), ...Object.keys(to)])].filter((option) => !known.includes(option)).sort();
    for (const option of [...known, ...others]) {
      if (JSON.stringify(from[option] ?? null) === JSON.stringify(to[option] ?? null)) continue;
      const label = fieldsByName.get(`${group.policyId}.${option}`)?.label ?? option;
      changes.push({ option: `${group.policyId}.${option}`, label: `${group.title}: ${label}`, from: from[option] ?? null, to: to[option] ?? null });
    }
  }
  return changes;
}

/** Writes an option's value for people: lists comma-separated, booleans as on or off. */
export function describeOptionValue(option: string, value: unknown): string {
  const field = fieldsByName.get(option);
  if (value === null) return field?.kind === "choices" && field.emptyMeans !== null ? field.emptyMeans : "none";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(String).join(", ");
  return String(value);
}
