import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { getViewer } from "@/lib/auth/get-viewer";
import { getEnv } from "@/lib/env";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

/** Only same-site paths are accepted as the page to return to, so the link cannot send people elsewhere. */
function safeCallback(value: string | string[] | undefined): string {
  const path = Array.isArray(value) ? value[0] : value;
  return path && path.startsWith("/") && !path.startsWith("//") ? path : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const callbackUrl = safeCallback((await searchParams).callbackUrl);
  if (await getViewer()) redirect(callbackUrl);
  const env = getEnv();
  return <SignInForm callbackUrl={callbackUrl} oidcName={env.OIDC_ISSUER ? env.OIDC_NAME : null} />;
}
