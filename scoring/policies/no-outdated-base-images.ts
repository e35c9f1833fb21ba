import { formatImageReference } from "../image-reference";
import type { Evidence } from "../types";
import { asSentence, baseImageEvidence, isScratch, type KnownBaseImage, readBaseReference, unknownBaseOutcome, unknownBaseRemediation } from "./base-image-evidence";
import type { Policy, PolicyOutcome } from "./policy";

const checked = "checked for updates";

export const noOutdatedBaseImages: Policy<"no-outdated-base-images"> = {
  id: "no-outdated-base-images",
  title: "No outdated base images",
  description: "Fails when the base image tag the image was built from now points to a different digest than the one it was built on.",
  evaluate(facts) {
    const unknown = unknownBaseOutcome(facts.baseImage, checked);
    if (unknown !== null) return unknown;
    const base = facts.baseImage as KnownBaseImage;
    const evidence = baseImageEvidence(base, "Built on");

    const read = readBaseReference(base);
    if (read.kind === "unnamed") {
      return noData(
        "Only the digest of the base image is known, not the tag it was built from, so it cannot be checked for updates.",
        evidence,
        "Set the `org.opencontainers.image.base.name` label to the base image's reference with its tag (such as `docker.io/library/debian:12-slim`), or build with `docker buildx build --provenance=mode=max` so the provenance names it.",
      );
    }
    if (read.kind === "invalid") {
      return noData(
        `The base image reference ${JSON.stringify(read.text)} is not a valid image reference (${read.problem}), so its tag cannot be checked for updates.`,
        evidence,
        unknownBaseRemediation,
      );
    }

    const { reference } = read;
    if (isScratch(reference)) {
      return { status: "pass", summary: "The image is built from scratch, which has no layers that could be updated.", evidence, remediation: null };
    }
    if (reference.tag === null) {
      return noData(
        `The base image ${read.normalized} is named by digest alone, so there is no tag to check for a newer digest.`,
        evidence,
        "Write the tag next to the digest in the `FROM` line (such as `FROM debian:12-slim@sha256:…`) so that the build records which tag to follow.",
      );
    }
    const builtOn = reference.digest;
    const tagged = formatImageReference({ ...reference, digest: null });
    if (builtOn === null) {
      return noData(
        `The digest that the image was built on is not known, so it cannot be compared with the current digest of ${tagged}.`,
        evidence,
        "Build with `docker buildx build --provenance=mode=max`, or set the `org.opencontainers.image.base.digest` label to the digest of the base image.",
      );
    }
    if (base.digest === null) evidence.push({ label: "Built on", value: builtOn });

    const { current } = base;
    if (current === undefined) {
      // The caller has not looked the tag up, which is not the user's to fix.
      return noData(`The current digest of ${tagged} has not been looked up yet, so the base image cannot be checked for updates.`, evidence, null);
    }
    if (current.status === "unknown") {
      evidence.push({ label: "Tag now at", value: `unknown: ${current.reason}` });
      return noData(`The current digest of ${tagged} is not known, so the base image cannot be checked for updates. ${asSentence(current.reason)}`, evidence, null);
    }

    evidence.push({ label: "Tag now at", value: current.digest }, { label: "Resolved at", value: current.resolvedAt });
    if (current.digest === builtOn) {
      return {
        status: "pass",
        summary: `The base image tag ${tagged} still points to ${builtOn}, the digest the image was built on (resolved at ${current.resolvedAt}).`,
        evidence,
        remediation: null,
      };
    }
    return {
      status: "fail",
      summary: `The base image tag ${tagged} now points to ${current.digest}, but the image was built on ${builtOn} (resolved at ${current.resolvedAt}).`,
      evidence,
      remediation:
        `Rebuild the image to pick up ${tagged}, now at ${current.digest}: \`docker buildx build --pull …\` fetches the tag's current digest instead of a cached one. ` +
        `If the Dockerfile pins the base image by digest, change its \`FROM\` line to ${current.digest} first.`,
    };
  },
};

function noData(summary: string, evidence: Evidence[], remediation: string | null): PolicyOutcome {
  return { status: "no-data", summary, evidence, remediation };
}
