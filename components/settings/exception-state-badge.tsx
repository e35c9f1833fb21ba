import { EXPIRY_WARNING_DAYS, type ExceptionState } from "@/lib/data/settings/exceptions";

const badges: Record<ExceptionState, { label: string; className: string }> = {
  active: { label: "Active", className: "bg-green-100 text-green-900" },
  expiring: { label: `Expires within ${EXPIRY_WARNING_DAYS} days`, className: "bg-amber-200 text-amber-950" },
  expired: { label: "Expired", className: "bg-slate-200 text-slate-700" },
  revoked: { label: "Revoked", className: "bg-red-100 text-red-900" },
};

/** Renders an exception's state as a labelled badge. The text carries the state and the colour only repeats it. */
export function ExceptionStateBadge({ state }: { state: ExceptionState }) {
  const badge = badges[state];
  return <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${badge.className}`}>{badge.label}</span>;
}
