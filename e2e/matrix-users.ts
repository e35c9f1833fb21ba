import { demoAccounts } from "@/lib/auth/demo-credentials";

/** The users of the access matrix, with the demo organization's owner and read-only member among them. */
export const users = {
  owner: demoAccounts.owner,
  member: demoAccounts.member,
  outsider: { email: "outsider@example.com", password: "outsider-password-1" },
  admin: { email: "admin@example.com", password: "site-admin-password-1" },
} as const;

export type MatrixUser = keyof typeof users | "anonymous";

/** An account used only by the sign-out test, because signing out ends all of an account's sessions. */
export const leaver = { email: "leaver@example.com", password: "leaver-password-1" } as const;
