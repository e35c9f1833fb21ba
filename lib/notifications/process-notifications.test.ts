import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { upsertUser } from "@/lib/auth/accounts";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { getEnv, resetEnvForTests } from "@/lib/env";
import { processNotifications, sendDailyDigests } from "@/lib/notifications/process-notifications";
import { backoffMs, MAX_ATTEMPTS } from "@/lib/notifications/send-deliveries";
import { newUnsubscribeSecret, resolveUnsubscribeToken, unsubscribe } from "@/lib/notifications/unsubscribe-token";
import { createImage, startSmtpListener, startWebhookReceiver } from "@/lib/notifications/testing/notification-fixtures";
import { sealSecret } from "@/lib/secrets/secret-box";

const prisma = getPrisma();
const MINUTE = 60 * 1000;

let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  smtp = await startSmtpListener();
  receiver = await startWebhookReceiver();
  process.env.SMTP_URL = smtp.url;
  process.env.NEXTAUTH_URL = "https://shipshape.example.com";
  resetEnvForTests();
});
afterAll(async () => {
  await smtp.close();
  await receiver.close();
  delete process.env.SMTP_URL;
  delete process.env.NEXTAUTH_URL;
  resetEnvForTests();
});
beforeEach(async () => {
  await resetDatabase();
  smtp.received.length = 0;
  smtp.state.refuse = false;
  receiver.received.length = 0;
  receiver.plan.length = 0;
});
afterEach(() => {
  smtp.state.refuse = false;
});

/**
 * Seeds acme with repositories web and api, each with tags pointing at one image.
 * The owner reads everything. Reader is in team "web", which may read acme/web.
 * Outsider is a member with no team and no default permission, so reads nothing.
 */
async function seed(options: { webTags?: number } = {}) {
  const acme = await prisma.organization.create({ data: { name: "acme" } });
  const web = await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/web" } });
  const api = await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/api" } });
  const owner = await upsertUser(prisma, { email: "owner@acme.test", password: "owner-password-1" });
  const reader = await upsertUser(prisma, { email: "reader@acme.test", password: "reader-password-1" });
  const outsider = await upsertUser(prisma, { email: "outsider@acme.test", password: "outsider-password-1" });
  await prisma.membership.createMany({
    data: [
      { organizationId: acme.id, userId: owner.id, role: "OWNER" },
      { organizationId: acme.id, userId: reader.id, role: "MEMBER" },
      { organizationId: acme.id, userId: outsider.id, role: "MEMBER" },
    ],
  });
  const team = await prisma.team.create({ data: { organizationId: acme.id, name: "web" } });
  await prisma.teamMember.create({ data: { teamId: team.id, userId: reader.id } });
  await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: web.id, permission: "READ" } });

  const image = await createImage(prisma, "shared image");
  const webTags = [];
  for (let index = 0; index < (options.webTags ?? 1); index += 1) {
    webTags.push(await prisma.tag.create({ data: { repositoryId: web.id, name: index === 0 ? "latest" : `v${index}`, digest: image } }));
  }
  const apiTag = await prisma.tag.create({ data: { repositoryId: api.id, name: "2.0", digest: image } });
  return { acme, web, api, owner, reader, outsider, team, image, webTags, apiTag };
}

type Seeded = Awaited<ReturnType<typeof seed>>;

async function rule(seeded: Seeded, data: { userId?: string; teamId?: string; webhookId?: string; repositoryId?: string; events?: string[]; belowGrade?: string; mode?: "IMMEDIATE" | "DIGEST" }) {
  return prisma.notificationRule.create({
    data: { organizationId: seeded.acme.id, events: ["tag-grade-drop"], unsubscribeSecret: newUnsubscribeSecret(), ...data },
  });
}

async function drop(tag: { id: string; repositoryId: string; digest: string }, fromGrade: string, toGrade: string, cause = "advisory update", causeIds = ["DEBIAN-CVE-2024-0001"]) {
  return prisma.gradeChange.create({ data: { repositoryId: tag.repositoryId, tagId: tag.id, digest: tag.digest, fromGrade, toGrade, cause, causeIds } });
}

/** Runs a pass at a time after every burst so far has settled. */
function settledPass(minutesLater = 2) {
  return processNotifications(prisma, { now: new Date(Date.now() + minutesLater * MINUTE), webhookTimeoutMs: 500 });
}

function subjectOf(body: string): string {
  return /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(body)?.[1]?.replace(/\r?\n[ \t]/g, " ") ?? "";
}

