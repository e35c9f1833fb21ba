import { severityClasses, severityLabels } from "@/components/tags/severity-badge";
import type { VulnerabilityCounts } from "@/lib/data/get-image-vulnerabilities";
import { severityLevels } from "@/scoring";

/** Levels listed even at 0, so "0 critical" reads as a checked fact rather than a missing one. */
const alwaysListed = new Set(["critical", "high", "medium", "low"]);

/** Renders the counts of unsuppressed findings by severity and how many are fixable, then the suppressed ones. */
export function SeverityCounts({ counts }: { counts: VulnerabilityCounts }) {
  const levels = severityLevels.filter((level) => alwaysListed.has(level) || counts.bySeverity[level] > 0);
  return (
    <ul aria-label="Vulnerabilities by severity" className="flex flex-wrap items-center gap-2" data-testid="vulnerability-counts">
      {levels.map((level) => (
        <li key={level} className={`rounded px-2 py-0.5 text-sm ${severityClasses[level]}`} data-count-of={level}>
          <span className="font-semibold">{counts.bySeverity[level]}</span> {severityLabels[level].toLowerCase()}
        </li>
      ))}
      <li className="px-1 text-sm text-slate-600" data-count-of="fixable">
        {counts.fixable} fixable
      </li>
      {counts.suppressed > 0 && (
        <li className="rounded border border-dashed border-slate-400 px-2 py-0.5 text-sm text-slate-700" data-count-of="suppressed">
          <span className="font-semibold">{counts.suppressed}</span> suppressed
        </li>
      )}
    </ul>
  );
}
