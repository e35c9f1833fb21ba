import { z } from "zod";
import { AppError } from "@/lib/errors";

const discoverySchema = z.object({ userinfo_endpoint: z.string().url() });
const userinfoSchema = z.object({ sub: z.string(), email: z.string().optional(), name: z.string().optional() });

let userinfoEndpoint: Promise<string> | undefined;

async function findUserinfoEndpoint(issuer: string): Promise<string> {
  const response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new AppError("CONFIGURATION", `The OpenID Connect discovery document of ${issuer} returned status ${response.status}. Check OIDC_ISSUER.`);
  return discoverySchema.parse(await response.json()).userinfo_endpoint;
}

/**
 * Returns the user's subject, e-mail and name. Providers that follow the
 * OpenID Connect core rules strictly put the e-mail in the userinfo response
 * rather than the ID token, so it is fetched from there when the token has none.
 */
export async function oidcProfile(
  issuer: string,
  claims: { sub: string; email?: string; name?: string },
  accessToken: string | undefined,
): Promise<{ id: string; email: string | null; name: string | null }> {
  if (claims.email || !accessToken) return { id: claims.sub, email: claims.email ?? null, name: claims.name ?? null };
  userinfoEndpoint ??= findUserinfoEndpoint(issuer);
  const response = await fetch(await userinfoEndpoint, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new AppError("UNAUTHORIZED", `The OpenID Connect userinfo endpoint returned status ${response.status}.`);
  const userinfo = userinfoSchema.parse(await response.json());
  if (userinfo.sub !== claims.sub) throw new AppError("UNAUTHORIZED", "The userinfo response names another user than the ID token.");
  return { id: claims.sub, email: userinfo.email ?? null, name: userinfo.name ?? claims.name ?? null };
}