/** Decodes the quoted-printable parts of a raw message, so its text can be searched. */
function unfold(body: string): string {
  const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

describe("e-mail notifications", () => {
  test("grade drop reaches readers only", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id });
    await rule(seeded, { userId: seeded.outsider.id });
    await rule(seeded, { userId: seeded.owner.id, repositoryId: seeded.api.id, belowGrade: "C" });
    await drop(seeded.webTags[0]!, "B", "D");
    await drop(seeded.apiTag, "B", "C", "policy change", ["version 2"]);
    await drop(seeded.apiTag, "C", "E", "policy change", ["version 3"]);

    await settledPass();

    const recipients = smtp.received.map((mail) => mail.to.join(","));
    expect(recipients.sort()).toEqual(["owner@acme.test", "reader@acme.test"]);
    const readerMail = smtp.received.find((mail) => mail.to[0] === "reader@acme.test")!;
    expect(subjectOf(readerMail.body)).toBe("acme/web:latest dropped from B to D (advisory update: DEBIAN-CVE-2024-0001)");
    expect(unfold(readerMail.body)).toContain("https://shipshape.example.com/repository/acme/web/tags/latest");
    expect(readerMail.body).toContain("Content-Type: text/html");
    const ownerMail = smtp.received.find((mail) => mail.to[0] === "owner@acme.test")!;
    expect(subjectOf(ownerMail.body)).toBe("acme/api:2.0 dropped from C to E (policy change: version 3)");
  });

  test("second pass sends nothing twice", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id });
    await rule(seeded, { teamId: seeded.team.id });
    await drop(seeded.webTags[0]!, "A", "B");
    await settledPass();
    await settledPass(3);
    expect(smtp.received.map((mail) => mail.to[0])).toEqual(["reader@acme.test"]);
    expect(await prisma.notificationEvent.count()).toBe(1);
  });

  test("repository drop links its latest tag", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id, events: ["repository-grade-drop"] });
    await prisma.repository.update({ where: { id: seeded.web.id }, data: { latestTagId: seeded.webTags[0]!.id } });
    await prisma.gradeChange.create({ data: { repositoryId: seeded.web.id, tagId: null, digest: seeded.image, fromGrade: "A", toGrade: "B", cause: "base image updated", causeIds: ["docker.io/library/debian:12-slim"] } });
    // A tag drop alone does not match a rule for repository drops.
    await drop(seeded.webTags[0]!, "A", "B");
    await settledPass();

    expect(smtp.received).toHaveLength(1);
    const body = unfold(smtp.received[0]!.body);
    expect(subjectOf(smtp.received[0]!.body)).toBe("Repository acme/web dropped from A to B (base image updated: docker.io/library/debian:12-slim)");
    expect(body).toContain("https://shipshape.example.com/repository/acme/web/tags/latest");
  });

  test("burst waits for quiet period", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id });
    await drop(seeded.webTags[0]!, "A", "B");
    await processNotifications(prisma, { now: new Date() });
    expect(smtp.received).toHaveLength(0);
    await settledPass();
    expect(smtp.received).toHaveLength(1);
  });

  test("500 dropped tags make one summary", async () => {
    const seeded = await seed({ webTags: 500 });
    await rule(seeded, { userId: seeded.reader.id });
    await prisma.gradeChange.createMany({
      data: seeded.webTags.map((tag) => ({ repositoryId: tag.repositoryId, tagId: tag.id, digest: tag.digest, fromGrade: "B", toGrade: "D", cause: "advisory update", causeIds: ["DEBIAN-CVE-2024-0001"] })),
    });
    await settledPass();
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(["reader@acme.test"]);
    expect(subjectOf(mail.body)).toBe("Shipshape: 500 notifications for acme");
    expect(unfold(mail.body)).toContain("500 × A tag's grade drops (advisory update)");
    expect(unfold(mail.body)).toContain("… and 400 more.");
  });

  test("digest rule waits for the daily digest", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id, mode: "DIGEST" });
    await drop(seeded.webTags[0]!, "A", "C");
    await settledPass();
    expect(smtp.received).toHaveLength(0);
    await sendDailyDigests(prisma, { now: new Date(Date.now() + 5 * MINUTE) });
    expect(smtp.received).toHaveLength(1);
    expect(subjectOf(smtp.received[0]!.body)).toBe("Shipshape daily digest for acme: 1 notification");
    await sendDailyDigests(prisma, { now: new Date(Date.now() + 6 * MINUTE) });
    expect(smtp.received).toHaveLength(1);
  });

  test("access lost before sending drops the event", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id });
    await drop(seeded.webTags[0]!, "A", "C");
    await processNotifications(prisma, { now: new Date() });
    await prisma.teamMember.deleteMany({ where: { userId: seeded.reader.id } });
    await settledPass();
    expect(smtp.received).toHaveLength(0);
    expect(await prisma.notificationDispatch.count({ where: { droppedAt: { not: null } } })).toBe(1);
  });

  test("unsubscribe link stops one rule", async () => {
    const seeded = await seed();
    const own = await rule(seeded, { userId: seeded.reader.id });
    const other = await rule(seeded, { userId: seeded.reader.id, events: ["sync-failing"] });
    await drop(seeded.webTags[0]!, "A", "C");
    await settledPass();
    const token = decodeURIComponent(/\/notifications\/unsubscribe\?token=([\w.%-]+)/.exec(unfold(smtp.received[0]!.body))![1]!);

    expect(await resolveUnsubscribeToken(prisma, `${token.slice(0, -2)}xx`)).toBeNull();
    expect(await resolveUnsubscribeToken(prisma, token.replace(seeded.reader.id, seeded.owner.id))).toBeNull();
    expect((await resolveUnsubscribeToken(prisma, token))?.ruleId).toBe(own.id);
    expect(await prisma.notificationRule.count({ where: { id: own.id } })).toBe(1);

    await unsubscribe(prisma, token);
    expect(await prisma.notificationRule.count({ where: { id: own.id } })).toBe(0);
    expect(await prisma.notificationRule.count({ where: { id: other.id } })).toBe(1);
    await drop(seeded.webTags[0]!, "C", "E");
    await settledPass(4);
    expect(smtp.received).toHaveLength(1);
  });

  test("team rule unsubscribe opts out one member", async () => {
    const seeded = await seed();
    const teamRule = await rule(seeded, { teamId: seeded.team.id });
    await drop(seeded.webTags[0]!, "A", "C");
    await settledPass();
    expect(smtp.received.map((mail) => mail.to[0])).toEqual(["reader@acme.test"]);
    const token = decodeURIComponent(/\/notifications\/unsubscribe\?token=([\w.%-]+)/.exec(unfold(smtp.received[0]!.body))![1]!);
    await unsubscribe(prisma, token);
    expect(await prisma.notificationOptOut.count({ where: { ruleId: teamRule.id, userId: seeded.reader.id } })).toBe(1);
    expect(await prisma.notificationRule.count({ where: { id: teamRule.id } })).toBe(1);
    await drop(seeded.webTags[0]!, "C", "E");
    await settledPass(4);
    expect(smtp.received).toHaveLength(1);
  });

  test("refusing SMTP server is retried", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id });
    await drop(seeded.webTags[0]!, "A", "C");
    smtp.state.refuse = true;
    await settledPass();
    expect(smtp.received).toHaveLength(0);
    const failed = await prisma.notificationDelivery.findFirstOrThrow();
    expect(failed.status).toBe("PENDING");
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toMatch(/Sending e-mail to reader@acme.test failed/);

    smtp.state.refuse = false;
    await settledPass(2 + backoffMs(1) / MINUTE);
    await settledPass(10);
    expect(smtp.received.map((mail) => mail.to[0])).toEqual(["reader@acme.test"]);
    expect((await prisma.notificationDelivery.findFirstOrThrow()).status).toBe("SENT");
  });
});

