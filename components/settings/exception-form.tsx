"use client";

import { useActionState, useEffect, useRef, type ReactNode } from "react";
import type { ExceptionFormState } from "@/app/orgs/[org]/settings/exceptions/actions";
import type { ExceptionField } from "@/lib/data/settings/exceptions";

const inputClass = "w-full rounded border px-2 py-1 font-normal";
// The fields in page order. Only the data module's types are imported, because its values are server code.
const fieldOrder: ExceptionField[] = ["vulnerabilityId", "repository", "tagPattern", "packagePattern", "reason", "expiresOn"];
const initialState: ExceptionFormState = {
  ok: true,
  message: "",
  values: { vulnerabilityId: "", repository: "", tagPattern: "", packagePattern: "", reason: "", expiresOn: "" },
  fieldErrors: {},
};

/**
 * Renders the form that adds an exception. After a failed submission every field
 * shows what was submitted, and each invalid one its message, so nothing typed is lost.
 */
export function ExceptionForm({
  action,
  repositories,
  reasonMaxLength,
  earliestExpiry,
}: {
  action: (state: ExceptionFormState, form: FormData) => Promise<ExceptionFormState>;
  repositories: string[];
  reasonMaxLength: number;
  /** Today in UTC as YYYY-MM-DD, the earliest expiry date the server accepts. */
  earliestExpiry: string;
}) {
  const [state, formAction, pending] = useActionState(action, initialState);
  const formRef = useRef<HTMLFormElement>(null);

  // Moves focus to the first invalid field, so keyboard and screen reader users land on the problem.
  useEffect(() => {
    const first = fieldOrder.find((name) => state.fieldErrors[name] !== undefined);
    if (first) formRef.current?.querySelector<HTMLElement>(`#${fieldId(first)}`)?.focus();
  }, [state]);

  const describe = (name: ExceptionField, help: boolean) => {
    const ids = [help ? `${fieldId(name)}-help` : null, state.fieldErrors[name] ? `${fieldId(name)}-error` : null].filter(Boolean);
    return ids.length > 0 ? ids.join(" ") : undefined;
  };
  const common = (name: ExceptionField, help = true) => ({
    id: fieldId(name),
    name,
    defaultValue: state.values[name],
    "aria-invalid": state.fieldErrors[name] ? true : undefined,
    "aria-describedby": describe(name, help),
    className: `${inputClass} ${state.fieldErrors[name] ? "border-red-600" : "border-slate-300"}`,
  });

  return (
    <form ref={formRef} action={formAction} aria-label="Add an exception" aria-busy={pending} className="grid gap-4 md:grid-cols-2">
      <Field name="vulnerabilityId" label="Vulnerability id" error={state.fieldErrors.vulnerabilityId} help="A CVE id such as CVE-2024-3094, or another OSV id such as GHSA-jfh8-c2jp-5v3q.">
        <input {...common("vulnerabilityId")} required autoComplete="off" spellCheck={false} placeholder="CVE-2024-3094" />
      </Field>
      <Field name="repository" label="Repository" error={state.fieldErrors.repository} help="Leave All repositories to apply it across the organization.">
        {/* React sets a select's defaultValue only when it mounts, and resets the form to it after every action, so the
            select is remounted whenever the value to show changes. */}
        <select key={state.values.repository} {...common("repository")}>
          <option value="">All repositories</option>
          {repositories.map((repository) => (
            <option key={repository} value={repository}>
              {repository}
            </option>
          ))}
        </select>
      </Field>
      <Field name="tagPattern" label="Tag pattern (optional)" error={state.fieldErrors.tagPattern} help="A glob on tag names, such as release-* or 1.*. Empty applies to every tag.">
        <input {...common("tagPattern")} autoComplete="off" spellCheck={false} placeholder="release-*" />
      </Field>
      <Field
        name="packagePattern"
        label="Package pattern (optional)"
        error={state.fieldErrors.packagePattern}
        help="A glob on the package URL or the package name, such as pkg:deb/debian/openssl* or libssl*. Empty applies to every package."
      >
        <input {...common("packagePattern")} autoComplete="off" spellCheck={false} placeholder="pkg:deb/debian/openssl*" />
      </Field>
      <Field name="reason" label="Reason" error={state.fieldErrors.reason} help={`Why the vulnerability does not apply, at most ${reasonMaxLength.toLocaleString("en-US")} characters.`}>
        <textarea {...common("reason")} required rows={3} maxLength={reasonMaxLength} />
      </Field>
      <Field name="expiresOn" label="Expiry date (optional)" error={state.fieldErrors.expiresOn} help="The exception stops applying at the end of this day, UTC. Empty never expires.">
        <input {...common("expiresOn")} type="date" min={earliestExpiry} />
      </Field>
      <div className="md:col-span-2">
        <button type="submit" disabled={pending} className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60">
          Add exception
        </button>
        {state.message && (
          <p role={state.ok ? "status" : "alert"} className={`mt-2 text-sm ${state.ok ? "text-green-800" : "text-red-800"}`}>
            {state.message}
          </p>
        )}
      </div>
    </form>
  );
}

function fieldId(name: ExceptionField): string {
  return `exception-${name}`;
}

function Field({ name, label, help, error, children }: { name: ExceptionField; label: string; help: string; error: string | undefined; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1 text-sm">
      <label htmlFor={fieldId(name)} className="font-medium">
        {label}
      </label>
      {children}
      <p id={`${fieldId(name)}-help`} className="text-slate-600">
        {help}
      </p>
      {error && (
        <p id={`${fieldId(name)}-error`} className="text-red-800" data-field-error={name}>
          {error}
        </p>
      )}
    </div>
  );
}
