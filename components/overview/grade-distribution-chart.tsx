"use client";

import Link from "next/link";
import { Bar, BarChart, CartesianGrid, LabelList, XAxis, YAxis, type BarShapeProps } from "recharts";
import { formatRepositoryCount } from "@/components/overview/overview-format";

export type BadgeColor = "green" | "yellow" | "orange" | "red" | "grey";

export interface GradeBar {
  /** "A" … "F", or "none" for not graded. */
  grade: string;
  label: string;
  count: number;
  color: BadgeColor;
  /** The repository list filtered to this grade. */
  href: string;
}

// The badge colours of the theme in app/globals.css, so bars and badges always match.
const fillClasses: Record<BadgeColor, string> = {
  green: "fill-grade-green",
  yellow: "fill-grade-yellow",
  orange: "fill-grade-orange",
  red: "fill-grade-red",
  grey: "fill-grade-grey",
};

/** Draws one bar as a link to the repositories behind it. An empty bucket gets no bar to click. */
function GradeBarLink(props: BarShapeProps) {
  const bar = props.payload as GradeBar;
  if (bar.count === 0) return <g />;
  return (
    <Link href={bar.href} aria-label={`${bar.label}: ${formatRepositoryCount(bar.count)}`} data-grade={bar.grade} data-count={bar.count} className="group outline-none">
      <rect
        x={props.x}
        y={props.y}
        width={props.width}
        height={props.height}
        rx={3}
        className={`${fillClasses[bar.color]} cursor-pointer group-hover:opacity-80 group-focus-visible:stroke-blue-600 group-focus-visible:stroke-[3px]`}
      />
    </Link>
  );
}

/**
 * Renders the repositories per grade as bars in the badge colours. Each bar
 * links to the repository list filtered to its grade. The caller provides the
 * text alternative, because a chart alone does not reach screen readers.
 */
export function GradeDistributionChart({ bars }: { bars: GradeBar[] }) {
  return (
    <BarChart
      data={bars}
      responsive
      accessibilityLayer={false}
      style={{ width: "100%", height: 260 }}
      margin={{ top: 24, right: 8, bottom: 0, left: 0 }}
    >
      <CartesianGrid vertical={false} stroke="#e2e8f0" />
      <XAxis dataKey="label" tick={{ fill: "#334155" }} tickLine={false} />
      <YAxis allowDecimals={false} tick={{ fill: "#334155" }} width={56} />
      <Bar dataKey="count" shape={GradeBarLink} isAnimationActive={false}>
        <LabelList dataKey="count" position="top" fill="#334155" />
      </Bar>
    </BarChart>
  );
}
