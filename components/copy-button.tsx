"use client";

import { useEffect, useRef, useState } from "react";

/** How long the confirmation stays on the button, in milliseconds. */
const CONFIRMATION_MS = 2500;

/**
 * Renders a button that copies `text` to the clipboard and confirms it on the
 * button and to screen readers. Browsers offer the Clipboard API only on https
 * and localhost, so elsewhere the button shows the text selected in a field
 * for copying by hand. `label` names what is copied, such as "digest of 1.0".
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const field = useRef<HTMLInputElement>(null);

  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    if (state === "failed") field.current?.select();
  }, [state]);

  async function copy() {
    clearTimeout(timer.current);
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
      timer.current = setTimeout(() => setState("idle"), CONFIRMATION_MS);
    } catch {
      // navigator.clipboard is undefined outside secure contexts, and writeText rejects when permission is denied.
      setState("failed");
    }
  }

  let statusText = "";
  if (state === "copied") statusText = `Copied the ${label} to the clipboard.`;
  if (state === "failed") statusText = `Could not copy the ${label}: the browser blocked the clipboard. The ${label} is selected in a field to copy by hand.`;

  const buttonClass =
    state === "copied"
      ? "border-green-700 bg-green-700 text-white"
      : "border-slate-300 bg-white text-slate-700 hover:border-slate-500 hover:text-slate-900";

  return (
    <span className="inline-flex items-center gap-2">
      <button type="button" onClick={copy} className={`rounded border px-1.5 py-0.5 font-sans text-xs whitespace-nowrap ${buttonClass}`} data-copy-state={state}>
        {state === "copied" ? (
          <>
            <span aria-hidden="true">✓ </span>Copied
          </>
        ) : (
          "Copy"
        )}
        <span className="sr-only"> {label}</span>
      </button>
      {state === "failed" && (
        <input
          ref={field}
          readOnly
          value={text}
          aria-label={`${label}: copy it with Ctrl+C or ⌘C`}
          className="w-48 rounded border border-amber-400 bg-amber-50 px-1 font-mono text-xs"
          onBlur={() => setState("idle")}
        />
      )}
      <span role="status" className="sr-only">
        {statusText}
      </span>
    </span>
  );
}
