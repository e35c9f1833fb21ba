import type { ImageFacts } from "../types";
import type { Policy } from "./policy";

// In-toto predicate types. BuildKit writes SPDX; the in-toto predicate list also
// names versioned forms (`https://cyclonedx.org/bom/v1.5`, `https://spdx.dev/Document/v2.3`).
const sbomPredicate = /^https:\/\/(spdx\.dev\/Document|cyclonedx\.org\/bom)(\/v\d+(\.\d+)*)?$/;
const provenancePredicates: ReadonlySet<string> = new Set([
  "https://slsa.dev/provenance/v0.2",
  "https://slsa.dev/provenance/v1",
]);

const remediation =
  "Build and push with `docker buildx build --sbom=true --provenance=mode=max --push -t IMAGE:TAG .` " +
  "(in GitHub Actions, `docker/build-push-action` with `sbom: true` and `provenance: mode=max`).";

/** What the provenance lacks, as the end of a sentence; null when it is in max mode. */
function provenanceShortfall(provenance: string | undefined, mode: ImageFacts["attestations"]["provenanceMode"]): string | null {
  if (provenance === undefined) return "no provenance attestation";
  if (mode === "max") return null;
  if (mode === "min") return "provenance only in min mode, which leaves out the build definition";
  return "provenance of unknown mode, so max mode cannot be confirmed";
}

export const supplyChainAttestations: Policy = {
  id: "supply-chain-attestations",
  title: "Supply chain attestations",
  description: "Fails when an SBOM attestation or a max-mode provenance attestation is missing.",
  evaluate(facts) {
    const { predicateTypes, provenanceMode } = facts.attestations;
    const sbom = predicateTypes.find((type) => sbomPredicate.test(type));
    const provenance = predicateTypes.find((type) => provenancePredicates.has(type));
    const evidence = [
      { label: "SBOM", value: sbom ?? "none" },
      {
        label: "Provenance",
        value: provenance === undefined ? "none" : `${provenance} (mode ${provenanceMode ?? "unknown"})`,
      },
    ];
    const missing = [sbom === undefined ? "no SBOM attestation" : null, provenanceShortfall(provenance, provenanceMode)].filter(
      (part) => part !== null,
    );
    if (missing.length > 0) {
      return { status: "fail", summary: `The image has ${missing.join(" and ")}.`, evidence, remediation };
    }
    return {
      status: "pass",
      summary: "The image has an SBOM attestation and a max-mode provenance attestation.",
      evidence,
      remediation: null,
    };
  },
};
