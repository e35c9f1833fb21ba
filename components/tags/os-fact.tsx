import type { ImageAnalysisSummary } from "@/lib/data/get-image-analysis";

/**
 * Renders the detected operating system with its advisory ecosystem and end of
 * life. `today` is an ISO date (YYYY-MM-DD). The table's date is the last
 * supported day, so a release is past its end of life from the day after.
 */
export function OsFact({ analysis, today }: { analysis: Pick<ImageAnalysisSummary, "status" | "os">; today: string }) {
  if (analysis.status === "PENDING") return <span className="text-slate-600">not detected yet</span>;
  if (analysis.status === "FAILED") return <span className="text-slate-600">unknown: the image could not be analysed</span>;
  const os = analysis.os;
  if (os === null) return <span className="text-slate-600">none detected (no os-release file)</span>;

  const name = os.prettyName ?? [os.id, os.versionId].filter((part) => part !== null).join(" ");
  const ended = os.endOfLife !== null && os.endOfLife < today;
  return (
    <span data-os-id={os.id}>
      <span data-testid="os-name">{name}</span>
      {os.ecosystem !== null && <span className="text-slate-500"> · advisory ecosystem <span className="font-mono">{os.ecosystem}</span></span>}
      {ended && (
        <span className="mt-1 block font-semibold text-red-700" data-testid="os-end-of-life">
          ⚠ End of life since {os.endOfLife}: the distribution no longer publishes security updates for this release.
        </span>
      )}
      {!ended && os.endOfLife !== null && <span className="block text-slate-500">Supported until {os.endOfLife}</span>}
    </span>
  );
}
