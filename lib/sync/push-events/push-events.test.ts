import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { POST } from "@/app/api/registries/[registryId]/events/route";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { getEnv, parseEnv } from "@/lib/env";
import { getQueueClient, jobNames, stopQueueClient } from "@/lib/jobs/queue";
import { startWorker, type Worker } from "@/lib/jobs/worker";
import { deleteManifest, pushManifest } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { buildSampleImages } from "@/lib/samples/sample-images";
import type { SampleSet } from "@/lib/samples/sample-set";
import { pushSampleSet } from "@/lib/sync/testing/push-sample-set";
import { createPushSyncQueue } from "@/lib/sync/push-events/push-sync-queue";
import { receivePushEvents } from "@/lib/sync/push-events/receive-push-events";

const registryId = "push-events-test-registry";
const token = randomBytes(24).toString("hex");

let routeServer: Server;
let routeUrl: string;
let registry: RegistryServer;
let worker: Worker | undefined;
let boss: PgBoss;
let samples: SampleSet;

/** Calls the events route handler as Next.js would, for a request the test builds itself. */
function postEvents(body: string, headers: Record<string, string>, query = "", id = registryId): Promise<Response> {
  const request = new Request(`http://127.0.0.1/api/registries/${id}/events${query}`, { method: "POST", headers, body });
  return POST(request, { params: Promise.resolve({ registryId: id }) });
}

/** Polls until `check` returns true; the test's own timeout bounds the wait. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 250));
}

/** Counts the jobs pg-boss holds for one singleton key, in any state. */
async function countJobs(singletonKey: string): Promise<number> {
  const rows = await getPrisma().$queryRaw<{ count: bigint }[]>`SELECT count(*) FROM pgboss.job WHERE singleton_key = ${singletonKey}`;
  return Number(rows[0]?.count ?? 0);
}

/** Builds a distribution notification envelope; a null media type is left out, as in a manifest delete. */
function envelope(events: { action: string; repository: string; tag?: string; mediaType?: string | null }[]): string {
  return JSON.stringify({
    events: events.map((event, index) => ({
      id: `event-${index}`,
      action: event.action,
      target: {
        ...(event.mediaType === null ? {} : { mediaType: event.mediaType ?? "application/vnd.oci.image.manifest.v1+json" }),
        repository: event.repository,
        tag: event.tag,
        digest: `sha256:${"a".repeat(64)}`,
      },
    })),
  });
}

