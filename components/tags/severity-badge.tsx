import type { SeverityLevel } from "@/scoring/advisories/severity";

export const severityLabels: Record<SeverityLevel, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  none: "None",
  unspecified: "Unspecified",
};

/**
 * Colours of each level: critical red, high orange, medium yellow, low grey.
 * Each text colour contrasts at least 4.5:1 with its background (WCAG AA,
 * computed from Tailwind 4's oklch palette), and the level is always written
 * out, so colour is never the only signal.
 */
export const severityClasses: Record<SeverityLevel, string> = {
  critical: "bg-red-700 text-white",
  high: "bg-orange-700 text-white",
  medium: "bg-yellow-300 text-yellow-950",
  low: "bg-slate-500 text-white",
  none: "bg-slate-100 text-slate-700 ring-1 ring-slate-300 ring-inset",
  unspecified: "bg-white text-slate-700 ring-1 ring-slate-300 ring-inset",
};

/** Renders a severity level as a coloured label. */
export function SeverityBadge({ level }: { level: SeverityLevel }) {
  return (
    <span className={`inline-block rounded px-2 py-0.5 text-xs font-semibold whitespace-nowrap ${severityClasses[level]}`} data-severity-badge={level}>
      {severityLabels[level]}
    </span>
  );
}
