import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getPrisma } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/log";
import { oidcProfile } from "@/lib/auth/oidc-profile";
import { getDecoyHash, maxPasswordLength, verifyPassword } from "@/lib/auth/password";
import { clearFailedSignIns, isThrottled, recordFailedSignIn, throttleKey } from "@/lib/auth/sign-in-throttle";

/** The same words for an unknown e-mail and a wrong password, so sign-in reveals no account. */
export const invalidCredentialsMessage = "The e-mail or password is incorrect.";
export const throttledMessage = "Too many failed sign-ins. Wait 15 minutes and try again.";

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  password: z.string().min(1).max(maxPasswordLength),
});

/** Reads the client address from the proxy headers Next.js sets; "unknown" when there are none. */
function clientAddress(headers: Record<string, unknown> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const value = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  return typeof value === "string" && value.length > 0 ? (value.split(",")[0] ?? "unknown").trim() : "unknown";
}

/** Checks an e-mail and password sign-in; returns the user, or throws a message for the sign-in page. */
export async function authorizeCredentials(input: unknown, address: string) {
  const prisma = getPrisma();
  const parsed = credentialsSchema.safeParse(input);
  const email = parsed.success ? parsed.data.email : "invalid";
  const accountKey = throttleKey("account", email);
  const addressKey = throttleKey("address", address);

  if (await isThrottled(prisma, [accountKey, addressKey])) {
    logger.warn({ address }, "sign-in rejected: throttled");
    throw new Error(throttledMessage);
  }

  const user = parsed.success ? await prisma.user.findUnique({ where: { email } }) : null;
  const password = parsed.success ? parsed.data.password : "";
  // Verify against a decoy hash when there is no usable account, so timing reveals nothing either.
  const storedHash = user?.passwordHash && !user.disabledAt ? user.passwordHash : await getDecoyHash();
  const valid = (await verifyPassword(storedHash, password)) && user !== null && user.passwordHash !== null && !user.disabledAt;

  if (!valid || !user) {
    await recordFailedSignIn(prisma, [
      { kind: "account", key: accountKey },
      { kind: "address", key: addressKey },
    ]);
    logger.info({ address }, "sign-in failed");
    throw new Error(invalidCredentialsMessage);
  }

  await clearFailedSignIns(prisma, accountKey);
  logger.info({ userId: user.id }, "signed in");
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
}

/**
 * Returns the absolute same-origin URL for `target`, or null when it points
 * elsewhere or cannot be parsed. Backslashes and control characters are
 * rejected because browsers read `/\\host` as another host.
 */
export function sameOriginPath(target: string, baseUrl: string): string | null {
  if (/[\\\u0000-\u001f]/.test(target)) return null;
  try {
    const base = new URL(baseUrl);
    const resolved = new URL(target, base);
    return resolved.origin === base.origin ? resolved.toString() : null;
  } catch {
    return null;
  }
}

let cached: NextAuthOptions | undefined;

/** next-auth configuration: e-mail and password, plus OpenID Connect when configured. JWT sessions in http-only cookies. */
export function getAuthOptions(): NextAuthOptions {
  if (cached) return cached;
  const env = getEnv();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "E-mail and password",
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, request) => authorizeCredentials(credentials, clientAddress(request?.headers)),
    }),
  ];

  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) {
    const issuer = env.OIDC_ISSUER;
    providers.push({
      id: "oidc",
      name: env.OIDC_NAME,
      type: "oauth",
      wellKnown: `${env.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile: (profile: { sub: string; email?: string; name?: string }, tokens: { access_token?: string }) => oidcProfile(issuer, profile, tokens.access_token),
    });
  }

  cached = {
    secret: env.NEXTAUTH_SECRET,
    providers,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
    callbacks: {
      // An OpenID Connect sign-in is matched to the account with the same e-mail; a new e-mail gets an account with no memberships.
      async signIn({ user, account }) {
        if (account?.provider !== "oidc") return true;
        const email = user.email?.trim().toLowerCase();
        if (!email) return false;
        const stored = await getPrisma().user.upsert({ where: { email }, update: {}, create: { email, name: user.name ?? null } });
        if (stored.disabledAt) return false;
        user.id = stored.id;
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          const stored = await getPrisma().user.findUnique({ where: { id: user.id }, select: { sessionVersion: true } });
          token.sv = stored?.sessionVersion ?? 0;
        }
        return token;
      },
      async session({ session, token }) {
        return { ...session, uid: token.uid, sv: token.sv };
      },
      // Only same-origin addresses are followed after sign-in and sign-out; anything else, or an unparseable one, goes home.
      async redirect({ url, baseUrl }) {
        return sameOriginPath(url, baseUrl) ?? baseUrl;
      },
    },
    events: {
      // Signing out ends every session of the account, not only the cookie in this browser.
      async signOut({ token }) {
        const userId = typeof token?.uid === "string" ? token.uid : null;
        if (userId) await getPrisma().user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
      },
    },
    logger: {
      error: (code, metadata) => logger.error({ code, metadata }, "next-auth error"),
      warn: (code) => logger.warn({ code }, "next-auth warning"),
      debug: () => undefined,
    },
  };
  return cached;
}
