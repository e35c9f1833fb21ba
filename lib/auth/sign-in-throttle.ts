import type { PrismaClient } from "@/lib/db";

/**
 * Rate limits for failed sign-ins, per account and per client address. After
 * `maxFailures` failures within `windowMs` the key is locked for `lockMs`.
 */
export const throttlePolicy = {
  account: { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  address: { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
} as const;

export type ThrottleKind = keyof typeof throttlePolicy;

export function throttleKey(kind: ThrottleKind, value: string): string {
  return `${kind}:${value.toLowerCase()}`;
}

/** Returns whether any of the keys is locked at `now`. */
export async function isThrottled(prisma: PrismaClient, keys: string[], now = new Date()): Promise<boolean> {
  const locked = await prisma.signInThrottle.count({ where: { key: { in: keys }, lockedUntil: { gt: now } } });
  return locked > 0;
}

/** Counts a failed sign-in against each key and locks the keys that reach their limit. */
export async function recordFailedSignIn(prisma: PrismaClient, keys: { kind: ThrottleKind; key: string }[], now = new Date()): Promise<void> {
  for (const { kind, key } of keys) {
    const policy = throttlePolicy[kind];
    const existing = await prisma.signInThrottle.findUnique({ where: { key } });
    const windowExpired = !existing || now.getTime() - existing.windowStart.getTime() > policy.windowMs;
    const failures = windowExpired ? 1 : existing.failures + 1;
    const lockedUntil = failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockMs) : (existing?.lockedUntil ?? null);
    await prisma.signInThrottle.upsert({
      where: { key },
      update: { failures, windowStart: windowExpired ? now : existing.windowStart, lockedUntil },
      create: { key, failures, windowStart: now, lockedUntil },
    });
  }
}

/** Forgets an account's failures after a successful sign-in. */
export async function clearFailedSignIns(prisma: PrismaClient, key: string): Promise<void> {
  await prisma.signInThrottle.deleteMany({ where: { key } });
}
