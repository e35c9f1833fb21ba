"use client";

import { startTransition, useActionState, useEffect, useRef, type ReactNode } from "react";

interface ActionState {
  ok: boolean;
  message: string;
  link?: string;
}

/**
 * Renders a form that posts to a server action, showing the action's message (and a set-password link) after it.
 * The fields keep what was typed when the action reports an error, so it can be corrected, and are cleared after a success.
 */
export function ActionForm({
  action,
  children,
  className,
  label,
  confirmation,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  children: ReactNode;
  className?: string;
  label: string;
  /** A question to confirm before submitting, for changes that remove something. */
  confirmation?: string;
}) {
  const [state, formAction, pending] = useActionState(action, { ok: true, message: "" });
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.ok && state.message) form.current?.reset();
  }, [state]);
  return (
    <form
      ref={form}
      action={formAction}
      className={className}
      aria-label={label}
      aria-busy={pending}
      onSubmit={(event) => {
        // Submitting through the action prop would make React clear every field, even after an error.
        event.preventDefault();
        if (confirmation && !window.confirm(confirmation)) return;
        const data = new FormData(event.currentTarget, event.nativeEvent.submitter);
        startTransition(() => formAction(data));
      }}
    >
      {children}
      {state.message && (
        <p role="status" className={`mt-2 text-sm ${state.ok ? "text-green-800" : "text-red-800"}`}>
          {state.message}
          {state.link && (
            <>
              {" "}
              <a href={state.link} className="break-all font-mono underline" data-testid="set-password-link">
                {state.link}
              </a>
            </>
          )}
        </p>
      )}
    </form>
  );
}