describe("other events", () => {
  test("new known-exploited finding is announced once", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id, events: ["high-profile-finding"] });
    const finding = { vulnerabilityId: "DEBIAN-CVE-2024-3094", aliases: ["CVE-2024-3094"], knownExploited: true, suppressed: null, packageName: "xz-utils", packageVersion: "5.6.0" };
    const report = { imageDigest: seeded.image, engineVersion: "1", policyConfigVersion: 1, earned: 0, possible: 100, results: [], cause: "advisory update" };
    await prisma.scoreReport.create({ data: { ...report, findings: [] } });
    await prisma.scoreReport.create({ data: { ...report, findings: [finding] } });
    await settledPass();
    await prisma.scoreReport.create({ data: { ...report, findings: [finding] } });
    await settledPass(4);

    expect(smtp.received).toHaveLength(1);
    expect(subjectOf(smtp.received[0]!.body)).toBe("acme/web:latest has CVE-2024-3094 (known exploited) in xz-utils");
    const events = await prisma.notificationEvent.findMany({ where: { kind: "high-profile-finding" } });
    expect(events.map((event) => event.eventKey).sort()).toEqual([`finding:${seeded.apiTag.id}:${seeded.image}:CVE-2024-3094`, `finding:${seeded.webTags[0]!.id}:${seeded.image}:CVE-2024-3094`].sort());
  });

  test("exception expiring and expired", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.reader.id, events: ["exception-expiry"] });
    const base = { organizationId: seeded.acme.id, reason: "not reachable", author: "owner@acme.test" };
    await prisma.vulnerabilityException.create({ data: { ...base, vulnerabilityId: "CVE-2024-1111", repository: "acme/web", expiresAt: new Date(Date.now() + 3 * 24 * 60 * MINUTE) } });
    await prisma.vulnerabilityException.create({ data: { ...base, vulnerabilityId: "CVE-2024-2222", repository: "acme/api", expiresAt: new Date(Date.now() + 3 * 24 * 60 * MINUTE) } });
    await prisma.vulnerabilityException.create({ data: { ...base, vulnerabilityId: "CVE-2024-3333", expiresAt: new Date(Date.now() + 30 * 24 * 60 * MINUTE) } });
    await settledPass();
    expect(smtp.received).toHaveLength(1);
    expect(subjectOf(smtp.received[0]!.body)).toMatch(/^The exception for CVE-2024-1111 \(acme\/web\) expires on \d{4}-\d\d-\d\d$/);

    await settledPass(4 * 24 * 60);
    expect(smtp.received).toHaveLength(2);
    expect(subjectOf(smtp.received[1]!.body)).toMatch(/^The exception for CVE-2024-1111 \(acme\/web\) expired on/);
  });

  test("repeated sync failures reach owners only", async () => {
    const seeded = await seed();
    await rule(seeded, { userId: seeded.owner.id, events: ["sync-failing"] });
    await rule(seeded, { userId: seeded.reader.id, events: ["sync-failing"] });
    for (let run = 0; run < 3; run += 1) {
      await prisma.syncRun.create({ data: { organizationId: seeded.acme.id, status: "FAILED", startedAt: new Date(Date.now() - (10 - run) * MINUTE), errors: [{ message: "Listing the repositories of acme failed: connection refused" }] } });
      await settledPass();
    }
    await prisma.syncRun.create({ data: { organizationId: seeded.acme.id, status: "FAILED", startedAt: new Date(Date.now() - 5 * MINUTE) } });
    await settledPass(4);
    expect(smtp.received.map((mail) => mail.to[0])).toEqual(["owner@acme.test"]);
    expect(subjectOf(smtp.received[0]!.body)).toBe("The last 3 syncs of acme failed");
  });
});

