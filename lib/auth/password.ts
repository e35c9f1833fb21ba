import { hash, verify } from "@node-rs/argon2";
import { AppError } from "@/lib/errors";

export const minPasswordLength = 12;
/** Longer input is rejected before hashing, so a huge password cannot tie up the server. */
export const maxPasswordLength = 256;

/** Checks the password policy; returns the problem in words, or null when the password is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < minPasswordLength) return `The password must be at least ${minPasswordLength} characters long.`;
  if (password.length > maxPasswordLength) return `The password must be at most ${maxPasswordLength} characters long.`;
  if (password.trim().length === 0) return "The password must not be only spaces.";
  return null;
}

/** Hashes a password with argon2id (the package's defaults: 19 MiB memory, 2 iterations). */
export async function hashPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new AppError("INVALID_INPUT", problem);
  return hash(password);
}

/** Verifies a password against a stored hash; false for a malformed hash rather than an error. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  if (password.length > maxPasswordLength) return false;
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, so unknown e-mails cost the same time as known ones. */
let decoyHash: Promise<string> | undefined;
export function getDecoyHash(): Promise<string> {
  decoyHash ??= hash(crypto.randomUUID() + crypto.randomUUID());
  return decoyHash;
}
