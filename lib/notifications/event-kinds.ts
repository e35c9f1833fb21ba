/** Event kinds a notification rule can choose, with the label shown on the settings pages. */
export const eventKinds = {
  "tag-grade-drop": "A tag's grade drops",
  "repository-grade-drop": "A repository's grade drops",
  "high-profile-finding": "A new known-exploited or high-profile vulnerability appears in an image",
  "exception-expiry": "An exception expires within 7 days, or has expired",
  "sync-failing": "Syncs fail 3 times in a row",
} as const;

export type EventKind = keyof typeof eventKinds;

/** Sent to an organization's owners when one of its webhooks is paused; no rule chooses it. */
export const webhookPausedKind = "webhook-paused";

export const eventKindList = Object.keys(eventKinds) as EventKind[];

/** Checks whether the kind is a grade drop, the only kinds a rule's `belowGrade` applies to. */
export function isGradeDrop(kind: string): boolean {
  return kind === "tag-grade-drop" || kind === "repository-grade-drop";
}
