import type { ImageFacts } from "../types";

export const spdx = "https://spdx.dev/Document";
export const cyclonedx = "https://cyclonedx.org/bom/v1.5";
export const slsaV1 = "https://slsa.dev/provenance/v1";
export const slsaV02 = "https://slsa.dev/provenance/v0.2";

/** Facts for a test image: non-root, with an SBOM and max-mode provenance unless overridden. */
export function imageFacts(overrides: Partial<ImageFacts> = {}): ImageFacts {
  return {
    digest: "sha256:23678f31b3b3586c4fb318aecfe64a96a1f0916ba8faf9b2be2abee63fa9e827",
    platform: "linux/amd64",
    user: "65532:65532",
    attestations: { predicateTypes: [spdx, slsaV1], provenanceMode: "max" },
    ...overrides,
  };
}
