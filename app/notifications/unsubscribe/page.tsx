import type { Metadata } from "next";
import { UnsubscribeForm } from "@/components/notifications/unsubscribe-form";
import { getPrisma } from "@/lib/db";
import { eventKinds, type EventKind } from "@/lib/notifications/event-kinds";
import { resolveUnsubscribeToken } from "@/lib/notifications/unsubscribe-token";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Unsubscribe" };

/** Shows which rule an unsubscribe link stops, with a confirmation button. Only the button's POST changes anything. */
export default async function UnsubscribePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const token = (await searchParams).token;
  const target = typeof token === "string" && token.length <= 512 ? await resolveUnsubscribeToken(getPrisma(), token) : null;
  if (!target || typeof token !== "string") {
    return (
      <div className="max-w-xl space-y-3">
        <h1 className="text-2xl font-semibold">Unsubscribe</h1>
        <p role="alert">This unsubscribe link is invalid or its rule no longer exists. Manage your rules under your notification settings after signing in.</p>
      </div>
    );
  }
  const events = target.events.map((kind) => eventKinds[kind as EventKind] ?? kind).join("; ");
  return (
    <div className="max-w-xl space-y-3">
      <h1 className="text-2xl font-semibold">Unsubscribe</h1>
      <p>
        Stop e-mail from this rule of <strong>{target.organization}</strong>
        {target.teamName ? <> (set for team <strong>{target.teamName}</strong>)</> : null}: {target.repository ?? "every repository"}, {events}.
      </p>
      {target.alreadyUnsubscribed ? <p role="status">You are already unsubscribed from this rule.</p> : <UnsubscribeForm token={token} />}
    </div>
  );
}
