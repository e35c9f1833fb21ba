/** SBOM formats of the download route, with the names shown on the page. */
const formats = [
  { format: "spdx", label: "SPDX 2.3 JSON" },
  { format: "cyclonedx", label: "CycloneDX 1.6 JSON" },
] as const;

/** Renders the SBOM download links of one platform image. */
export function SbomLinks({ tagPath, platform }: { tagPath: string; platform: { digest: string; name: string } }) {
  return (
    <p className="mt-2" data-testid="sbom-links">
      Download the SBOM:{" "}
      {formats.map(({ format, label }, index) => (
        <span key={format}>
          {index > 0 && " · "}
          <a
            href={`${tagPath}/sbom?format=${format}&platform=${encodeURIComponent(platform.digest)}`}
            download
            aria-label={`${label} SBOM of ${platform.name}`}
            className="text-blue-700 hover:underline"
          >
            {label}
          </a>
        </span>
      ))}
    </p>
  );
}
