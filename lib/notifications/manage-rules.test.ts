import { beforeEach, describe, expect, test } from "vitest";
import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { getEnv, resetEnvForTests } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createOrganizationRule, createOwnRule, deleteOwnRule, listOwnRules } from "@/lib/notifications/manage-rules";
import { createWebhook, getOrganizationNotifications, parseWebhookUrl, resumeWebhook } from "@/lib/notifications/manage-webhooks";
import { ruleInputSchema } from "@/lib/notifications/rule-input";
import { openSecret } from "@/lib/secrets/secret-box";

const prisma = getPrisma();

function viewerOf(user: { id: string; email: string }): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin: false };
}

async function seed() {
  const acme = await prisma.organization.create({ data: { name: "acme" } });
  await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/web" } });
  await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/secret" } });
  const owner = viewerOf(await upsertUser(prisma, { email: "owner@acme.test", password: "owner-password-1" }));
  const member = viewerOf(await upsertUser(prisma, { email: "member@acme.test", password: "member-password-1" }));
  await prisma.membership.createMany({ data: [{ organizationId: acme.id, userId: owner.id, role: "OWNER" }, { organizationId: acme.id, userId: member.id, role: "MEMBER" }] });
  const team = await prisma.team.create({ data: { organizationId: acme.id, name: "web" } });
  await prisma.teamMember.create({ data: { teamId: team.id, userId: member.id } });
  const web = await prisma.repository.findFirstOrThrow({ where: { name: "acme/web" } });
  await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: web.id, permission: "READ" } });
  return { acme, owner, member, team };
}

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

const rule = (fields: Record<string, unknown>) => ruleInputSchema.parse({ org: "acme", events: ["tag-grade-drop"], ...fields });

beforeEach(async () => {
  await resetDatabase();
});

