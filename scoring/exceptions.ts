/**
 * Organization exceptions: a CVE (or other vulnerability id) suppressed with a reason,
 * an author and an expiry, optionally only for one repository, some tags or some packages.
 */
import picomatch from "picomatch/posix";
import { z } from "zod";
import { compilePackagePatterns } from "./package-url";
import type { VulnerabilityFinding } from "./types";

/** One exception as an organization owner records it. */
export interface VulnerabilityException {
  /** The stored exception's id, used only to break ties between matching exceptions. */
  id: string;
  /** The id to suppress: a CVE id or another id such as a GHSA id, compared without regard to case. */
  vulnerabilityId: string;
  /** An exact repository name ("acme/api"); unset (undefined, null or "") applies to every repository. */
  repository?: string | null;
  /** A glob (picomatch) on tag names ("release-*"); unset applies to every tag. */
  tagPattern?: string | null;
  /**
   * A glob on the package name ("libcurl*") or on its package URL ("pkg:deb/debian/curl",
   * "pkg:npm/@acme/*"), matched as compilePackagePatterns describes; unset applies to every package.
   */
  packagePattern?: string | null;
  reason: string;
  author: string;
  /** ISO 8601; the exception applies up to but not at this instant. Null never expires. */
  expiresAt: string | null;
}

/** The graded image's repository and tags and the grading time, which exceptions are scoped by. */
export interface ExceptionScope {
  /** The repository of the image; null when there is none, e.g. an image scored from a file. */
  repository: string | null;
  /** The tags that point at the image; an exception with a tagPattern needs one of them to match. */
  tags: readonly string[];
  /** The grading time, ISO 8601. */
  now: string;
}

/** An exception with its patterns compiled, ready to test against findings. */
interface CompiledException {
  exception: VulnerabilityException;
  vulnerabilityId: string;
  matchesPackage: ((purl: string, name?: string) => string | null) | null;
  /** Milliseconds since the epoch; Infinity when it never expires. */
  expires: number;
}

/**
 * Returns the findings with `suppressed` set on each one that an exception covers at
 * scope.now. An exception covers a finding when its vulnerabilityId equals the finding's
 * vulnerabilityId or one of its aliases, its repository, tag and package scopes match,
 * and it has not expired. When several cover a finding, the one that lasts longest wins,
 * then the lowest id. A finding that is already suppressed (by a VEX statement, say)
 * keeps its suppression. The inputs are not changed; every finding is a new object.
 *
 * An expired exception, or one whose expiresAt cannot be read, does not apply.
 * Throws RangeError when scope.now is not a readable time.
 */
export function applyExceptions(
  findings: readonly VulnerabilityFinding[],
  exceptions: readonly VulnerabilityException[],
  scope: ExceptionScope,
): VulnerabilityFinding[] {
  const now = Date.parse(scope.now);
  if (Number.isNaN(now)) throw new RangeError(`The exception scope's now must be an ISO 8601 time, not ${JSON.stringify(scope.now)}.`);

  const applicable = exceptions
    .filter((exception) => inScope(exception, scope))
    .map(compile)
    .filter((compiled) => now < compiled.expires)
    .sort(byPrecedence);

  return findings.map((finding) => {
    if (finding.suppressed !== null) return { ...finding };
    const ids = new Set([finding.vulnerabilityId, ...finding.aliases].map((id) => id.toUpperCase()));
    const covering = applicable.find(
      (compiled) =>
        ids.has(compiled.vulnerabilityId) &&
        (compiled.matchesPackage === null || compiled.matchesPackage(finding.purl, finding.packageName) !== null),
    );
    if (covering === undefined) return { ...finding };
    const { reason, expiresAt } = covering.exception;
    return { ...finding, suppressed: { by: "exception", reason, expiresAt } };
  });
}

/** Returns whether the exception's repository and tag scopes include the graded image. */
function inScope(exception: VulnerabilityException, scope: ExceptionScope): boolean {
  if (isSet(exception.repository) && exception.repository !== scope.repository) return false;
  if (isSet(exception.tagPattern)) {
    const isMatch = picomatch(exception.tagPattern, { dot: true });
    if (!scope.tags.some((tag) => isMatch(tag))) return false;
  }
  return true;
}

function compile(exception: VulnerabilityException): CompiledException {
  // NaN (an unreadable expiresAt) fails `now < expires`, so such an exception never applies.
  const expires = exception.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(exception.expiresAt);
  return {
    exception,
    vulnerabilityId: exception.vulnerabilityId.trim().toUpperCase(),
    matchesPackage: isSet(exception.packagePattern) ? compilePackagePatterns([exception.packagePattern]) : null,
    expires,
  };
}

/** Orders exceptions so the first that covers a finding is the one that lasts longest, then the lowest id. */
function byPrecedence(a: CompiledException, b: CompiledException): number {
  if (a.expires !== b.expires) return a.expires > b.expires ? -1 : 1;
  if (a.exception.id === b.exception.id) return 0;
  return a.exception.id < b.exception.id ? -1 : 1;
}

function isSet(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value !== "";
}

/** Makes a zod error message that also reports a missing value, e.g. "is missing; it must be …". */
const mustBe = (rule: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `is missing; it ${rule}` : rule);

const requiredText = (description: string) =>
  z.string({ error: mustBe(`must be ${description}`) }).trim().min(1, { error: `must be ${description}, not empty` });

const optionalPattern = (description: string) =>
  z.string({ error: `must be ${description}, or null for any` }).trim().min(1, { error: `must be ${description}, or null for any` }).nullish();

/**
 * An exception as a settings form or the API sends it. Text fields are trimmed and must
 * not be empty, so an unset scope is null rather than "".
 */
export const vulnerabilityExceptionSchema = z.strictObject(
  {
    id: requiredText("the exception's id"),
    vulnerabilityId: requiredText('a vulnerability id such as "CVE-2024-3094" or "GHSA-jfh8-c2jp-5v3q"').regex(/^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]+$/, {
      error: (issue) => `must be a vulnerability id such as "CVE-2024-3094" or "GHSA-jfh8-c2jp-5v3q", not ${JSON.stringify(issue.input)}`,
    }),
    repository: optionalPattern('a repository name such as "acme/api"'),
    tagPattern: optionalPattern('a tag pattern such as "release-*"'),
    packagePattern: optionalPattern('a package name or package URL pattern such as "pkg:npm/@acme/*"'),
    reason: requiredText("the reason the vulnerability does not apply"),
    author: requiredText("the person who recorded the exception"),
    expiresAt: z.iso
      .datetime({ offset: true, error: mustBe("must be an ISO 8601 time such as 2025-06-30T00:00:00Z, or null to never expire") })
      .nullable(),
  },
  { error: "must be an object with vulnerabilityId, reason, author and expiresAt" },
);
