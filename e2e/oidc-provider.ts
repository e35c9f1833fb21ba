import type { Server } from "node:http";
import Provider from "oidc-provider";

export const oidcClient = { id: "shipshape-e2e", secret: "e2e-client-secret-value" };

/** Accounts of the test identity provider: any login name signs in, and its e-mail is `<login>@sso.example.com`. */
export function ssoEmail(login: string): string {
  return `${login}@sso.example.com`;
}

/**
 * Starts a real OpenID Connect provider (the oidc-provider package, with its
 * development login and consent pages) on 127.0.0.1, for the single sign-on test.
 */
export async function startOidcProvider(port: number, appUrl: string): Promise<{ issuer: string; stop(): Promise<void> }> {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: oidcClient.id,
        client_secret: oidcClient.secret,
        redirect_uris: [`${appUrl}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: async (_context, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: ssoEmail(id), email_verified: true, name: `SSO user ${id}` }),
    }),
    cookies: { keys: ["e2e-cookie-signing-key-0123456789"] },
    pkce: { required: () => true },
  });
  const server: Server = provider.listen(port, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    issuer,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
