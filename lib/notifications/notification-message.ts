import { eventKinds, type EventKind } from "@/lib/notifications/event-kinds";

/** An event as messages show it. */
export interface MessageEvent {
  id: string;
  kind: string;
  title: string;
  cause: string;
  causeIds: string[];
  link: string;
  fromGrade: string | null;
  toGrade: string | null;
  createdAt: Date;
  details: unknown;
}

/** Events listed one by one in a summary; the rest are counted, and the counts per kind and cause cover all. */
export const MAX_LISTED_EVENTS = 100;

/** Returns counts per kind and cause, most first, e.g. "500 × A tag's grade drops (advisory update)". */
export function summaryLines(events: readonly MessageEvent[]): string[] {
  const counts = new Map<string, number>();
  for (const event of events) {
    const label = `${eventKinds[event.kind as EventKind] ?? event.kind} (${event.cause})`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label, count]) => `${count} × ${label}`);
}

/** Returns the subject of a message: the event's own title for one event, a count for several. */
export function messageSubject(events: readonly MessageEvent[], organization: string, digest: boolean): string {
  if (events.length === 1 && !digest) return events[0]!.title;
  const noun = events.length === 1 ? "notification" : "notifications";
  return digest ? `Shipshape daily digest for ${organization}: ${events.length} ${noun}` : `Shipshape: ${events.length} ${noun} for ${organization}`;
}
