import { z } from "zod";
import { eventKindList } from "@/lib/notifications/event-kinds";

const grades = ["A", "B", "C", "D", "E"] as const;

/** A rule as the settings forms submit it; the repository is a full name, empty for the whole organization. */
export const ruleInputSchema = z.object({
  org: z.string().trim().min(1, "Choose an organization.").max(255),
  repository: z
    .string()
    .trim()
    .max(512)
    .optional()
    .transform((value) => (value ? value : null)),
  events: z
    .array(z.enum(eventKindList, { message: `Each event must be one of ${eventKindList.join(", ")}.` }))
    .min(1, "Choose at least one event.")
    // A form or API client may send a kind twice; the rule stores each once.
    .transform((events) => [...new Set(events)]),
  belowGrade: z
    .union([z.enum(grades, { message: "The grade must be A, B, C, D or E, or empty for any drop." }), z.literal("")])
    .optional()
    .transform((value) => (value ? value : null)),
  mode: z.enum(["IMMEDIATE", "DIGEST"], { message: "Delivery must be IMMEDIATE or DIGEST." }).default("IMMEDIATE"),
});

export type RuleInput = z.infer<typeof ruleInputSchema>;

/** Reads a rule form: the events are checkboxes, so their values are collected from every field named `events`. */
export function ruleFields(form: FormData): Record<string, unknown> {
  const single = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  return { org: single("org"), repository: single("repository"), events: form.getAll("events").filter((value) => typeof value === "string"), belowGrade: single("belowGrade"), mode: single("mode") };
}
