import { beforeEach, describe, expect, test } from "vitest";

import { authenticateToken } from "@/lib/api/authenticate-token";
import { createApiToken, hashToken, listApiTokens, listTokenEvents, MAX_ACTIVE_TOKENS, revokeApiToken } from "@/lib/api/api-tokens";
import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

const prisma = getPrisma();

async function userNamed(email: string): Promise<Viewer> {
  const user = await upsertUser(prisma, { email, password: "long-enough-password-1" });
  return { id: user.id, email: user.email, name: null, isSiteAdmin: false };
}

async function rejection(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("API tokens", () => {
  let alice: Viewer;
  let bob: Viewer;

  beforeEach(async () => {
    await resetDatabase();
    alice = await userNamed("alice@example.com");
    bob = await userNamed("bob@example.com");
  });

  test("token is prefixed and stored hashed", async () => {
    const { token, summary } = await createApiToken(alice, { name: " CI ", expiresInDays: 30 }, { now: new Date("2026-12-01T00:00:00Z") });
    const stored = await prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } });

    expect(token).toMatch(/^shp_[A-Za-z0-9_-]{43}$/);
    expect(stored.secretHash).toBe(hashToken(token));
    expect(stored.secretHash).not.toContain(token.slice(4));
    expect(stored.displayPrefix).toBe(token.slice(0, 12));
    expect(stored.name).toBe("CI");
    expect(stored.scopes).toEqual(["read"]);
    expect(stored.expiresAt).toEqual(new Date("2026-12-31T00:00:00Z"));
  });

  test("two tokens differ", async () => {
    const first = await createApiToken(alice, { name: "a", expiresInDays: null });
    const second = await createApiToken(alice, { name: "b", expiresInDays: null });
    expect(first.token).not.toBe(second.token);
  });

  test("list has no secrets", async () => {
    await createApiToken(alice, { name: "CI", expiresInDays: null });
    await createApiToken(bob, { name: "other", expiresInDays: null });
    const tokens = await listApiTokens(alice);

    expect(tokens.map((token) => token.name)).toEqual(["CI"]);
    expect(Object.keys(tokens[0]!).sort()).toEqual(["createdAt", "displayPrefix", "expiresAt", "id", "lastUsedAt", "name", "revokedAt", "scopes"]);
  });

  test("creation and revocation are audited", async () => {
    const { summary } = await createApiToken(alice, { name: "CI", expiresInDays: 7 });
    await revokeApiToken(alice, summary.id);
    const events = await prisma.auditEvent.findMany({ where: { actorId: alice.id }, orderBy: { createdAt: "asc" } });

    expect(events.map((event) => [event.action, event.target, event.organizationId])).toEqual([
      ["token.created", "CI", null],
      ["token.revoked", "CI", null],
    ]);
    expect((await listTokenEvents(alice)).map((event) => event.action)).toEqual(["token.revoked", "token.created"]);
    expect(await listTokenEvents(bob)).toEqual([]);
  });

  test("revoked token stops authenticating", async () => {
    const { token, summary } = await createApiToken(alice, { name: "CI", expiresInDays: null });
    expect((await authenticateToken(`Bearer ${token}`)).id).toBe(alice.id);

    await revokeApiToken(alice, summary.id);
    const error = await rejection(authenticateToken(`Bearer ${token}`));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toContain('The token "CI" was revoked');
  });

  test("expiry is checked at use", async () => {
    const { token } = await createApiToken(alice, { name: "CI", expiresInDays: 1 }, { now: new Date("2026-12-01T00:00:00Z") });
    expect((await authenticateToken(`Bearer ${token}`, { now: new Date("2026-12-01T23:59:59Z") })).id).toBe(alice.id);

    const error = await rejection(authenticateToken(`Bearer ${token}`, { now: new Date("2026-12-02T00:00:00Z") }));
    expect(error.message).toContain("expired at 2026-12-02T00:00:00.000Z");
  });

  test("disabled account's token is invalid", async () => {
    const { token } = await createApiToken(alice, { name: "CI", expiresInDays: null });
    await prisma.user.update({ where: { id: alice.id }, data: { disabledAt: new Date() } });
    const error = await rejection(authenticateToken(`Bearer ${token}`));
    expect(error.message).toContain("no active account has it");
  });

  test("another user's token is not found", async () => {
    const { summary } = await createApiToken(alice, { name: "CI", expiresInDays: null });
    const error = await rejection(revokeApiToken(bob, summary.id));
    const stored = await prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } });

    expect(error.code).toBe("NOT_FOUND");
    expect(stored.revokedAt).toBeNull();
  });

  test.each<[string, { name: string; expiresInDays: number | null }, string]>([
    ["empty name", { name: "  ", expiresInDays: null }, "The token name is missing."],
    ["long name", { name: "x".repeat(65), expiresInDays: null }, "65 characters long, and the maximum is 64"],
    ["control character", { name: "CI\u202e\u0000", expiresInDays: null }, "The token name contains the control character U+202E at position 3"],
    ["zero days", { name: "CI", expiresInDays: 0 }, 'The expiry "0" is not valid.'],
    ["fractional days", { name: "CI", expiresInDays: 1.5 }, 'The expiry "1.5" is not valid.'],
    ["too many days", { name: "CI", expiresInDays: 367 }, 'The expiry "367" is not valid.'],
  ])("rejects %s", async (_case, input, message) => {
    const error = await rejection(createApiToken(alice, input));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain(message);
  });

  test("active tokens are capped", async () => {
    await prisma.apiToken.createMany({
      data: Array.from({ length: MAX_ACTIVE_TOKENS }, (_, i) => ({ userId: alice.id, name: `t${i}`, displayPrefix: "shp_x", secretHash: `hash-${i}`, scopes: ["read"] })),
    });
    const error = await rejection(createApiToken(alice, { name: "one more", expiresInDays: null }));
    expect(error.code).toBe("CONFLICT");

    await prisma.apiToken.updateMany({ where: { name: "t0" }, data: { revokedAt: new Date() } });
    await expect(createApiToken(alice, { name: "one more", expiresInDays: null })).resolves.toBeDefined();
  });
});
