import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashToken, TOKEN_PREFIX } from "@/lib/api/api-tokens";

/** Path of the settings page that creates tokens, named in every authentication error. */
export const TOKEN_SETTINGS_PATH = "/settings/tokens";

/** How often a token's last-used time is written, in milliseconds, so a busy CI job does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Longest Authorization header read, in characters. A token is 47; anything much longer is not one. */
const MAX_HEADER_LENGTH = 512;

const fix = `Create a personal access token under ${TOKEN_SETTINGS_PATH} and send it as "Authorization: Bearer TOKEN".`;

/**
 * Resolves the user of a request's `Authorization: Bearer` token and records
 * when the token was used. Throws UNAUTHORIZED, with a message naming the
 * problem and the fix, when the header is missing or malformed, or the token
 * is unknown, revoked, expired, or belongs to a disabled account.
 * `details.challenge` is false only for a missing header, where RFC 6750
 * section 3.1 says the response names no error.
 */
export async function authenticateToken(authorization: string | null, options: { now?: Date } = {}): Promise<Viewer> {
  if (authorization === null || authorization.trim() === "") {
    throw new AppError("UNAUTHORIZED", `The Authorization header is missing. ${fix}`, { details: { challenge: false } });
  }
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization.slice(0, MAX_HEADER_LENGTH));
  if (match === null || authorization.length > MAX_HEADER_LENGTH) {
    throw new AppError("UNAUTHORIZED", `The Authorization header is not a Bearer token. ${fix}`);
  }
  const token = match[1]!;
  if (!token.startsWith(TOKEN_PREFIX)) {
    throw new AppError("UNAUTHORIZED", `The bearer token is not a Shipshape token: they start with "${TOKEN_PREFIX}". ${fix}`);
  }

  const now = options.now ?? new Date();
  const prisma = getPrisma();
  const stored = await prisma.apiToken.findUnique({
    where: { secretHash: hashToken(token) },
    select: { id: true, name: true, expiresAt: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, email: true, name: true, isSiteAdmin: true, disabledAt: true } } },
  });
  if (stored === null || stored.user.disabledAt !== null) {
    throw new AppError("UNAUTHORIZED", `The bearer token is not valid: no active account has it. Check that it was copied whole. ${fix}`);
  }
  if (stored.revokedAt !== null) {
    throw new AppError("UNAUTHORIZED", `The token "${stored.name}" was revoked at ${stored.revokedAt.toISOString()}. ${fix}`);
  }
  if (stored.expiresAt !== null && stored.expiresAt <= now) {
    throw new AppError("UNAUTHORIZED", `The token "${stored.name}" expired at ${stored.expiresAt.toISOString()}. ${fix}`);
  }

  if (stored.lastUsedAt === null || now.getTime() - stored.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await prisma.apiToken.update({ where: { id: stored.id }, data: { lastUsedAt: now } });
  }
  const { user } = stored;
  return { id: user.id, email: user.email, name: user.name, isSiteAdmin: user.isSiteAdmin };
}
