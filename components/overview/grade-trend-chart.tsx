"use client";

import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";

/** Repositories per grade at the end of one day. `none` counts those not graded. */
export interface TrendPoint {
  day: string;
  A: number;
  B: number;
  C: number;
  D: number;
  E: number;
  F: number;
  none: number;
}

// Badges share one colour between A and B and between E and F, so the stacked areas
// use a lighter and a darker shade of each (Tailwind's palette) to stay apart.
const series = [
  { key: "A", label: "A", color: "#15803d" },
  { key: "B", label: "B", color: "#4ade80" },
  { key: "C", label: "C", color: "#a16207" },
  { key: "D", label: "D", color: "#c2410c" },
  { key: "E", label: "E", color: "#f87171" },
  { key: "F", label: "F", color: "#b91c1c" },
  { key: "none", label: "Not graded", color: "#9ca3af" },
] as const;

/**
 * Renders the daily repositories per grade as stacked areas, A at the bottom.
 * `description` is the chart's text alternative, and the caller also shows
 * the numbers as a table.
 */
export function GradeTrendChart({ points, description }: { points: TrendPoint[]; description: string }) {
  return (
    <div role="img" aria-label={description}>
      <AreaChart data={points} responsive accessibilityLayer={false} style={{ width: "100%", height: 260 }} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="day" tickFormatter={(day: string) => day.slice(5)} minTickGap={24} tick={{ fill: "#334155" }} />
        <YAxis allowDecimals={false} tick={{ fill: "#334155" }} width={56} />
        <Tooltip />
        <Legend formatter={(value: string) => <span className="text-slate-700">{value}</span>} />
        {series.map((item) => (
          <Area
            key={item.key}
            dataKey={item.key}
            name={item.label}
            stackId="grades"
            type="linear"
            stroke={item.color}
            fill={item.color}
            fillOpacity={0.85}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    </div>
  );
}
