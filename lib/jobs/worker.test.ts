import { afterAll, beforeAll, expect, test } from "vitest";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { getEnv, parseEnv } from "@/lib/env";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";
import { startSampleRegistry } from "@/lib/sync/testing/push-sample-set";
import { osvFixtureFolder } from "@/lib/advisories/testing/advisory-fixtures";
import { jobNames, scheduleWindowSeconds } from "@/lib/jobs/queue";
import { startWorker, type Worker } from "@/lib/jobs/worker";

let registry: RegistryServer;
let worker: Worker | undefined;

beforeAll(async () => {
  await resetDatabase();
  ({ registry } = await startSampleRegistry());
});
afterAll(async () => {
  await worker?.stop();
  await registry?.stop();
});

/** Polls until `check` returns true; the test's own timeout bounds the wait. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 250));
}

test("worker syncs on start, and analyses and grades through the queue", async () => {
  const env = parseEnv({
    DATABASE_URL: getEnv().DATABASE_URL,
    REGISTRY_URL: registry.url,
    REGISTRY_ORG: "demo",
    REGISTRY_INSECURE: "true",
    ADVISORY_SOURCES: osvFixtureFolder,
    // Tests reach no host but their own: base image tags are not looked up on public registries.
    BASE_IMAGE_REGISTRIES: "",
    LOG_LEVEL: "warn",
  });
  const prisma = getPrisma();

  worker = await startWorker({ ...env, DATABASE_URL: env.DATABASE_URL ?? "" });

  await waitFor(async () => (await prisma.syncRun.count({ where: { status: "SUCCEEDED" } })) > 0);
  await waitFor(async () => (await prisma.tag.count({ where: { grade: null } })) === 0);
  const tags = await prisma.tag.findMany({ select: { grade: true } });
  expect(tags.length).toBeGreaterThan(0);
  expect(tags.every((tag) => /^[A-F]$/.test(tag.grade ?? ""))).toBe(true);
  const web = await prisma.repository.findFirstOrThrow({ where: { name: "demo/web" } });
  expect(web.grade).toMatch(/^[A-F]$/);
  const gradeJobs = await prisma.$queryRaw<{ count: bigint }[]>`SELECT count(*) FROM pgboss.job WHERE name = 'analyze-image' AND state = 'completed'`;
  expect(Number(gradeJobs[0]?.count)).toBeGreaterThan(0);

  await waitFor(async () => (await prisma.advisorySnapshot.count({ where: { finishedAt: { not: null } } })) > 0);
  const snapshot = await prisma.advisorySnapshot.findFirstOrThrow();
  expect(snapshot.source).toContain("osv");
  expect(snapshot.recordsAdded).toBeGreaterThan(0);
  expect(await prisma.advisory.count()).toBe(snapshot.recordsAdded);
});

test("an image is queued for analysis once at a time", async () => {
  const boss = worker!.boss;
  const digest = `sha256:${"5".repeat(64)}`;
  const first = await boss.send(jobNames.analyzeImage, { repository: "demo/none", digest }, { singletonKey: digest, startAfter: 3600 });
  const second = await boss.send(jobNames.analyzeImage, { repository: "demo/other", digest }, { singletonKey: digest, startAfter: 3600 });
  const other = await boss.send(jobNames.analyzeImage, { repository: "demo/none", digest: `sha256:${"6".repeat(64)}` }, { singletonKey: `sha256:${"6".repeat(64)}`, startAfter: 3600 });
  expect(first).not.toBeNull();
  expect(second).toBeNull();
  expect(other).not.toBeNull();
  await boss.deleteJob(jobNames.analyzeImage, [first!, other!]);
});

test("the longest schedules fit pg-boss's singleton window", async () => {
  const boss = worker!.boss;
  const day = 24 * 60 * 60;
  await expect(boss.send(jobNames.syncOrganization, { organization: "nobody" }, { singletonKey: "day-raw", singletonSeconds: day, startAfter: 3600 })).rejects.toThrow(/cannot exceed/);
  const id = await boss.send(jobNames.syncOrganization, { organization: "nobody" }, { singletonKey: "day", singletonSeconds: scheduleWindowSeconds(day), startAfter: 3600 });
  expect(id).not.toBeNull();
  expect(scheduleWindowSeconds(60)).toBe(60);
  await boss.deleteJob(jobNames.syncOrganization, id!);
});
