"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";

export interface GradeHistoryPoint {
  /** Milliseconds since the epoch. */
  time: number;
  percent: number;
  grade: string | null;
}

interface ChartRow {
  time: number;
  /** The percent at a recorded change; null on the row that extends the line to now. */
  recorded: number | null;
  /** Set on the last change and on the row for now, so a dashed line shows the grade still holds. */
  current: number | null;
  grade: string | null;
}

// The lower boundaries of grades A to E, in percent: a score above one earns that grade.
const GRADE_BOUNDARIES = [90, 70, 50, 30, 10];

const DAY_MS = 24 * 60 * 60 * 1000;

/** Formats axis ticks as UTC dates, or as dates with times when the chart spans less than two days. */
function tickFormatterFor(span: number): (time: number) => string {
  if (span < 2 * DAY_MS) return (time) => new Date(time).toISOString().slice(5, 16).replace("T", " ");
  return (time) => new Date(time).toISOString().slice(0, 10);
}

/**
 * Draws the repository's score over time as a step line: the score stays from
 * one recorded change to the next, and a dashed segment carries the latest
 * score to `now`. Dashed horizontal lines mark the grade boundaries.
 */
export function GradeHistoryChart({ points, now }: { points: GradeHistoryPoint[]; now: number }) {
  const last = points.at(-1);
  const rows: ChartRow[] = points.map((point) => ({ time: point.time, recorded: point.percent, current: null, grade: point.grade }));
  if (last !== undefined && now > last.time) {
    const lastRow = rows.at(-1);
    if (lastRow) lastRow.current = last.percent;
    rows.push({ time: now, recorded: null, current: last.percent, grade: last.grade });
  }

  const span = (rows.at(-1)?.time ?? 0) - (rows[0]?.time ?? 0);

  return (
    <LineChart data={rows} responsive style={{ width: "100%", height: 240 }} margin={{ top: 10, right: 20, bottom: 5, left: 0 }} accessibilityLayer={false}>
      <CartesianGrid stroke="#e2e8f0" vertical={false} />
      <XAxis dataKey="time" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={tickFormatterFor(span)} tick={{ fill: "#475569", fontSize: 12 }} minTickGap={40} />
      <YAxis domain={[0, 100]} ticks={[0, 10, 30, 50, 70, 90, 100]} interval={0} tickFormatter={(value: number) => `${value} %`} tick={{ fill: "#475569", fontSize: 12 }} width={48} />
      {GRADE_BOUNDARIES.map((boundary) => (
        <ReferenceLine key={boundary} y={boundary} stroke="#cbd5e1" strokeDasharray="2 4" />
      ))}
      <Tooltip
        labelFormatter={(label) => (typeof label === "number" ? new Date(label).toISOString().replace("T", " ").slice(0, 16) + " UTC" : String(label))}
        formatter={(value, _name, item) => {
          const grade = (item.payload as ChartRow | undefined)?.grade;
          return [`${typeof value === "number" ? Math.floor(value * 10) / 10 : value} %${grade ? ` (${grade})` : ""}`, "Score"];
        }}
      />
      <Line type="stepAfter" dataKey="recorded" stroke="#1d4ed8" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} connectNulls={false} name="Score" />
      <Line type="linear" dataKey="current" stroke="#1d4ed8" strokeWidth={2} strokeDasharray="4 4" dot={false} activeDot={false} isAnimationActive={false} legendType="none" tooltipType="none" />
    </LineChart>
  );
}
