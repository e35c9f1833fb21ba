"use client";

import { useActionState } from "react";
import { unsubscribeAction } from "@/app/notifications/unsubscribe/actions";

/** Renders the unsubscribe confirmation: a POST, so link scanners that only GET change nothing. */
export function UnsubscribeForm({ token }: { token: string }) {
  const [state, formAction, pending] = useActionState(unsubscribeAction, { done: false, message: "" });
  if (state.done) return <p role="status">{state.message}</p>;
  return (
    <form action={formAction} aria-busy={pending}>
      <input type="hidden" name="token" value={token} />
      <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800">Unsubscribe</button>
      {state.message && <p role="alert" className="mt-2 text-sm text-red-800">{state.message}</p>}
    </form>
  );
}
