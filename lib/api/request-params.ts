import { pathComponent, tagPattern } from "@/lib/data/route-params";
import { AppError } from "@/lib/errors";

/** Reads one query parameter's text into a value, or throws INVALID_INPUT naming the parameter. */
export type ParamReader<T> = (value: string, name: string) => T;

type ReadValues<R extends Record<string, ParamReader<unknown>>> = { [K in keyof R]?: ReturnType<R[K]> };

/**
 * Reads a request's query parameters with one reader each. An unknown
 * parameter, a parameter given twice or an invalid value throws INVALID_INPUT
 * naming the parameter, so a typo in a script fails instead of silently
 * returning unfiltered data. Empty values count as absent.
 */
export function readQueryParams<R extends Record<string, ParamReader<unknown>>>(searchParams: URLSearchParams, readers: R): ReadValues<R> {
  const values: Record<string, unknown> = {};
  const accepted = Object.keys(readers);
  for (const name of new Set(searchParams.keys())) {
    if (!Object.hasOwn(readers, name)) {
      const known = accepted.length === 0 ? "This endpoint takes no query parameters." : `This endpoint accepts ${accepted.map((key) => `"${key}"`).join(", ")}.`;
      throw invalid(`The query parameter "${name}" is not supported. ${known}`);
    }
    const occurrences = searchParams.getAll(name);
    if (occurrences.length > 1) throw invalid(`The query parameter "${name}" was given ${occurrences.length} times. Give it once.`);
    const text = occurrences[0]!.trim();
    if (text !== "") values[name] = readers[name]!(text, name);
  }
  return values as ReadValues<R>;
}

/** Reads one of a fixed list of values. */
export function oneOf<const T extends string>(accepted: readonly T[]): ParamReader<T> {
  return (value, name) => {
    const match = accepted.find((candidate) => candidate === value);
    if (match === undefined) throw invalid(`The query parameter "${name}" has the invalid value "${value}". Use ${accepted.join(", ")}.`);
    return match;
  };
}

/** Reads a comma-separated list of values from a fixed list, ignoring case, in the list's order and without repeats. */
export function listOf<const T extends string>(accepted: readonly T[]): ParamReader<T[]> {
  return (value, name) => {
    const chosen = new Set<T>();
    for (const entry of value.split(",")) {
      const text = entry.trim();
      const match = accepted.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
      if (match === undefined) throw invalid(`The query parameter "${name}" has the invalid value "${text}". Use ${accepted.join(", ")}, separated by commas.`);
      chosen.add(match);
    }
    return accepted.filter((candidate) => chosen.has(candidate));
  };
}

/** Reads a page number: a whole number from 1. */
export const pageNumber: ParamReader<number> = (value, name) => {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw invalid(`The query parameter "${name}" has the invalid value "${value}". Give a whole number from 1.`);
  return Number(value);
};

/** Reads free text of at most `maxLength` characters. */
export function text(maxLength: number): ParamReader<string> {
  return (value, name) => {
    if (value.length > maxLength) throw invalid(`The query parameter "${name}" is ${value.length} characters long, and the maximum is ${maxLength}. Shorten it.`);
    return value;
  };
}

/** Reads a boolean written as true/false or 1/0. */
export const flag: ParamReader<boolean> = (value, name) => {
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw invalid(`The query parameter "${name}" has the invalid value "${value}". Use true or false.`);
};

/** Reads a platform image digest, `sha256:` and 64 lowercase hex digits. */
export const imageDigest: ParamReader<string> = (value, name) => {
  if (!/^sha256:[0-9a-f]{64}$/.test(value)) throw invalid(`The query parameter "${name}" has the invalid value "${value}". Give a platform image digest such as sha256:3f2a… (64 hex digits), as the report endpoint lists them.`);
  return value;
};

/** Decodes and checks the organization, repository and tag segments of an API path, throwing INVALID_INPUT naming the bad one. */
export function readPathParams<P extends { org?: string; repo?: string; tag?: string }>(params: P): { [K in keyof P]: string } {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(params) as [string, string][]) {
    const value = decodeSegment(raw, name);
    const isValid = pathParamValidators[name] ?? ((text: string) => pathComponent.test(text));
    if (!isValid(value)) throw invalid(`The ${pathParamWords[name] ?? name} "${value}" in the URL is not valid. ${pathParamFixes[name] ?? ""}`.trim());
    result[name] = value;
  }
  return result as { [K in keyof P]: string };
}

const pathParamValidators: Record<string, (value: string) => boolean> = {
  org: (value) => pathComponent.test(value),
  repo: isRepositoryName,
  tag: (value) => tagPattern.test(value),
};

const pathParamWords: Record<string, string> = { org: "organization name", repo: "repository name", tag: "tag" };

const pathParamFixes: Record<string, string> = {
  org: "Use the first component of the repository name: lowercase letters and digits, separated by '.', '_', '__' or dashes.",
  repo: "Use the repository name without the organization, with '/' written as %2F: lowercase letters and digits, separated by '.', '_', '__' or dashes.",
  tag: "Use a tag of up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.",
};

function isRepositoryName(value: string): boolean {
  return value.length <= 255 && value.split("/").every((component) => pathComponent.test(component));
}

function decodeSegment(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalid(`The ${pathParamWords[name] ?? name} "${value}" in the URL is not valid percent-encoding. Encode it with encodeURIComponent.`);
  }
}

function invalid(message: string): AppError {
  return new AppError("INVALID_INPUT", message);
}
