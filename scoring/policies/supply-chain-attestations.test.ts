import { describe, expect, it } from "vitest";
import { defaultPolicyConfig } from "../policy-config";
import { cyclonedx, imageFacts, slsaV02, slsaV1, spdx } from "../testdata/image-facts";
import type { ImageFacts } from "../types";
import { supplyChainAttestations } from "./supply-chain-attestations";

const settings = defaultPolicyConfig.policies["supply-chain-attestations"];
const evaluate = (attestations: ImageFacts["attestations"]) =>
  supplyChainAttestations.evaluate(imageFacts({ attestations }), settings);

describe("supply chain attestations", () => {
  it.each([
    ["none", [], null, "The image has no SBOM attestation and no provenance attestation."],
    ["SBOM only", [spdx], null, "The image has no provenance attestation."],
    [
      "provenance min only",
      [slsaV1],
      "min",
      "The image has no SBOM attestation and provenance only in min mode, which leaves out the build definition.",
    ],
    ["provenance max only", [slsaV1], "max", "The image has no SBOM attestation."],
    [
      "SBOM + min",
      [spdx, slsaV1],
      "min",
      "The image has provenance only in min mode, which leaves out the build definition.",
    ],
    [
      "SBOM + provenance of unknown mode",
      [spdx, slsaV02],
      null,
      "The image has provenance of unknown mode, so max mode cannot be confirmed.",
    ],
    // A mode without a provenance statement is not provenance.
    ["SBOM + a mode but no provenance", [spdx], "max", "The image has no provenance attestation."],
    ["an unrelated predicate + max", ["https://openvex.dev/ns/v0.2.0", slsaV1], "max", "The image has no SBOM attestation."],
  ] as const)("fails with %s", (_case, predicateTypes, provenanceMode, summary) => {
    const outcome = evaluate({ predicateTypes: [...predicateTypes], provenanceMode });
    expect(outcome.status).toBe("fail");
    expect(outcome.summary).toBe(summary);
    expect(outcome.remediation).toContain("docker buildx build --sbom=true --provenance=mode=max");
  });

  it.each([
    ["SBOM + max", [spdx, slsaV1]],
    ["SBOM + max, SLSA v0.2", [spdx, slsaV02]],
    ["CycloneDX + max", [cyclonedx, slsaV1]],
    ["unversioned CycloneDX + max", ["https://cyclonedx.org/bom", slsaV1]],
    ["versioned SPDX + max", ["https://spdx.dev/Document/v2.3", slsaV1]],
  ])("passes with %s", (_case, predicateTypes) => {
    const outcome = evaluate({ predicateTypes, provenanceMode: "max" });
    expect(outcome.status).toBe("pass");
    expect(outcome.summary).toBe("The image has an SBOM attestation and a max-mode provenance attestation.");
    expect(outcome.remediation).toBeNull();
  });

  it.each([["https://spdx.dev/Documents"], ["http://spdx.dev/Document"], ["https://cyclonedx.org/bom/latest"]])(
    "does not take %s for an SBOM",
    (predicateType) => {
      expect(evaluate({ predicateTypes: [predicateType, slsaV1], provenanceMode: "max" }).status).toBe("fail");
    },
  );

  it("shows the attestations as evidence", () => {
    expect(evaluate({ predicateTypes: [cyclonedx, slsaV1], provenanceMode: "max" }).evidence).toEqual([
      { label: "SBOM", value: cyclonedx },
      { label: "Provenance", value: `${slsaV1} (mode max)` },
    ]);
    expect(evaluate({ predicateTypes: [], provenanceMode: null }).evidence).toEqual([
      { label: "SBOM", value: "none" },
      { label: "Provenance", value: "none" },
    ]);
  });
});
