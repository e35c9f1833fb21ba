import { eventKinds } from "@/lib/notifications/event-kinds";

const inputClass = "rounded border border-slate-300 px-2 py-1";

/** Renders the fields every notification rule form shares: repository, events, grade threshold and delivery. */
export function RuleFields({ repositories, allowDigest = true }: { repositories: string[]; allowDigest?: boolean }) {
  return (
    <div className="space-y-3">
      <label className="block text-sm">
        Repository
        <select name="repository" aria-label="Repository" defaultValue="" className={`${inputClass} ml-2`}>
          <option value="">Every repository</option>
          {repositories.map((name) => (
            <option key={name} value={name}>{name}</option>
          ))}
        </select>
      </label>
      <fieldset className="text-sm">
        <legend className="font-medium">Events</legend>
        {Object.entries(eventKinds).map(([kind, label]) => (
          <label key={kind} className="mr-4 block">
            <input type="checkbox" name="events" value={kind} defaultChecked={kind === "tag-grade-drop"} className="mr-1" />
            {label}
          </label>
        ))}
      </fieldset>
      <label className="block text-sm">
        Grade drops
        <select name="belowGrade" aria-label="Grade drops" defaultValue="" className={`${inputClass} ml-2`}>
          <option value="">Any drop</option>
          {["A", "B", "C", "D", "E"].map((grade) => (
            <option key={grade} value={grade}>Only below {grade}</option>
          ))}
        </select>
      </label>
      {allowDigest && (
        <label className="block text-sm">
          Delivery
          <select name="mode" aria-label="Delivery" defaultValue="IMMEDIATE" className={`${inputClass} ml-2`}>
            <option value="IMMEDIATE">Immediately</option>
            <option value="DIGEST">Daily digest</option>
          </select>
        </label>
      )}
    </div>
  );
}

/** Describes a rule in one line for the rule lists. */
export function describeRule(rule: { events: string[]; belowGrade: string | null; mode: string; repository: { name: string } | null }): string {
  const events = rule.events.map((kind) => eventKinds[kind as keyof typeof eventKinds] ?? kind).join("; ");
  const threshold = rule.belowGrade ? `, grade drops below ${rule.belowGrade} only` : "";
  const delivery = rule.mode === "DIGEST" ? "daily digest" : "immediately";
  return `${rule.repository?.name ?? "Every repository"}: ${events}${threshold} (${delivery})`;
}