describe("webhooks", () => {
  async function webhook(seeded: Seeded, format: "GENERIC" | "SLACK" = "GENERIC", storage: "sealed" | "plain text" = "sealed") {
    const secret = "webhook-secret-for-tests";
    const sealedSecret = storage === "sealed" ? sealSecret(secret, getEnv().SECRETS_KEY) : secret;
    const created = await prisma.notificationWebhook.create({ data: { organizationId: seeded.acme.id, name: "ci", url: receiver.url, format, sealedSecret } });
    await rule(seeded, { webhookId: created.id, events: ["tag-grade-drop"] });
    return created;
  }

  // A secret stored in plain text comes from a version before sealing; the server seals it at start.
  test.each(["sealed", "plain text"] as const)("generic body is signed with a %s secret", async (storage) => {
    const seeded = await seed();
    await webhook(seeded, "GENERIC", storage);
    await drop(seeded.webTags[0]!, "B", "D");
    await settledPass();
    expect(receiver.received).toHaveLength(1);
    const request = receiver.received[0]!;
    const timestamp = request.headers["x-shipshape-timestamp"] as string;
    const expected = `sha256=${createHmac("sha256", "webhook-secret-for-tests").update(`${timestamp}.${request.body}`).digest("hex")}`;
    expect(request.headers["x-shipshape-signature"]).toBe(expected);
    const body = JSON.parse(request.body);
    expect(body.schema).toBe("shipshape.notifications/v1");
    expect(body.organization).toBe("acme");
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({ kind: "tag-grade-drop", fromGrade: "B", toGrade: "D", cause: "advisory update", link: "https://shipshape.example.com/repository/acme/web/tags/latest" });
    expect(body.events[0].details).toMatchObject({ repository: "acme/web", tag: "latest" });
  });

  test("a webhook deleted with events waiting does not stop the others", async () => {
    const seeded = await seed();
    await webhook(seeded);
    const gone = await prisma.notificationWebhook.create({ data: { organizationId: seeded.acme.id, name: "gone", url: receiver.url, sealedSecret: sealSecret("gone-secret", getEnv().SECRETS_KEY) } });
    await rule(seeded, { webhookId: gone.id, events: ["tag-grade-drop"] });
    await drop(seeded.webTags[0]!, "B", "D");
    // This pass routes the event to both webhooks; their deliveries wait for the burst to end.
    await processNotifications(prisma, { now: new Date(), webhookTimeoutMs: 500 });
    expect(await prisma.notificationDispatch.count({ where: { webhookId: gone.id } })).toBe(1);

    await prisma.notificationWebhook.delete({ where: { id: gone.id } });
    await settledPass();

    expect(await prisma.notificationDispatch.count({ where: { webhookId: gone.id } })).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  test("slack body has linked lines", async () => {
    const seeded = await seed();
    await webhook(seeded, "SLACK");
    await drop(seeded.webTags[0]!, "B", "D");
    await settledPass();
    const body = JSON.parse(receiver.received[0]!.body);
    expect(Object.keys(body)).toEqual(["text"]);
    expect(body.text).toContain("<https://shipshape.example.com/repository/acme/web/tags/latest|acme/web:latest dropped from B to D");
  });

  test("500 then 200 delivers once", async () => {
    const seeded = await seed();
    await webhook(seeded);
    await drop(seeded.webTags[0]!, "B", "D");
    receiver.plan.push(500);
    await settledPass();
    const failed = await prisma.notificationDelivery.findFirstOrThrow();
    expect(failed).toMatchObject({ status: "PENDING", attempts: 1, lastStatus: 500, lastResponse: "error 500" });
    await settledPass(2 + backoffMs(1) / MINUTE);
    await settledPass(20);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]!.body).toBe(receiver.received[1]!.body.replace(/"sentAt":"[^"]+"/, /"sentAt":"[^"]+"/.exec(receiver.received[0]!.body)![0]));
    expect(await prisma.notificationDelivery.findFirstOrThrow()).toMatchObject({ status: "SENT", attempts: 2, lastStatus: 200, lastResponse: "ok" });
  });

  test("control characters in a response are stored replaced", async () => {
    const seeded = await seed();
    await webhook(seeded);
    await drop(seeded.webTags[0]!, "B", "D");
    receiver.plan.push({ status: 200, body: "ok\u0000\u001b[31m" });
    await settledPass();
    expect(await prisma.notificationDelivery.findFirstOrThrow()).toMatchObject({ status: "SENT", attempts: 1, lastStatus: 200, lastResponse: "ok\uFFFD\uFFFD[31m" });
  });

  test("receiver timeout is retried", async () => {
    const seeded = await seed();
    await webhook(seeded);
    await drop(seeded.webTags[0]!, "B", "D");
    receiver.plan.push("hang");
    await settledPass();
    const failed = await prisma.notificationDelivery.findFirstOrThrow();
    expect(failed.status).toBe("PENDING");
    expect(failed.lastError).toBe("The request to the webhook timed out after 500 ms.");
    await settledPass(2 + backoffMs(1) / MINUTE);
    expect(receiver.received).toHaveLength(2);
    expect((await prisma.notificationDelivery.findFirstOrThrow()).status).toBe("SENT");
  });

  test("repeated failures pause and tell owners", async () => {
    const seeded = await seed();
    const created = await webhook(seeded);
    await drop(seeded.webTags[0]!, "B", "D");
    receiver.plan.push(...Array.from({ length: MAX_ATTEMPTS }, () => 503));
    let minutes = 2;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      await settledPass(minutes);
      minutes += backoffMs(attempt) / MINUTE + 1;
    }
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
    const paused = await prisma.notificationWebhook.findUniqueOrThrow({ where: { id: created.id } });
    expect(paused.pausedAt).not.toBeNull();
    expect(paused.pauseReason).toContain("HTTP 503");
    expect((await prisma.notificationDelivery.findFirstOrThrow({ where: { webhookId: created.id } })).status).toBe("FAILED");

    await settledPass(minutes + 5);
    expect(smtp.received.map((mail) => mail.to[0])).toEqual(["owner@acme.test"]);
    expect(subjectOf(smtp.received[0]!.body)).toBe("The webhook ci of acme was paused after repeated failed deliveries");
    expect(await prisma.auditEvent.count({ where: { action: "webhook.paused" } })).toBe(1);
  });
});
