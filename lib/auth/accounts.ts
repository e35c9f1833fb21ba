import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashPassword, passwordProblem } from "@/lib/auth/password";

/** How long a set-password link stays valid. */
export const passwordTokenLifetimeMs = 72 * 60 * 60 * 1000;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Creates or updates an account; a given password is checked against the policy and stored as an argon2id hash. */
export async function upsertUser(prisma: PrismaClient, input: { email: string; password?: string; isSiteAdmin?: boolean; name?: string }) {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AppError("INVALID_INPUT", `"${input.email}" is not an e-mail address.`);
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  return prisma.user.upsert({
    where: { email },
    update: { passwordHash, isSiteAdmin: input.isSiteAdmin, name: input.name, sessionVersion: passwordHash === undefined ? undefined : { increment: 1 } },
    create: { email, passwordHash: passwordHash ?? null, isSiteAdmin: input.isSiteAdmin ?? false, name: input.name ?? null },
  });
}

/** Generates a password that meets the policy, for accounts created without one. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Issues a one-time set-password token; only its hash is stored. */
export async function issuePasswordToken(prisma: Pick<PrismaClient, "passwordToken">, userId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + passwordTokenLifetimeMs);
  await prisma.passwordToken.create({ data: { userId, tokenHash: hashToken(token), expiresAt } });
  return { token, expiresAt };
}

/**
 * Sets a password with a one-time token. A token that is unknown, used or
 * expired is rejected with the same message and changes nothing.
 */
export async function setPasswordWithToken(prisma: PrismaClient, token: string, password: string, now = new Date()): Promise<{ email: string }> {
  const invalid = new AppError("INVALID_INPUT", "This set-password link is invalid, expired or already used. Ask an organization owner for a new one.");
  const problem = passwordProblem(password);
  if (problem) throw new AppError("INVALID_INPUT", problem);

  const passwordHash = await hashPassword(password);
  return prisma.$transaction(async (tx) => {
    // The conditional update claims the token, so two concurrent uses cannot both succeed.
    const claimed = await tx.passwordToken.updateMany({
      where: { tokenHash: hashToken(token), usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) throw invalid;
    const record = await tx.passwordToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) }, include: { user: true } });
    // Every other link of the account stops working, and sessions signed in before the change end.
    await tx.passwordToken.updateMany({ where: { userId: record.userId, usedAt: null }, data: { usedAt: now } });
    await tx.user.update({ where: { id: record.userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    return { email: record.user.email };
  });
}
