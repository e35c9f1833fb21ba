import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { GET as getHealth } from "@/app/api/health/route";
import { GET as getMetrics } from "@/app/api/metrics/route";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { digestOf, seedSingleTag } from "@/lib/database/testing/seed-images";
import { getPrisma } from "@/lib/db";
import { resetEnvForTests } from "@/lib/env";
import { jobNames, startQueue } from "@/lib/jobs/queue";
import { collectMetrics } from "@/lib/metrics/collect-metrics";

const prisma = getPrisma();
const now = new Date("2026-12-05T12:00:00.000Z");
const token = "metrics-token-for-tests";

/** Returns the value of one sample line of the Prometheus text, or undefined when the line is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Seeds acme with api (tags graded A and C, one not graded) and an empty web repository, a deleted repository, sync runs and an advisory import. */
async function seed() {
  const acme = await prisma.organization.create({ data: { name: "acme" } });
  await prisma.organization.create({ data: { name: "globex" } });
  const api = await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/api" } });
  await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/web" } });
  await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/old", deletedAt: now } });
  await seedSingleTag(prisma, api.id, "1.0", digestOf("api 1.0"), { image: { analysis: "ANALYSED" }, tag: { grade: "A" } });
  await seedSingleTag(prisma, api.id, "2.0", digestOf("api 2.0"), { image: { analysis: "ANALYSED" }, tag: { grade: "C" } });
  await seedSingleTag(prisma, api.id, "3.0", digestOf("api 3.0"), { image: { analysis: "FAILED" } });
  await seedSingleTag(prisma, api.id, "gone", digestOf("api gone"), { tag: { grade: "F", deletedAt: now } });

  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  await prisma.syncRun.createMany({
    data: [
      { organizationId: acme.id, status: "SUCCEEDED", startedAt: hoursAgo(3), finishedAt: hoursAgo(2.9), durationMs: 6000 },
      { organizationId: acme.id, status: "FAILED", startedAt: hoursAgo(1), finishedAt: hoursAgo(0.99), durationMs: 1500 },
      // Older than a day: counted in the last run only if it were the latest.
      { organizationId: acme.id, status: "SUCCEEDED", startedAt: hoursAgo(30), finishedAt: hoursAgo(29.9), durationMs: 9000 },
    ],
  });
  await prisma.advisorySnapshot.create({ data: { source: "osv-all.zip", kind: "osv", startedAt: hoursAgo(5), finishedAt: hoursAgo(4) } });
}

describe("collectMetrics", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("counts come from the database", async () => {
    await seed();
    const { body, contentType } = await collectMetrics(prisma, now);

    expect(contentType).toMatch(/^text\/plain/);
    expect(sample(body, 'shipshape_repositories{organization="acme"}')).toBe(2);
    expect(sample(body, 'shipshape_repositories{organization="globex"}')).toBe(0);
    expect(sample(body, 'shipshape_tags{grade="A"}')).toBe(1);
    expect(sample(body, 'shipshape_tags{grade="C"}')).toBe(1);
    expect(sample(body, 'shipshape_tags{grade="none"}')).toBe(1);
    expect(sample(body, 'shipshape_tags{grade="F"}')).toBeUndefined();
    expect(sample(body, 'shipshape_image_analyses{status="analysed"}')).toBe(2);
    expect(sample(body, 'shipshape_image_analyses{status="failed"}')).toBe(1);
  });

  test("sync figures cover the last day and the latest run", async () => {
    await seed();
    const { body } = await collectMetrics(prisma, now);

    expect(sample(body, 'shipshape_sync_runs{organization="acme",status="succeeded"}')).toBe(1);
    expect(sample(body, 'shipshape_sync_runs{organization="acme",status="failed"}')).toBe(1);
    expect(sample(body, 'shipshape_sync_last_duration_seconds{organization="acme"}')).toBe(1.5);
    expect(sample(body, 'shipshape_sync_last_finished_timestamp_seconds{organization="acme",status="failed"}')).toBeCloseTo((now.getTime() - 0.99 * 3_600_000) / 1000, 0);
    expect(sample(body, 'shipshape_advisory_last_import_timestamp_seconds{source="osv-all.zip"}')).toBe((now.getTime() - 4 * 3_600_000) / 1000);
  });

  test("queue jobs are counted per queue and state", async () => {
    const series = `shipshape_queue_jobs{queue="${jobNames.gradeImages}",state="created"}`;
    const boss = await startQueue(process.env.DATABASE_URL!);
    try {
      const before = sample((await collectMetrics(prisma, now)).body, series) ?? 0;
      await boss.send(jobNames.gradeImages, { digests: [digestOf("queued")], cause: "push" });
      await boss.send(jobNames.gradeImages, { digests: [digestOf("queued again")], cause: "push" });
      const { body } = await collectMetrics(prisma, now);
      expect(sample(body, series)).toBe(before + 2);
    } finally {
      await boss.stop({ graceful: false, wait: true });
      await prisma.$executeRaw`DELETE FROM pgboss.job WHERE name = ${jobNames.gradeImages} AND state = 'created'`;
    }
  });
});

describe("metrics route", () => {
  afterEach(() => {
    delete process.env.METRICS_TOKEN;
    resetEnvForTests();
  });

  const request = (authorization?: string) => new Request("http://127.0.0.1/api/metrics", { headers: authorization ? { authorization } : {} });

  test("is off without METRICS_TOKEN", async () => {
    const response = await getMetrics(request(`Bearer ${token}`));
    expect(response.status).toBe(404);
    expect((await response.json()).error.message).toContain("Set METRICS_TOKEN");
  });

  test("rejects a missing or wrong token", async () => {
    process.env.METRICS_TOKEN = token;
    resetEnvForTests();
    for (const authorization of [undefined, "Bearer wrong-token-of-any-length", `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token} extra`]) {
      const response = await getMetrics(request(authorization));
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      expect(await response.text()).not.toContain("shipshape_tags");
    }
  });

  test("serves the figures with the token", async () => {
    process.env.METRICS_TOKEN = token;
    resetEnvForTests();
    const response = await getMetrics(request(`Bearer  ${token} `));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(/^# HELP shipshape_tags /m);
  });
});

describe("health route", () => {
  test("reports the database and the queue", async () => {
    const response = await getHealth();
    expect(response.status).toBe(200);
    const health = await response.json();
    expect(health.database).toBe("ok");
    expect(["ok", "not-created"]).toContain(health.queue);

    const boss = await startQueue(process.env.DATABASE_URL!);
    await boss.stop({ graceful: false, wait: true });
    expect(await (await getHealth()).json()).toEqual({ status: "ok", database: "ok", queue: "ok" });
  });
});
