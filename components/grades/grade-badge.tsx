import { badgeColor, type Grade } from "@/scoring";

const colorClasses = {
  green: "bg-grade-green text-white",
  yellow: "bg-grade-yellow text-white",
  orange: "bg-grade-orange text-white",
  red: "bg-grade-red text-white",
  grey: "bg-grade-grey text-white",
} as const;

/** Renders a grade letter on its badge colour. The letter is always shown, so colour is never the only signal. */
export function GradeBadge({ grade, size = "md" }: { grade: string | null; size?: "md" | "lg" }) {
  const color = badgeColor((grade as Grade | null) ?? null);
  const dimensions = size === "lg" ? "h-14 w-14 text-3xl" : "h-7 w-7 text-sm";
  return (
    <span
      className={`inline-flex shrink-0 items-center justify-center rounded-md font-bold ${dimensions} ${colorClasses[color]}`}
      aria-label={grade ? `Grade ${grade}` : "Not graded"}
      title={grade ? `Grade ${grade}` : "Not graded"}
      data-grade={grade ?? "none"}
    >
      {grade ?? "–"}
    </span>
  );
}
