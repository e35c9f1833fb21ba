"use client";

import Link from "next/link";
import { useActionState } from "react";
import { setPasswordAction } from "@/app/set-password/actions";

export function SetPasswordForm({ token }: { token: string }) {
  const [state, formAction, pending] = useActionState(setPasswordAction, { ok: false, message: "" });
  if (state.ok) {
    return (
      <p role="status" className="text-green-800">
        {state.message}{" "}
        <Link href="/signin" className="underline">Sign in</Link>
      </p>
    );
  }
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <div>
        <label htmlFor="password" className="block text-sm font-medium">New password (at least 12 characters)</label>
        <input id="password" name="password" type="password" autoComplete="new-password" required minLength={12} className="mt-1 w-full rounded border border-slate-300 px-3 py-2" />
      </div>
      <div>
        <label htmlFor="confirmation" className="block text-sm font-medium">Repeat the password</label>
        <input id="confirmation" name="confirmation" type="password" autoComplete="new-password" required className="mt-1 w-full rounded border border-slate-300 px-3 py-2" />
      </div>
      {state.message && <p role="alert" className="rounded bg-red-50 p-2 text-sm text-red-800">{state.message}</p>}
      <button type="submit" disabled={pending} className="w-full rounded bg-blue-700 px-3 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60">
        Set password
      </button>
    </form>
  );
}
