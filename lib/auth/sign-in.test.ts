import { beforeEach, describe, expect, test } from "vitest";
import { issuePasswordToken, setPasswordWithToken, upsertUser } from "@/lib/auth/accounts";
import { authorizeCredentials, invalidCredentialsMessage, sameOriginPath, throttledMessage } from "@/lib/auth/auth-options";
import { verifyPassword } from "@/lib/auth/password";
import { throttlePolicy } from "@/lib/auth/sign-in-throttle";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";

const prisma = getPrisma();
const email = "person@example.com";
const password = "correct-horse-battery";

describe("authorizeCredentials", () => {
  beforeEach(async () => {
    await resetDatabase();
    await upsertUser(prisma, { email, password });
  });

  test("right password signs in", async () => {
    const user = await authorizeCredentials({ email: "Person@Example.com", password }, "127.0.0.1");
    expect(user.email).toBe(email);
  });

  test("wrong password and unknown e-mail read alike", async () => {
    await expect(authorizeCredentials({ email, password: "wrong-password-123" }, "127.0.0.1")).rejects.toThrow(invalidCredentialsMessage);
    await expect(authorizeCredentials({ email: "nobody@example.com", password }, "127.0.0.1")).rejects.toThrow(invalidCredentialsMessage);
  });

  test("over-long password is rejected without hashing", async () => {
    await expect(authorizeCredentials({ email, password: "x".repeat(10_000) }, "127.0.0.1")).rejects.toThrow(invalidCredentialsMessage);
  });

  test("repeated failures lock the account", async () => {
    for (let attempt = 0; attempt < throttlePolicy.account.maxFailures; attempt++) {
      await expect(authorizeCredentials({ email, password: "wrong-password-123" }, `10.0.0.${attempt}`)).rejects.toThrow(invalidCredentialsMessage);
    }
    await expect(authorizeCredentials({ email, password }, "127.0.0.9")).rejects.toThrow(throttledMessage);
  });

  test("repeated failures lock the address", async () => {
    for (let attempt = 0; attempt < throttlePolicy.address.maxFailures; attempt++) {
      await expect(authorizeCredentials({ email: `user${attempt}@example.com`, password }, "192.0.2.7")).rejects.toThrow(invalidCredentialsMessage);
    }
    await expect(authorizeCredentials({ email, password }, "192.0.2.7")).rejects.toThrow(throttledMessage);
    expect((await authorizeCredentials({ email, password }, "192.0.2.8")).email).toBe(email);
  });

  test("disabled account cannot sign in", async () => {
    await prisma.user.update({ where: { email }, data: { disabledAt: new Date() } });
    await expect(authorizeCredentials({ email, password }, "127.0.0.1")).rejects.toThrow(invalidCredentialsMessage);
  });
});

describe("set-password links", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("link sets the password once", async () => {
    const user = await upsertUser(prisma, { email: "invited@example.com" });
    const { token } = await issuePasswordToken(prisma, user.id);
    await setPasswordWithToken(prisma, token, "first-password-1");
    await expect(setPasswordWithToken(prisma, token, "second-password-2")).rejects.toThrow(/invalid, expired or already used/);
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword(stored.passwordHash ?? "", "first-password-1")).toBe(true);
  });

  test("expired link changes nothing", async () => {
    const user = await upsertUser(prisma, { email: "late@example.com" });
    const { token } = await issuePasswordToken(prisma, user.id, new Date(Date.now() - 100 * 60 * 60 * 1000));
    await expect(setPasswordWithToken(prisma, token, "late-password-12")).rejects.toThrow(/invalid, expired or already used/);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBeNull();
  });

  test("short password is rejected", async () => {
    const user = await upsertUser(prisma, { email: "short@example.com" });
    const { token } = await issuePasswordToken(prisma, user.id);
    await expect(setPasswordWithToken(prisma, token, "short")).rejects.toThrow(/at least 12/);
    expect((await prisma.passwordToken.findFirstOrThrow()).usedAt).toBeNull();
  });
});

describe("sameOriginPath", () => {
  test.each([
    ["/orgs/demo/repositories", "http://app.test/orgs/demo/repositories"],
    ["/signin?x=1", "http://app.test/signin?x=1"],
    ["http://app.test/tags", "http://app.test/tags"],
    ["//evil.test/x", null],
    ["/\\evil.test/x", null],
    ["/\t/evil.test", null],
    ["https://evil.test/", null],
    ["http://app.test.evil.test/", null],
    ["http://[::1", null],
  ])("%s gives %s", (target, expected) => {
    expect(sameOriginPath(target, "http://app.test")).toBe(expected);
  });
});

describe("password links and sessions", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("setting a password voids the other links and sessions", async () => {
    const user = await upsertUser(prisma, { email: "two-links@example.com" });
    const first = await issuePasswordToken(prisma, user.id);
    const second = await issuePasswordToken(prisma, user.id);
    const before = (await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion;
    await setPasswordWithToken(prisma, second.token, "chosen-password-1");
    await expect(setPasswordWithToken(prisma, first.token, "attacker-password-1")).rejects.toThrow(/invalid, expired or already used/);
    const after = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.sessionVersion).toBe(before + 1);
    expect(await verifyPassword(after.passwordHash ?? "", "chosen-password-1")).toBe(true);
  });

  test("password of spaces is rejected", async () => {
    await expect(upsertUser(prisma, { email: "spaces@example.com", password: " ".repeat(12) })).rejects.toThrow(/only spaces/);
  });
});
