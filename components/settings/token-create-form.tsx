"use client";

import { useActionState } from "react";

import { CopyButton } from "@/components/copy-button";

interface TokenActionState {
  ok: boolean;
  message: string;
  token?: string;
}

const inputClass = "rounded border border-slate-300 px-2 py-1";

/**
 * Renders the form that creates a token, and after it the new token once, with
 * a copy button. The token lives only in this component's state, so a reload
 * shows it no more.
 */
export function TokenCreateForm({
  action,
  lifetimes,
  maxNameLength,
}: {
  action: (state: TokenActionState, form: FormData) => Promise<TokenActionState>;
  lifetimes: readonly string[];
  maxNameLength: number;
}) {
  const [state, formAction, pending] = useActionState(action, { ok: true, message: "" });
  return (
    <form action={formAction} aria-label="Create a token" aria-busy={pending} className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-sm">
          Name
          <input name="name" required maxLength={maxNameLength} placeholder="CI" className={inputClass} />
        </label>
        <label className="flex flex-col text-sm">
          Expires after
          <select name="expiry" defaultValue="90" className={inputClass}>
            {lifetimes.map((lifetime) => (
              <option key={lifetime} value={lifetime}>
                {lifetime === "never" ? "Never" : `${lifetime} days`}
              </option>
            ))}
          </select>
        </label>
        <span className="text-sm text-slate-600">Scope: read</span>
        <button type="submit" disabled={pending} className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800">
          Create token
        </button>
      </div>
      {state.message && (
        <p role="status" className={`text-sm ${state.ok ? "text-green-800" : "text-red-800"}`}>
          {state.message}
        </p>
      )}
      {state.token && (
        <p className="flex flex-wrap items-center gap-2 rounded border border-amber-300 bg-amber-50 p-2">
          <code data-testid="new-token" className="break-all font-mono text-sm">
            {state.token}
          </code>
          <CopyButton text={state.token} label="new token" />
        </p>
      )}
    </form>
  );
}
