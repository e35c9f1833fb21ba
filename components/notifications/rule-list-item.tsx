import type { ReactNode } from "react";
import { describeRule } from "@/components/notifications/rule-fields";
import { ActionForm } from "@/components/settings/action-form";

interface ActionState {
  ok: boolean;
  message: string;
}

/** Renders one rule of a rule list, named by whom it reaches, with its delete button. */
export function RuleListItem({
  rule,
  heading,
  deleteAction,
  hiddenFields,
}: {
  rule: { id: string; events: string[]; belowGrade: string | null; mode: string; repository: { name: string } | null };
  /** Whom or where the rule sends to: an organization, a team or a webhook. */
  heading: string;
  deleteAction: (state: ActionState, form: FormData) => Promise<ActionState>;
  /** Extra fields the delete action needs, such as the organization. */
  hiddenFields?: ReactNode;
}) {
  return (
    <li className="flex flex-wrap items-center gap-3 text-sm" data-rule={rule.id}>
      <span>
        <strong>{heading}</strong> · {describeRule(rule)}
      </span>
      <ActionForm action={deleteAction} label={`Delete rule of ${heading} for ${rule.repository?.name ?? "every repository"}`}>
        {hiddenFields}
        <input type="hidden" name="ruleId" value={rule.id} />
        <button type="submit" className="text-red-700 hover:underline">Delete</button>
      </ActionForm>
    </li>
  );
}
