import type { Metadata } from "next";
import Link from "next/link";

import { createTokenAction, revokeTokenAction } from "@/app/settings/tokens/actions";
import { formatDate } from "@/components/format";
import { ActionForm } from "@/components/settings/action-form";
import { TokenCreateForm } from "@/components/settings/token-create-form";
import { listApiTokens, listTokenEvents, MAX_TOKEN_NAME_LENGTH, tokenLifetimes, type ApiTokenSummary } from "@/lib/api/api-tokens";
import { requireViewer } from "@/lib/auth/get-viewer";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Access tokens" };

function tokenState(token: ApiTokenSummary, now: Date): "Active" | "Revoked" | "Expired" {
  if (token.revokedAt !== null) return "Revoked";
  if (token.expiresAt !== null && token.expiresAt <= now) return "Expired";
  return "Active";
}

/** Lists the signed-in user's personal access tokens, creates new ones and revokes them. */
export default async function TokensPage() {
  const viewer = await requireViewer();
  const [tokens, events] = await Promise.all([listApiTokens(viewer), listTokenEvents(viewer)]);
  const now = new Date();

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Access tokens</h1>
        <p className="mt-1 text-sm text-slate-600">
          A personal access token lets a script, a CI job or <code>shipshape score --server</code> read what you can read, through the JSON API under{" "}
          <code>/api/v1</code>. Send it as <code>Authorization: Bearer TOKEN</code>. The API is described in{" "}
          <Link href="/api/v1/openapi.json" className="text-blue-700 underline">
            its OpenAPI document
          </Link>
          . Tokens are read-only.
        </p>
      </div>

      <section aria-labelledby="create-token" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="create-token" className="mb-3 font-semibold">Create a token</h2>
        <TokenCreateForm action={createTokenAction} lifetimes={tokenLifetimes} maxNameLength={MAX_TOKEN_NAME_LENGTH} />
      </section>

      <section aria-labelledby="your-tokens" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="your-tokens" className="mb-3 font-semibold">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-600">You have no tokens yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-slate-500">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">Name</th>
                <th scope="col" className="py-1 pr-3 font-medium">Token</th>
                <th scope="col" className="py-1 pr-3 font-medium">Scope</th>
                <th scope="col" className="py-1 pr-3 font-medium">Created</th>
                <th scope="col" className="py-1 pr-3 font-medium">Expires</th>
                <th scope="col" className="py-1 pr-3 font-medium">Last used</th>
                <th scope="col" className="py-1 pr-3 font-medium">State</th>
                <th scope="col" className="py-1 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => {
                const state = tokenState(token, now);
                return (
                  <tr key={token.id} data-token={token.name} className="border-t border-slate-100">
                    <td className="py-1 pr-3">{token.name}</td>
                    <td className="py-1 pr-3 font-mono">{token.displayPrefix}…</td>
                    <td className="py-1 pr-3">{token.scopes.join(", ")}</td>
                    <td className="py-1 pr-3">{formatDate(token.createdAt)}</td>
                    <td className="py-1 pr-3">{token.expiresAt ? formatDate(token.expiresAt) : "Never"}</td>
                    <td className="py-1 pr-3">{token.lastUsedAt ? formatDate(token.lastUsedAt) : "Never"}</td>
                    <td className="py-1 pr-3">{state}</td>
                    <td className="py-1">
                      {state === "Active" && (
                        <ActionForm action={revokeTokenAction} label={`Revoke ${token.name}`} confirmation={`Revoke the token ${token.name}? Scripts that use it stop working.`}>
                          <input type="hidden" name="tokenId" value={token.id} />
                          <button type="submit" className="text-sm text-red-700 hover:underline">
                            Revoke
                          </button>
                        </ActionForm>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      {events.length > 0 && (
        <section aria-labelledby="token-activity" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="token-activity" className="mb-3 font-semibold">Recent changes</h2>
          <ul className="space-y-1 text-sm">
            {events.map((event) => (
              <li key={event.id} data-action={event.action}>
                {formatDate(event.createdAt)}: {event.action === "token.created" ? "created" : "revoked"} {event.target}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