beforeAll(async () => {
  await resetDatabase();
  const prisma = getPrisma();

  // A loopback HTTP server in front of the route handler, so the registry's notifications take the real path.
  routeServer = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const id = /^\/api\/registries\/([^/]+)\/events/.exec(incoming.url ?? "")?.[1] ?? "";
      const headers = Object.fromEntries(Object.entries(incoming.headers).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
      postEvents(Buffer.concat(chunks).toString("utf8"), headers, "", id)
        .then(async (response) => {
          outgoing.writeHead(response.status, { "content-type": "application/json" });
          outgoing.end(await response.text());
        })
        .catch((error: unknown) => {
          outgoing.writeHead(500);
          outgoing.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => routeServer.listen(0, "127.0.0.1", resolve));
  const address = routeServer.address();
  if (address === null || typeof address === "string") throw new Error("The route server has no TCP address.");
  routeUrl = `http://127.0.0.1:${address.port}`;

  // The Registry row exists before the registry starts, because its id is part of the notification URL.
  await prisma.registry.create({ data: { id: registryId, kind: "DISTRIBUTION", url: "pending" } });
  registry = await startRegistryServer({ notifications: { url: `${routeUrl}/api/registries/${registryId}/events`, token } });
  await prisma.registry.update({ where: { id: registryId }, data: { url: registry.url } });

  const databaseUrl = getEnv().DATABASE_URL ?? "";
  const env = parseEnv({
    DATABASE_URL: databaseUrl,
    REGISTRY_URL: registry.url,
    REGISTRY_ORG: "demo",
    REGISTRY_INSECURE: "true",
    REGISTRY_EVENT_TOKEN: token,
    SYNC_INTERVAL_MINUTES: "720",
    // No base image lookups, so nothing leaves the loopback interface.
    BASE_IMAGE_REGISTRIES: "",
    LOG_LEVEL: "warn",
  });
  worker = await startWorker({ ...env, DATABASE_URL: databaseUrl });
  boss = await getQueueClient(databaseUrl);
  // The worker's start-up sync of the still empty registry; every later sync comes from push events.
  await waitFor(async () => (await prisma.syncRun.count({ where: { repository: null, finishedAt: { not: null } } })) === 1);
});

afterAll(async () => {
  await worker?.stop();
  await stopQueueClient();
  // Debounced jobs wait in pgboss.job after the worker stops; later test files' workers must not run them.
  await getPrisma().$executeRaw`DELETE FROM pgboss.job`;
  await registry?.stop();
  await new Promise<void>((resolve) => (routeServer ? routeServer.close(() => resolve()) : resolve()));
});

describe("push events", () => {
  test("registry push grades without a scheduled sync", async () => {
    const prisma = getPrisma();
    samples = await buildSampleImages();
    await pushSampleSet(registry, samples);

    const expected = new Set(samples.tags.filter((tag) => !tag.tag.startsWith("sha256-")).map((tag) => `${tag.repository}:${tag.tag}`));
    await waitFor(async () => {
      const graded = await prisma.tag.findMany({ where: { grade: { not: null } }, select: { name: true, repository: { select: { name: true } } } });
      return graded.length === expected.size;
    });

    const graded = await prisma.tag.findMany({ select: { name: true, grade: true, repository: { select: { name: true } } } });
    expect(new Set(graded.map((tag) => `${tag.repository.name}:${tag.name}`))).toEqual(expected);
    for (const tag of graded) expect(tag.grade).toMatch(/^[A-F]$/);

    const organizationRuns = await prisma.syncRun.findMany({ where: { repository: null } });
    expect(organizationRuns).toHaveLength(1);
    expect(organizationRuns[0]?.repositoriesSeen).toBe(0);
    const repositoryRuns = await prisma.syncRun.findMany({ where: { repository: { not: null } }, select: { repository: true } });
    expect(new Set(repositoryRuns.map((run) => run.repository))).toEqual(new Set(samples.tags.map((tag) => tag.repository)));
  });

  test("moved tag keeps its grade history", async () => {
    const prisma = getPrisma();
    // Two demo/web tags with different images: the first tag is pushed again at the second's digest.
    const webTags = samples.tags.filter((tag) => tag.repository === "demo/web" && !tag.tag.startsWith("sha256-"));
    const moving = webTags[0];
    const target = webTags.find((tag) => tag.digest !== moving?.digest);
    if (!moving || !target) throw new Error("The sample set needs two demo/web tags with different digests.");
    const before = await prisma.tag.findFirstOrThrow({ where: { name: moving.tag, repository: { name: "demo/web" } } });
    const changesBefore = await prisma.gradeChange.findMany({ where: { tagId: before.id } });

    await pushManifest(registry, "demo/web", moving.tag, target.bytes, target.mediaType);
    await waitFor(async () => (await prisma.tag.findUniqueOrThrow({ where: { id: before.id } })).digest === target.digest);

    const history = await prisma.tagDigest.findMany({ where: { tagId: before.id }, select: { digest: true } });
    expect(history.map((entry) => entry.digest)).toEqual(expect.arrayContaining([moving.digest, target.digest]));
    await waitFor(async () => (await prisma.gradeChange.count({ where: { tagId: before.id, digest: target.digest } })) > 0);
    const changesAfter = await prisma.gradeChange.findMany({ where: { tagId: before.id }, orderBy: { changedAt: "asc" } });
    expect(changesAfter.slice(0, changesBefore.length).map((change) => change.id)).toEqual(changesBefore.map((change) => change.id));
    const moveChange = changesAfter.find((change) => change.digest === target.digest);
    expect(moveChange?.cause).toBe("push");
  });

  test("deleted manifest hides its tags", async () => {
    const prisma = getPrisma();
    const tag = await prisma.tag.findFirstOrThrow({ where: { repository: { name: "demo/web" }, deletedAt: null }, orderBy: { name: "asc" } });
    const sameDigest = await prisma.tag.findMany({ where: { repositoryId: tag.repositoryId, digest: tag.digest }, select: { id: true } });
    const changesBefore = await prisma.gradeChange.count({ where: { tagId: tag.id } });
    expect(changesBefore).toBeGreaterThan(0);

    await deleteManifest(registry, "demo/web", tag.digest);
    await waitFor(async () => (await prisma.tag.count({ where: { id: { in: sameDigest.map((row) => row.id) }, deletedAt: null } })) === 0);

    const deleted = await prisma.tag.findUniqueOrThrow({ where: { id: tag.id } });
    expect(deleted.grade).toBe(tag.grade);
    expect(await prisma.tagDigest.count({ where: { tagId: tag.id } })).toBeGreaterThan(0);
    expect(await prisma.gradeChange.count({ where: { tagId: tag.id } })).toBe(changesBefore);
    const web = await prisma.repository.findFirstOrThrow({ where: { name: "demo/web" } });
    expect(web.deletedAt).toBeNull();
  });

  test("missing repository is marked deleted", async () => {
    const prisma = getPrisma();
    const organization = await prisma.organization.findUniqueOrThrow({ where: { name: "demo" } });
    const missingRepository = await prisma.repository.create({ data: { organizationId: organization.id, name: "demo/gone" } });

    const response = await postEvents(envelope([{ action: "delete", repository: "demo/gone", mediaType: null }]), { authorization: `Bearer ${token}` });
    expect(response.status).toBe(202);
    await waitFor(async () => (await prisma.repository.findUniqueOrThrow({ where: { id: missingRepository.id } })).deletedAt !== null);
    const syncRun = await prisma.syncRun.findFirstOrThrow({ where: { repository: "demo/gone" } });
    expect(syncRun.errors).toEqual([]);
  });

  test("wrong token gets 401 and queues nothing", async () => {
    const before = await countJobs("push:demo/web");
    const wrong = await postEvents(envelope([{ action: "push", repository: "demo/web", tag: "1.0" }]), { authorization: "Bearer wrong-token" });
    expect(wrong.status).toBe(401);
    const missing = await postEvents(envelope([{ action: "push", repository: "demo/web", tag: "1.0" }]), {});
    expect(missing.status).toBe(401);
    const unknownRegistry = await postEvents(envelope([{ action: "push", repository: "demo/web", tag: "1.0" }]), { authorization: `Bearer ${token}` }, "", "no-such-registry");
    expect(unknownRegistry.status).toBe(401);
    const body = (await wrong.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(body.error.message).not.toContain(token);
    expect(await countJobs("push:demo/web")).toBe(before);
  });

  test("malformed body gets 400 with the reason", async () => {
    const response = await postEvents('{"events":[{"action":"push"}]}', { authorization: `Bearer ${token}` });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("INVALID_INPUT");
    expect(body.error.message).toMatch(/events\.0\.target/);
  });

  test("Docker Hub webhook token in the query", async () => {
    const webhook = JSON.stringify({ push_data: { tag: "latest" }, repository: { repo_name: "other/app" } });
    const response = await postEvents(webhook, {}, `?token=${token}`);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { format: string; queued: string[]; ignored: number };
    expect(body.format).toBe("dockerhub");
    // `other` is not an organization this registry syncs.
    expect(body.queued).toEqual([]);
    expect(body.ignored).toBe(1);
  });

  test("pulls and unsynced orgs are ignored", async () => {
    const response = await postEvents(
      envelope([
        { action: "pull", repository: "demo/web", tag: "1.0" },
        { action: "push", repository: "demo/web", mediaType: "application/octet-stream" },
        { action: "push", repository: "other/app", tag: "1.0" },
      ]),
      { authorization: `Bearer ${token}` },
    );
    expect(response.status).toBe(202);
    const body = (await response.json()) as { queued: string[]; ignored: number };
    expect(body.queued).toEqual([]);
    expect(body.ignored).toBe(3);
  });

  test("burst queues one sync per window", async () => {
    // A 12-hour window, the longest pg-boss 10 accepts with its default archive interval, so the burst cannot straddle two windows in practice.
    const queue = createPushSyncQueue(boss, { debounceSeconds: 12 * 60 * 60 });
    const burst = envelope(Array.from({ length: 20 }, (_, index) => ({ action: "push", repository: "demo/burst", tag: `v${index}` })));
    const results = [];
    for (let delivery = 0; delivery < 5; delivery += 1) {
      results.push(await receivePushEvents(getPrisma(), queue, { registryId, token, body: burst }));
    }
    // pg-boss's debounced send fills the current window and then the next one.
    expect(results.map((result) => result.queued.length)).toEqual([1, 1, 0, 0, 0]);
    expect(results.map((result) => result.alreadyQueued.length)).toEqual([0, 0, 1, 1, 1]);
    expect(await countJobs("push:demo/burst")).toBe(2);
  });

  test("flood queues one organization sync", async () => {
    const queue = createPushSyncQueue(boss, { debounceSeconds: 12 * 60 * 60 });
    const flood = envelope(Array.from({ length: 200 }, (_, index) => ({ action: "push", repository: `demo/flood-${index}`, tag: "1.0" })));
    const result = await receivePushEvents(getPrisma(), queue, { registryId, token, body: flood });
    expect(result.queued).toEqual([]);
    expect(result.organizationsQueued).toEqual(["demo"]);
    const floodJobs = await getPrisma().$queryRaw<{ count: bigint }[]>`SELECT count(*) FROM pgboss.job WHERE name = ${jobNames.syncRepository} AND data->>'repository' LIKE 'demo/flood-%'`;
    expect(Number(floodJobs[0]?.count)).toBe(0);
    expect(await countJobs("push:demo")).toBe(1);
  });
});
