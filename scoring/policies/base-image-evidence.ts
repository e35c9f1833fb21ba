/** Shared reading and wording of the detected base image for the two base-image policies. */
import { formatImageReference, type ImageReference, ImageReferenceError, parseImageReference } from "../image-reference";
import type { BaseImageFact, Evidence } from "../types";
import type { PolicyOutcome } from "./policy";

/** A base image that some source named, by reference or digest. */
export type KnownBaseImage = Exclude<BaseImageFact, { source: "unknown" }>;

const sourceWords: Record<KnownBaseImage["source"], string> = {
  provenance: "provenance",
  annotation: "the base-image annotations",
  label: "the base-image labels",
  layers: "layers shared with a synced image",
};

/**
 * Lists the detected base image as evidence: its reference, digest and where it was found.
 * `digestLabel` names the digest item, "Base digest" unless a policy needs a closer word.
 */
export function baseImageEvidence(base: BaseImageFact | undefined, digestLabel = "Base digest"): Evidence[] {
  if (!base) return [];
  if (base.source === "unknown") return [{ label: "Base image", value: `unknown: ${base.reason}` }];
  const evidence: Evidence[] = [{ label: "Base image", value: base.reference ?? "unnamed image" }];
  if (base.digest) evidence.push({ label: digestLabel, value: base.digest });
  evidence.push({ label: "Found from", value: sourceWords[base.source] });
  return evidence;
}

/** The fix when no base image could be found. */
export const unknownBaseRemediation =
  "Build with `docker buildx build --provenance=mode=max` so the provenance names the base image, or set the `org.opencontainers.image.base.name` and `org.opencontainers.image.base.digest` labels.";

/**
 * Returns the no-data outcome of a base-image policy whose base image is absent or
 * unknown, or null when a source named it. `checked` ends the summary's first sentence:
 * "… so it cannot be {checked}." An absent base (the caller has not looked for one) gets
 * no remediation, because it is not the user's to fix.
 */
export function unknownBaseOutcome(base: BaseImageFact | undefined, checked: string): PolicyOutcome | null {
  const summary = `The base image of this image is not known, so it cannot be ${checked}.`;
  if (base === undefined) return { status: "no-data", summary, evidence: [], remediation: null };
  if (base.source !== "unknown") return null;
  return {
    status: "no-data",
    summary: `${summary} ${asSentence(base.reason)}`,
    evidence: baseImageEvidence(base),
    remediation: unknownBaseRemediation,
  };
}

/**
 * The base image's reference as the policies read it: "unnamed" when a source gave only
 * the digest, "invalid" with the rule it breaks, or "parsed". A parsed reference's `normalized`
 * is the normalised text as the source gave it, and its `reference` also carries the
 * fact's digest, or the digest in the text when the fact has none.
 */
export type BaseReference =
  | { kind: "unnamed" }
  | { kind: "invalid"; text: string; problem: string }
  | { kind: "parsed"; normalized: string; reference: ImageReference };

/** Parses and normalises a known base image's reference, with the fact's digest when it has one. */
export function readBaseReference(base: KnownBaseImage): BaseReference {
  if (base.reference === null) return { kind: "unnamed" };
  let parsed: ImageReference;
  try {
    parsed = parseImageReference(base.reference);
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error;
    return { kind: "invalid", text: base.reference, problem: error.problem };
  }
  // The fact's digest wins over one written in the reference, because the server compares that one with the tag's current digest.
  const reference = { ...parsed, digest: base.digest ?? parsed.digest };
  return { kind: "parsed", normalized: formatImageReference(parsed), reference };
}

/** Docker's reserved name for the empty image, which images built `FROM scratch` name as their base. */
export function isScratch(reference: ImageReference): boolean {
  return reference.registry === "docker.io" && reference.repository === "library/scratch";
}

/**
 * Writes a reason as a sentence: first letter in capitals and a full stop at
 * the end. A reason that starts with a name, such as the host of an image
 * reference (`docker.io/library/debian:12`), keeps that name as written.
 */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  const firstWord = trimmed.split(/\s/, 1)[0] ?? "";
  const isName = /[^A-Za-z]/.test(firstWord.replace(/[,;:.!?]+$/, ""));
  const capitalised = isName ? trimmed : trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
