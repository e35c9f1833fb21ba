import { type ImagePattern, ImageReferenceError, matchesImagePattern, parseImagePattern } from "../image-reference";
import type { Evidence, ImageFacts, OsFact } from "../types";
import { baseImageEvidence, isScratch, type KnownBaseImage, readBaseReference, unknownBaseOutcome, unknownBaseRemediation } from "./base-image-evidence";
import type { Policy, PolicyOutcome } from "./policy";

/** Patterns a summary or remediation names before it counts the rest. */
const maxListedPatterns = 5;

/** The end-of-life check of the image's distribution release. */
type ReleaseCheck =
  | { status: "off" }
  /** `reason` completes "the end-of-life check was skipped because …". */
  | { status: "skipped"; reason: string }
  | { status: "supported" | "end-of-life"; release: string; endOfLife: string };

/** The pattern check of the base image, or the no-data outcome when it cannot be made. */
type BaseCheck =
  | { status: "approved"; displayName: string; pattern: string }
  | { status: "unapproved"; displayName: string }
  | { status: "undecided"; outcome: PolicyOutcome };

export const noUnapprovedBaseImages: Policy<"no-unapproved-base-images"> = {
  id: "no-unapproved-base-images",
  title: "No unapproved base images",
  description:
    "Fails when the base image matches none of the approved patterns, or its distribution release is end-of-life.",
  evaluate(facts, settings) {
    const { patterns, invalid } = compilePatterns(settings.approvedPatterns);
    const release: ReleaseCheck = settings.failEndOfLife ? checkRelease(facts) : { status: "off" };
    const base = checkBase(facts.baseImage, patterns);
    const written = patterns.map((pattern) => pattern.pattern);
    const listed = listPatterns(written, "and");
    const invalidEvidence = invalid.map(({ pattern, problem }) => ({ label: "Ignored pattern", value: `${JSON.stringify(pattern)}: ${problem}` }));

    const endOfLife = release.status === "end-of-life";
    if (base.status === "approved" && !endOfLife) {
      return {
        status: "pass",
        summary: `The base image ${base.displayName} matches the approved pattern ${JSON.stringify(base.pattern)}${releaseClause(release)}`,
        evidence: [...baseImageEvidence(facts.baseImage), ...patternEvidence(base, listed), ...releaseEvidence(release), ...invalidEvidence],
        remediation: null,
      };
    }
    if (base.status === "undecided" && !endOfLife) {
      const known = release.status === "supported" ? releaseEvidence(release) : [];
      return { ...base.outcome, evidence: [...base.outcome.evidence, ...known, ...invalidEvidence] };
    }

    // The base image is unapproved, or the release is end-of-life. An end-of-life release fails
    // the policy whatever the result of the pattern check, so an unknown base image does not hide it.
    const problems: string[] = [];
    const fixes: string[] = [];
    if (base.status === "unapproved") {
      problems.push(`The base image ${base.displayName} matches none of the approved patterns (${listed}).`);
      fixes.push(
        `Rebuild on an approved base image by changing the final stage's \`FROM\` line to an image that matches ${listPatterns(written, "or")}, or ask an organization owner to approve ${base.displayName}.`,
      );
    }
    if (release.status === "end-of-life") {
      problems.push(`The image's distribution release, ${release.release}, reached end of life on ${release.endOfLife}.`);
      fixes.push(
        `Rebuild on a base image whose distribution release is still supported, such as a newer tag of the same base image; ${release.release} reached end of life on ${release.endOfLife}.`,
      );
    }
    if (base.status === "undecided") {
      problems.push(base.outcome.summary);
      if (base.outcome.remediation !== null) fixes.push(base.outcome.remediation);
    }
    const baseEvidence = base.status === "undecided" ? base.outcome.evidence : baseImageEvidence(facts.baseImage);
    return {
      status: "fail",
      summary: problems.join(" "),
      evidence: [...baseEvidence, ...patternEvidence(base, listed), ...releaseEvidence(release), ...invalidEvidence],
      remediation: fixes.join(" "),
    };
  },
};

/**
 * Parses the approved patterns. The configuration schema rejects invalid patterns, so one
 * reaches here only from settings that bypassed the schema. Such a pattern is left out and
 * shown as evidence, because stopping the grade would hide every other result.
 */
function compilePatterns(approved: readonly string[]): { patterns: ImagePattern[]; invalid: { pattern: string; problem: string }[] } {
  const patterns: ImagePattern[] = [];
  const invalid: { pattern: string; problem: string }[] = [];
  for (const pattern of approved) {
    try {
      patterns.push(parseImagePattern(pattern));
    } catch (error) {
      if (!(error instanceof ImageReferenceError)) throw error;
      invalid.push({ pattern, problem: error.problem });
    }
  }
  return { patterns, invalid };
}

/**
 * Checks the base image's normalised reference against the patterns. The pattern "*"
 * approves every base image that a source named, even one known only by its digest or by
 * a reference that does not parse. Any other pattern needs a valid reference.
 */
