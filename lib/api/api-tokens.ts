import { createHash, randomBytes } from "node:crypto";

import type { Viewer } from "@/lib/auth/get-viewer";
import { recordAuditEvent } from "@/lib/data/settings/record-audit-event";
import { getPrisma } from "@/lib/db";
import { controlCharacterProblem } from "@/lib/data/settings/form-text";
import { AppError } from "@/lib/errors";

/** Prefix of every token, so secret scanners and people can recognise a Shipshape token. */
export const TOKEN_PREFIX = "shp_";

/** Scopes a token can carry. Every token is read-only for now, and the column is a list so that write scopes can come later. */
export const tokenScopes = ["read"] as const;
export type TokenScope = (typeof tokenScopes)[number];

/** Maximum length of a token name, in characters. */
export const MAX_TOKEN_NAME_LENGTH = 64;

/** Maximum lifetime a token can be given, in days. */
export const MAX_TOKEN_LIFETIME_DAYS = 366;

/** Lifetimes the settings page offers, in days, and "never". */
export const tokenLifetimes = ["7", "30", "90", "365", "never"] as const;

/** Maximum number of tokens a user can have that are neither revoked nor expired. */
export const MAX_ACTIVE_TOKENS = 50;

/** 32 random bytes: 256 bits, so the stored SHA-256 needs no salt or slow hash to resist guessing. */
const SECRET_BYTES = 32;

/** Characters of the token shown in lists: the prefix and 8 characters of the secret. */
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;

export interface ApiTokenSummary {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const summarySelect = { id: true, name: true, displayPrefix: true, scopes: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true } as const;

/** Hashes a whole token as it is stored: SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Creates a read-scoped token for the viewer and records it in the audit log.
 * Returns the token itself, which is not stored and cannot be shown again.
 * Throws INVALID_INPUT for a bad name or lifetime and CONFLICT when the viewer
 * already has MAX_ACTIVE_TOKENS usable tokens.
 */
export async function createApiToken(
  viewer: Viewer,
  input: { name: string; expiresInDays: number | null },
  options: { now?: Date } = {},
): Promise<{ token: string; summary: ApiTokenSummary }> {
  const name = input.name.trim();
  if (name === "") throw new AppError("INVALID_INPUT", 'The token name is missing. Enter a name for where the token is used, such as "CI".');
  const control = controlCharacterProblem("The token name", name);
  if (control !== null) throw new AppError("INVALID_INPUT", control);
  if (name.length > MAX_TOKEN_NAME_LENGTH) {
    throw new AppError("INVALID_INPUT", `The token name is ${name.length} characters long, and the maximum is ${MAX_TOKEN_NAME_LENGTH}. Enter a shorter name.`);
  }
  const days = input.expiresInDays;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_LIFETIME_DAYS)) {
    throw new AppError("INVALID_INPUT", `The expiry "${days}" is not valid. Give a whole number of days from 1 to ${MAX_TOKEN_LIFETIME_DAYS}, or no expiry.`);
  }

  const now = options.now ?? new Date();
  const token = `${TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString("base64url")}`;
  const expiresAt = days === null ? null : new Date(now.getTime() + days * 24 * 60 * 60 * 1000);

  const summary = await getPrisma().$transaction(async (tx) => {
    const active = await tx.apiToken.count({ where: { userId: viewer.id, ...usableTokenWhere(now) } });
    if (active >= MAX_ACTIVE_TOKENS) {
      throw new AppError("CONFLICT", `You already have ${active} active tokens, the maximum. Revoke a token you no longer use, then create this one.`);
    }
    const created = await tx.apiToken.create({
      data: { userId: viewer.id, name, displayPrefix: token.slice(0, DISPLAY_PREFIX_LENGTH), secretHash: hashToken(token), scopes: ["read"], expiresAt, createdAt: now },
      select: summarySelect,
    });
    await recordAuditEvent(tx, {
      organizationId: null,
      actorId: viewer.id,
      action: "token.created",
      target: name,
      details: { tokenId: created.id, scopes: created.scopes, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  return { token, summary };
}

/** Lists the viewer's tokens, newest first, without their secrets. */
export async function listApiTokens(viewer: Viewer): Promise<ApiTokenSummary[]> {
  return getPrisma().apiToken.findMany({ where: { userId: viewer.id }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: summarySelect });
}

/**
 * Revokes one of the viewer's tokens and records it in the audit log.
 * Throws NOT_FOUND when the viewer has no token with that id, so one user
 * cannot learn or touch another's tokens. Revoking a revoked token changes nothing.
 */
export async function revokeApiToken(viewer: Viewer, tokenId: string, options: { now?: Date } = {}): Promise<ApiTokenSummary> {
  const now = options.now ?? new Date();
  return getPrisma().$transaction(async (tx) => {
    const token = await tx.apiToken.findFirst({ where: { id: tokenId, userId: viewer.id }, select: summarySelect });
    if (token === null) throw new AppError("NOT_FOUND", `Token ${tokenId} was not found among your tokens. Reload the page to see your current tokens.`);
    if (token.revokedAt !== null) return token;

    const revoked = await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt: now }, select: summarySelect });
    await recordAuditEvent(tx, { organizationId: null, actorId: viewer.id, action: "token.revoked", target: token.name, details: { tokenId: token.id } });
    return revoked;
  });
}

/** Number of audit events the tokens page lists. */
export const TOKEN_EVENTS_LISTED = 20;

/** Lists the viewer's latest token audit events, newest first: creations and revocations. */
export async function listTokenEvents(viewer: Viewer) {
  return getPrisma().auditEvent.findMany({
    where: { actorId: viewer.id, organizationId: null, action: { in: ["token.created", "token.revoked"] } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: TOKEN_EVENTS_LISTED,
    select: { id: true, action: true, target: true, createdAt: true },
  });
}

/** Tokens that are neither revoked nor expired at `now`. */
export function usableTokenWhere(now: Date) {
  return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}
