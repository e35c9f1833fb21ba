"use client";

import { useActionState, useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { PolicyFormState } from "@/app/orgs/[org]/settings/policies/actions";
import { PolicyPreview } from "@/components/settings/policy-preview";
import type { PolicyField, PolicyFieldGroup, PolicyFormValues } from "@/lib/data/settings/policy-form";

// Only types come from the data modules; their values stay on the server, and the page passes the inputs as props.

const textInputClass = "rounded border px-2 py-1 font-normal";
const buttonClass = "rounded px-3 py-1 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-60";

function fieldId(name: string): string {
  return `policy-${name.replace(/\./g, "-")}`;
}

/**
 * Renders the policy settings form with Preview and Save. Save is enabled only
 * after a preview of the form's current values, and it opens a confirmation dialog.
 * After any action every input shows what was submitted, and each invalid one
 * its messages, so nothing typed is lost.
 */
export function PolicyForm({
  action,
  groups,
  initialValues,
  currentVersion,
}: {
  action: (state: PolicyFormState, form: FormData) => Promise<PolicyFormState>;
  groups: PolicyFieldGroup[];
  initialValues: PolicyFormValues;
  currentVersion: number;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle", message: "", values: initialValues, fieldErrors: {}, formErrors: [], preview: null });
  // The state an input changed after; when it is the current state, the shown preview no longer matches the form.
  const [editedAfter, setEditedAfter] = useState<PolicyFormState | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const previewRef = useRef<HTMLDivElement>(null);

  const preview = state.preview;
  const stale = preview !== null && editedAfter === state;
  const canSave = state.status === "previewed" && preview !== null && preview.changes.length > 0 && !stale && !pending;
  const nextVersion = (preview?.baseVersion ?? currentVersion) + 1;

  // Moves focus to the first invalid input, or brings a new preview into view.
  useEffect(() => {
    if (state.status === "invalid") {
      const first = groups.flatMap((group) => group.fields).find((field) => state.fieldErrors[field.name] !== undefined);
      if (first) formRef.current?.querySelector<HTMLElement>(`[data-field="${first.name}"]`)?.focus();
    }
    if (state.status === "previewed") previewRef.current?.scrollIntoView({ block: "start" });
  }, [state, groups]);

  function confirmSave(event: FormEvent<HTMLFormElement>) {
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    if (!(submitter instanceof HTMLButtonElement) || submitter.value !== "save" || preview === null) return;
    const tags = preview.changedTagCount === 1 ? "1 tag changes grade" : `${preview.changedTagCount} tags change grade`;
    if (!window.confirm(`Save these settings as version ${nextVersion}? ${tags}, and every image of the organization is graded again.`)) event.preventDefault();
  }

  return (
    <form
      ref={formRef}
      action={formAction}
      aria-label="Policy configuration"
      aria-busy={pending}
      noValidate
      onChange={() => setEditedAfter(state)}
      onSubmit={confirmSave}
      className="space-y-4"
    >
      {groups.map((group) => (
        <fieldset key={group.policyId} data-policy={group.policyId} className="rounded-lg border border-slate-200 bg-white p-4">
          <legend className="px-1 font-semibold">{group.title}</legend>
          <p className="mb-3 text-sm text-slate-600">{group.description}</p>
          <div className="grid gap-4 md:grid-cols-2">
            {group.fields.map((field) => (
              <PolicyInput key={field.name} field={field} value={state.values[field.name]} errors={state.fieldErrors[field.name]} />
            ))}
          </div>
        </fieldset>
      ))}

      {preview && (
        <>
          <input type="hidden" name="baseVersion" value={preview.baseVersion} />
          <input type="hidden" name="fingerprint" value={preview.fingerprint} />
        </>
      )}

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" name="intent" value="preview" disabled={pending} className={`${buttonClass} border border-blue-700 bg-white text-blue-800 hover:bg-blue-50`}>
          Preview
        </button>
        <button type="submit" name="intent" value="save" disabled={!canSave} className={`${buttonClass} bg-blue-700 text-white hover:bg-blue-800`}>
          Save as version {nextVersion}
        </button>
        <span className="text-sm text-slate-600">Save is enabled after a preview of the form as it is.</span>
      </div>
      {state.message && (
        <p role={state.status === "invalid" || state.status === "failed" ? "alert" : "status"} className={`text-sm ${state.status === "invalid" || state.status === "failed" ? "text-red-800" : "text-green-800"}`}>
          {state.message}
        </p>
      )}
      {state.formErrors.length > 0 && (
        <ul className="list-disc pl-5 text-sm text-red-800" data-testid="form-errors">
          {state.formErrors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      <div ref={previewRef}>{preview && <PolicyPreview preview={preview} stale={stale} />}</div>
    </form>
  );
}

function PolicyInput({ field, value, errors }: { field: PolicyField; value: string | string[] | undefined; errors: string[] | undefined }) {
  const id = fieldId(field.name);
  const invalid = errors !== undefined && errors.length > 0;
  const describedBy = [`${id}-help`, invalid ? `${id}-error` : null].filter(Boolean).join(" ");
  const text = typeof value === "string" ? value : "";
  const border = invalid ? "border-red-600" : "border-slate-300";

  let control: ReactNode;
  switch (field.kind) {
    case "integer":
      control = (
        <input
          id={id}
          data-field={field.name}
          name={field.name}
          type="number"
          inputMode="numeric"
          min={field.min}
          max={field.max}
          step={1}
          defaultValue={text}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          className={`${textInputClass} ${border} w-28`}
        />
      );
      break;
    case "boolean":
      return (
        <div className="flex flex-col gap-1 text-sm md:col-span-2">
          <label className="flex items-start gap-2 font-medium">
            <input
              id={id}
              data-field={field.name}
              name={field.name}
              type="checkbox"
              defaultChecked={text === "on"}
              aria-invalid={invalid || undefined}
              aria-describedby={describedBy}
              className="mt-1"
            />
            {field.label}
          </label>
          <FieldNotes id={id} name={field.name} help={field.help} errors={errors} />
        </div>
      );
    case "choices": {
      const chosen = new Set(Array.isArray(value) ? value : []);
      return (
        <fieldset className="flex flex-col gap-1 text-sm" aria-describedby={describedBy} aria-invalid={invalid || undefined}>
          <legend className="font-medium">{field.label}</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1">
            {field.choices.map((choice, index) => (
              <label key={choice} className="flex items-center gap-1">
                <input
                  type="checkbox"
                  name={field.name}
                  value={choice}
                  defaultChecked={chosen.has(choice)}
                  data-field={index === 0 ? field.name : undefined}
                  id={index === 0 ? id : undefined}
                />
                {choice}
              </label>
            ))}
          </div>
          <FieldNotes id={id} name={field.name} help={field.help} errors={errors} />
        </fieldset>
      );
    }
    case "lines":
      control = (
        <textarea
          id={id}
          data-field={field.name}
          name={field.name}
          rows={Math.min(12, Math.max(3, text.split("\n").length + 1))}
          defaultValue={text}
          placeholder={field.placeholder}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          className={`${textInputClass} ${border} w-full font-mono`}
        />
      );
      break;
  }

  return (
    <div className={`flex flex-col gap-1 text-sm ${field.kind === "lines" ? "md:col-span-2" : ""}`}>
      <label htmlFor={id} className="font-medium">
        {field.label}
      </label>
      {control}
      <FieldNotes id={id} name={field.name} help={field.help} errors={errors} />
    </div>
  );
}

function FieldNotes({ id, name, help, errors }: { id: string; name: string; help: string; errors: string[] | undefined }) {
  return (
    <>
      <p id={`${id}-help`} className="text-slate-600">
        {help}
      </p>
      {errors && errors.length > 0 && (
        <ul id={`${id}-error`} className="text-red-800" data-field-error={name}>
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </>
  );
}