function checkBase(base: ImageFacts["baseImage"], patterns: readonly ImagePattern[]): BaseCheck {
  const checked = "checked against the approved base images";
  const unknown = unknownBaseOutcome(base, checked);
  if (unknown !== null) return { status: "undecided", outcome: unknown };
  const known = base as KnownBaseImage;
  const everything = patterns.find((pattern) => pattern.normalized === "*");

  const read = readBaseReference(known);
  switch (read.kind) {
    case "unnamed": {
      if (known.digest === null) {
        return { status: "undecided", outcome: undecided(known, `The base image was detected without a name or a digest, so it cannot be ${checked}.`) };
      }
      if (everything !== undefined) return { status: "approved", displayName: `${known.digest} (name not known)`, pattern: everything.pattern };
      return { status: "undecided", outcome: undecided(known, `Only the digest of the base image is known, not its name, so it cannot be ${checked}.`) };
    }
    case "invalid": {
      const displayName = JSON.stringify(read.text);
      if (everything !== undefined) return { status: "approved", displayName, pattern: everything.pattern };
      return {
        status: "undecided",
        outcome: undecided(known, `The base image reference ${displayName} is not a valid image reference (${read.problem}), so it cannot be ${checked}.`),
      };
    }
    case "parsed": {
      const displayName = isScratch(read.reference) ? "scratch" : read.normalized;
      const match = patterns.find((pattern) => matchesImagePattern(pattern, read.reference));
      return match === undefined ? { status: "unapproved", displayName } : { status: "approved", displayName, pattern: match.pattern };
    }
  }
}

function undecided(base: KnownBaseImage, summary: string): PolicyOutcome {
  return { status: "no-data", summary, evidence: baseImageEvidence(base), remediation: unknownBaseRemediation };
}

/**
 * Checks the end-of-life date of the image's distribution release at facts.evaluatedAt.
 * A release counts as end-of-life from the first instant (00:00 UTC) of its end-of-life date.
 */
function checkRelease(facts: ImageFacts): ReleaseCheck {
  const { analysis } = facts;
  if (analysis === undefined) return { status: "skipped", reason: "the image has not been analysed, so its distribution release is not known" };
  if (analysis.status === "pending") return { status: "skipped", reason: "the image's analysis has not finished" };
  if (analysis.status === "not-analysed") return { status: "skipped", reason: "the image could not be analysed" };
  if (analysis.os === null) return { status: "skipped", reason: "the image has no os-release file naming its distribution release" };

  const release = releaseName(analysis.os);
  const { endOfLife } = analysis.os;
  if (endOfLife === null) return { status: "skipped", reason: `the end-of-life date of ${release} is not known` };
  const endOfLifeMs = Date.parse(endOfLife);
  if (Number.isNaN(endOfLifeMs)) {
    return { status: "skipped", reason: `the end-of-life date of ${release}, ${JSON.stringify(endOfLife)}, is not an ISO 8601 date` };
  }
  const now = facts.evaluatedAt === undefined ? Number.NaN : Date.parse(facts.evaluatedAt);
  if (Number.isNaN(now)) return { status: "skipped", reason: "the grading time is not known" };
  return { status: now >= endOfLifeMs ? "end-of-life" : "supported", release, endOfLife };
}

/** Names a release as os-release does: "Debian GNU/Linux 12 (bookworm)", else "debian 12". */
function releaseName(os: OsFact): string {
  if (os.prettyName !== null && os.prettyName.trim() !== "") return os.prettyName;
  return os.versionId === null ? os.id : `${os.id} ${os.versionId}`;
}

/** Ends the pass summary with the state of the end-of-life check. */
function releaseClause(release: ReleaseCheck): string {
  switch (release.status) {
    case "off":
      return "; the end-of-life check is off.";
    case "skipped":
      return `; the end-of-life check was skipped because ${release.reason}.`;
    case "supported":
    case "end-of-life":
      return `, and the image's distribution release, ${release.release}, reaches end of life on ${release.endOfLife}.`;
  }
}

function patternEvidence(base: BaseCheck, listed: string): Evidence[] {
  if (base.status === "approved") return [{ label: "Approved by", value: JSON.stringify(base.pattern) }];
  if (base.status === "unapproved") return [{ label: "Approved patterns", value: listed }];
  return [];
}

function releaseEvidence(release: ReleaseCheck): Evidence[] {
  switch (release.status) {
    case "off":
      return [{ label: "End-of-life check", value: "off" }];
    case "skipped":
      return [{ label: "End-of-life check", value: `skipped: ${release.reason}` }];
    case "supported":
    case "end-of-life":
      return [
        { label: "Release", value: release.release },
        { label: "End of life", value: release.endOfLife },
      ];
  }
}

/**
 * Writes patterns as `"a", "b" and "c"` (or with "or"), or as `"a", "b", "c", "d", "e" and 3 more`.
 * Returns "no valid patterns" for none.
 */
function listPatterns(patterns: readonly string[], conjunction: "and" | "or"): string {
  if (patterns.length === 0) return "no valid patterns";
  const quoted = patterns.map((pattern) => JSON.stringify(pattern));
  if (quoted.length > maxListedPatterns) return `${quoted.slice(0, maxListedPatterns).join(", ")} ${conjunction} ${quoted.length - maxListedPatterns} more`;
  if (quoted.length === 1) return quoted[0] ?? "";
  return `${quoted.slice(0, -1).join(", ")} ${conjunction} ${quoted[quoted.length - 1]}`;
}
