import type { BaseImageFact, Evidence } from "../types";

const sourceWords: Record<Exclude<BaseImageFact["source"], "unknown">, string> = {
  provenance: "provenance",
  annotation: "the base-image annotations",
  label: "the base-image labels",
  layers: "layers shared with a synced image",
};

/** Lists the detected base image as evidence: its reference, digest and where it was found. */
export function baseImageEvidence(base: BaseImageFact | undefined): Evidence[] {
  if (!base) return [];
  if (base.source === "unknown") return [{ label: "Base image", value: `unknown: ${base.reason}` }];
  const evidence: Evidence[] = [{ label: "Base image", value: base.reference ?? "unnamed image" }];
  if (base.digest) evidence.push({ label: "Base digest", value: base.digest });
  evidence.push({ label: "Found from", value: sourceWords[base.source] });
  return evidence;
}

/** The fix when no base image could be found. */
export const unknownBaseRemediation =
  "Build with `docker buildx build --provenance=mode=max` so the provenance names the base image, or set the `org.opencontainers.image.base.name` and `org.opencontainers.image.base.digest` labels.";
