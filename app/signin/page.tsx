import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { sameOriginPath } from "@/lib/auth/auth-options";
import { getViewer } from "@/lib/auth/get-viewer";
import { getEnv } from "@/lib/env";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

/** Only a path on this site is accepted as the page to return to, so the link cannot send people elsewhere. */
function safeCallback(value: string | string[] | undefined): string {
  const path = Array.isArray(value) ? value[0] : value;
  if (!path || !path.startsWith("/")) return "/";
  const resolved = sameOriginPath(path, "http://shipshape.internal");
  if (!resolved) return "/";
  const url = new URL(resolved);
  return `${url.pathname}${url.search}`;
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const callbackUrl = safeCallback((await searchParams).callbackUrl);
  if (await getViewer()) redirect(callbackUrl);
  const env = getEnv();
  return <SignInForm callbackUrl={callbackUrl} oidcName={env.OIDC_ISSUER ? env.OIDC_NAME : null} />;
}
