import { toCycloneDx, toSpdxDocument, type SbomInput } from "@/lib/analysis/sbom-export";

/** SBOM export formats with their IANA-registered media types and their file name endings. */
export const sbomFormats = {
  spdx: { build: toSpdxDocument, contentType: "application/spdx+json", extension: "spdx.json" },
  cyclonedx: { build: toCycloneDx, contentType: "application/vnd.cyclonedx+json; version=1.6", extension: "cdx.json" },
} satisfies Record<string, { build: (input: SbomInput) => unknown; contentType: string; extension: string }>;

export type SbomFormatName = keyof typeof sbomFormats;

export const sbomFormatNames = Object.keys(sbomFormats) as SbomFormatName[];

export function isSbomFormatName(value: string | null): value is SbomFormatName {
  return value !== null && Object.hasOwn(sbomFormats, value);
}

/** Serialises an SBOM in one format as the downloads write it: indented JSON with a final newline. */
export function renderSbom(format: SbomFormatName, input: SbomInput): string {
  return `${JSON.stringify(sbomFormats[format].build(input), null, 2)}\n`;
}