describe("parseWebhookUrl", () => {
  test.each([
    ["https://hooks.example.com/a?b=c", "https://hooks.example.com/a?b=c"],
    ["  http://127.0.0.1:8080/hook ", "http://127.0.0.1:8080/hook"],
  ])("accepts %s", (value, expected) => {
    expect(parseWebhookUrl(value)).toBe(expected);
  });

  test.each([
    ["hooks.example.com/a", /"hooks.example.com\/a" is not a valid URL\. Enter an absolute URL/],
    ["ftp://hooks.example.com/a", /uses ftp, but webhooks must use http or https/],
    ["file:///etc/passwd", /uses file, but webhooks must use http or https/],
    ["https://user:pw@hooks.example.com/a", /contains a user name or password/],
    ["ftp://user:typed-secret@hooks.example.com/a", /"ftp:\/\/user:\[redacted\]@hooks.example.com\/a" uses ftp/],
    ["https://user:typed-secret@hooks example.com/a", /"https:\/\/user:\[redacted\]@hooks example.com\/a" is not a valid URL/],
  ])("rejects %s", (value, message) => {
    let error: unknown;
    try {
      parseWebhookUrl(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("INVALID_INPUT");
    expect((error as AppError).message).toMatch(message);
  });
});

describe("rule input", () => {
  test("rejects unknown event", () => {
    const result = ruleInputSchema.safeParse({ org: "acme", events: ["grade-up"] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/Each event must be one of tag-grade-drop/);
  });

  test("keeps a repeated event once", () => {
    expect(ruleInputSchema.parse({ org: "acme", events: ["tag-grade-drop", "sync-failing", "tag-grade-drop"] }).events).toEqual(["tag-grade-drop", "sync-failing"]);
  });

  test("rejects empty event list", () => {
    expect(ruleInputSchema.safeParse({ org: "acme", events: [] }).error?.issues[0]?.message).toBe("Choose at least one event.");
  });

  test("rejects grade F threshold", () => {
    expect(ruleInputSchema.safeParse({ org: "acme", events: ["tag-grade-drop"], belowGrade: "F" }).success).toBe(false);
  });
});

describe("own rules", () => {
  test("member creates rule on readable repository", async () => {
    const { member } = await seed();
    await createOwnRule(member, rule({ repository: "acme/web", mode: "DIGEST" }));
    const listed = await listOwnRules(member);
    expect(listed.rules).toHaveLength(1);
    expect(listed.rules[0]).toMatchObject({ mode: "DIGEST", repository: { name: "acme/web" } });
    expect(listed.repositories).toEqual(["acme/web"]);
  });

  test("unreadable repository is not found", async () => {
    const { member } = await seed();
    const error = await errorOf(createOwnRule(member, rule({ repository: "acme/secret" })));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe("Repository acme/secret was not found in acme. Choose one from the list, or none for every repository.");
  });

  test("other organization is not found", async () => {
    const { member } = await seed();
    await prisma.organization.create({ data: { name: "globex" } });
    expect((await errorOf(createOwnRule(member, rule({ org: "globex" })))).code).toBe("NOT_FOUND");
  });

  test("another user's rule cannot be deleted", async () => {
    const { member, owner } = await seed();
    const created = await createOwnRule(member, rule({}));
    expect((await errorOf(deleteOwnRule(owner, created.id))).code).toBe("NOT_FOUND");
    await deleteOwnRule(member, created.id);
    expect(await prisma.notificationRule.count()).toBe(0);
  });
});

describe("organization rules and webhooks", () => {
  test("member cannot create webhooks", async () => {
    const { member } = await seed();
    expect((await errorOf(createWebhook(member, { org: "acme", name: "ci", url: "https://hooks.example.com/a", format: "GENERIC" }))).code).toBe("NOT_FOUND");
  });

  test("owner creates webhook and rules", async () => {
    const { owner, team } = await seed();
    const { webhook, secret } = await createWebhook(owner, { org: "acme", name: "ci", url: "https://hooks.example.com/a", format: "SLACK" });
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await createOrganizationRule(owner, { ...rule({}), target: { webhookId: webhook.id } });
    await createOrganizationRule(owner, { ...rule({ repository: "acme/secret" }), target: { teamId: team.id } });
    const settings = await getOrganizationNotifications(owner, "acme");
    expect(settings.rules.map((entry) => entry.team?.name ?? entry.webhook?.name)).toEqual(["ci", "web"]);
    expect(JSON.stringify(settings.webhooks)).not.toContain(secret);
    expect(await prisma.auditEvent.count({ where: { action: { in: ["webhook.created", "notification-rule.created"] } } })).toBe(3);
  });

  test("a webhook's secret is stored sealed, and without SECRETS_KEY no webhook is created", async () => {
    const { owner } = await seed();
    const { webhook, secret } = await createWebhook(owner, { org: "acme", name: "ci", url: "https://hooks.example.com/a", format: "GENERIC" });
    const stored = await prisma.notificationWebhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(stored.sealedSecret).toMatch(/^v1:/);
    expect(stored.sealedSecret).not.toContain(secret);
    expect(openSecret(stored.sealedSecret, getEnv().SECRETS_KEY)).toBe(secret);

    const key = process.env.SECRETS_KEY;
    delete process.env.SECRETS_KEY;
    resetEnvForTests();
    try {
      const error = await errorOf(createWebhook(owner, { org: "acme", name: "other", url: "https://hooks.example.com/b", format: "GENERIC" }));
      expect(error.message).toMatch(/^SECRETS_KEY is not set, so registry passwords and webhook secrets cannot be stored\. Generate a key with `openssl rand -base64 32`/);
    } finally {
      process.env.SECRETS_KEY = key;
      resetEnvForTests();
    }
    expect(await prisma.notificationWebhook.count()).toBe(1);
  });

  test("duplicate webhook name conflicts", async () => {
    const { owner } = await seed();
    await createWebhook(owner, { org: "acme", name: "ci", url: "https://hooks.example.com/a", format: "GENERIC" });
    const error = await errorOf(createWebhook(owner, { org: "acme", name: "ci", url: "https://hooks.example.com/b", format: "GENERIC" }));
    expect(error.code).toBe("CONFLICT");
  });

  test("resume requeues failed deliveries", async () => {
    const { owner, acme } = await seed();
    const { webhook } = await createWebhook(owner, { org: "acme", name: "ci", url: "https://hooks.example.com/a", format: "GENERIC" });
    await prisma.notificationWebhook.update({ where: { id: webhook.id }, data: { pausedAt: new Date(), pauseReason: "Paused", consecutiveFailures: 6 } });
    await prisma.notificationDelivery.create({ data: { organizationId: acme.id, channel: "WEBHOOK", webhookId: webhook.id, mode: "IMMEDIATE", status: "FAILED", attempts: 6 } });
    expect(await resumeWebhook(owner, "acme", webhook.id)).toBe(1);
    expect(await prisma.notificationWebhook.findUniqueOrThrow({ where: { id: webhook.id } })).toMatchObject({ pausedAt: null, consecutiveFailures: 0 });
    expect(await prisma.notificationDelivery.findFirstOrThrow()).toMatchObject({ status: "PENDING", attempts: 0 });
  });
});
