import { isDeepStrictEqual } from "node:util";

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { analyzeAndGrade } from "@/lib/grading/analyze-and-grade";
import { attachReferrer, pushManifest } from "@/lib/registry/testing/push-image";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";
import type { SampleSet, SampleTag } from "@/lib/samples/sample-set";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { startFaultProxy, type FaultProxy, type FaultRule } from "@/lib/sync/testing/fault-proxy";
import { startSampleRegistry } from "@/lib/sync/testing/push-sample-set";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";

/** The client's time limit per attempt; slow faults are sized around it. */
const TIMEOUT_MS = 2_000;

const REGISTRY_API = /^\/v2\/.+/;
const MANIFESTS = /^\/v2\/.+\/manifests\//;
const BLOBS = /^\/v2\/.+\/blobs\//;
const LISTS = /^\/v2\/(_catalog|.+\/tags\/list)$/;

const VEX_DOCUMENT = new TextEncoder().encode(
  JSON.stringify({
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://example.com/vex/demo-worker-2.0",
    author: "demo security",
    timestamp: "2026-12-01T00:00:00Z",
    version: 1,
    statements: [{ vulnerability: { name: "CVE-2024-0727" }, products: [{ "@id": "pkg:oci/worker" }], status: "not_affected", justification: "vulnerable_code_not_in_execute_path" }],
  }),
);

interface SyncErrorEntry {
  repository: string;
  reference: string | null;
  digest: string | null;
  message: string;
}

/** What a converged run must reproduce exactly: every tag's grade and score, and each image's analysis. */
interface GradeSnapshot {
  tags: Record<string, { digest: string; grade: string | null; percent: number | null; deleted: boolean }>;
  analyses: Record<string, { status: string; packageCount: number | null }>;
  attestations: Record<string, string[]>;
  repositories: Record<string, { grade: string | null; deleted: boolean }>;
}

/** One line of the figures printed after the suite: a fault class, the faults injected and the outcome. */
interface FaultFigure {
  faultClass: string;
  injected: number;
  requests: number;
  finished: boolean;
  /** Whether the faulted run itself stored what the clean run did. */
  matchedInFaultedRun: boolean;
  converged: boolean;
}

describe("sync through a registry fault proxy", () => {
  let registry: RegistryServer;
  let samples: SampleSet;
  let proxy: FaultProxy;
  let clean: GradeSnapshot;
  let cleanRequests = 0;
  const figures: FaultFigure[] = [];
  const prisma = getPrisma();

  /** Creates a client with retries, short backoff and a short timeout that counts its requests into `counter`. */
  function faultySource(counter: { requests: number } = { requests: 0 }) {
    return testRegistrySource(proxy.url, {
      retries: 3,
      retryBaseDelayMs: 20,
      maxRetryDelayMs: 2_000,
      timeoutMs: TIMEOUT_MS,
      onRequest: () => {
        counter.requests += 1;
      },
    });
  }

  async function snapshot(): Promise<GradeSnapshot> {
    const tags = await prisma.tag.findMany({ include: { repository: true } });
    const analyses = await prisma.imageAnalysis.findMany();
    const attestations = await prisma.attestation.findMany({ orderBy: [{ imageDigest: "asc" }, { layerDigest: "asc" }] });
    const repositories = await prisma.repository.findMany();

    const result: GradeSnapshot = { tags: {}, analyses: {}, attestations: {}, repositories: {} };
    for (const tag of tags) {
      result.tags[`${tag.repository.name}:${tag.name}`] = { digest: tag.digest, grade: tag.grade, percent: tag.percent, deleted: tag.deletedAt !== null };
    }
    for (const analysis of analyses) result.analyses[analysis.imageDigest] = { status: analysis.status, packageCount: analysis.packageCount };
    for (const attestation of attestations) {
      (result.attestations[attestation.imageDigest] ??= []).push(attestation.predicateType ?? "unknown");
    }
    for (const repository of repositories) result.repositories[repository.name] = { grade: repository.grade, deleted: repository.deletedAt !== null };
    return result;
  }

  /**
   * Syncs the demo organization through the proxy with its current rules. One
   * repository at a time by default, so a seeded fraction faults the same requests on every run.
   */
  async function syncThroughProxy(counter?: { requests: number }, concurrency = 1) {
    return syncOrganization(prisma, faultySource(counter), "demo", { concurrency });
  }

  /** Turns the faults off, syncs again, and returns whether the result equals the clean run's. */
  async function syncWithoutFaults(): Promise<boolean> {
    proxy.clearRules();
    const run = await syncThroughProxy();
    expect(run.errors).toEqual([]);
    const after = await snapshot();
    expect(after).toEqual(clean);
    return isDeepStrictEqual(after, clean);
  }

  /**
   * Checks what a faulted run stored: every stored image has exactly the clean
   * run's attestations, because a stored image is never read again, and each
   * analysis has the clean package count or failed and waits for the next sync.
   */
  async function expectStoredImagesComplete(stored: GradeSnapshot): Promise<void> {
    const images = await prisma.image.findMany({ select: { digest: true } });
    for (const { digest } of images) expect(stored.attestations[digest], digest).toEqual(clean.attestations[digest]);
    for (const [digest, analysis] of Object.entries(stored.analyses)) {
      if (analysis.status === "FAILED") continue;
      expect(analysis, digest).toEqual(clean.analyses[digest]);
    }
  }

  function sampleTag(repository: string, tag: string): SampleTag {
    const found = samples.tags.find((entry) => entry.repository === repository && entry.tag === tag);
    if (!found) throw new Error(`the sample set has no ${repository}:${tag}`);
    return found;
  }

  /** Returns the layer digests of a sample tag that is a single image manifest. */
  function layerDigestsOf(repository: string, tag: string): string[] {
    const manifest = JSON.parse(new TextDecoder().decode(sampleTag(repository, tag).bytes)) as { layers: { digest: string }[] };
    return manifest.layers.map((layer) => layer.digest);
  }

  function configDigestOf(repository: string, tag: string): string {
    const manifest = JSON.parse(new TextDecoder().decode(sampleTag(repository, tag).bytes)) as { config: { digest: string } };
    return manifest.config.digest;
  }

  beforeAll(async () => {
    ({ registry, samples } = await startSampleRegistry());
    // The samples carry their attestations in their indexes, so one image gets an OpenVEX document as an OCI 1.1 referrer.
    const worker20 = sampleTag("demo/worker", "2.0");
    await attachReferrer(registry, "demo/worker", { digest: worker20.digest, mediaType: worker20.mediaType, bytes: worker20.bytes }, "application/openvex+json", VEX_DOCUMENT);
    proxy = await startFaultProxy(registry.url, { seed: 12 });

    await resetDatabase();
    const counter = { requests: 0 };
    const run = await syncThroughProxy(counter);
    expect(run.status).toBe("SUCCEEDED");
    cleanRequests = counter.requests;
    clean = await snapshot();
    figures.push({ faultClass: "none (clean run)", injected: 0, requests: cleanRequests, finished: true, matchedInFaultedRun: true, converged: true });
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
    const header = "fault class | faults injected | requests | finished | matched in the faulted run | converged";
    const rows = figures.map((figure) => [figure.faultClass, figure.injected, figure.requests, figure.finished, figure.matchedInFaultedRun, figure.converged].join(" | "));
    console.info([header, ...rows].join("\n"));
  });

  beforeEach(async () => {
    proxy.clearRules();
    await resetDatabase();
  });

  test("clean run grades and analyses every sample tag", () => {
    expect(Object.keys(clean.tags).sort()).toEqual(samples.tags.map((tag) => `${tag.repository}:${tag.tag}`).sort());
    for (const [name, tag] of Object.entries(clean.tags)) {
      expect(tag.grade, name).not.toBeNull();
      expect(tag.percent, name).not.toBeNull();
    }
    const analyses = Object.values(clean.analyses);
    expect(analyses.length).toBeGreaterThan(0);
    for (const analysis of analyses) expect(analysis.status).toBe("ANALYSED");
    expect(analyses.some((analysis) => (analysis.packageCount ?? 0) > 0)).toBe(true);
    expect(Object.keys(clean.attestations).length).toBeGreaterThan(0);
    expect(clean.attestations[sampleTag("demo/worker", "2.0").digest]).toEqual(["https://openvex.dev/ns/v0.2.0"]);
  });

  /** Faults that the client's retries absorb: the faulted run already matches the clean run. */
  const retriedFaults: { faultClass: string; rules: () => FaultRule[] }[] = [
    {
      faultClass: "connection reset mid-response",
      // Includes the client's first request, the `GET /v2/` that discovers the auth scheme.
      rules: () => [{ name: "reset", fault: { kind: "reset" }, path: /^\/v2\//, firstPerPath: 1 }],
    },
    {
      faultClass: "500, 502 and 503 responses",
      rules: () => [
        { name: "500", fault: { kind: "status", status: 500 }, path: MANIFESTS, firstPerPath: 1 },
        { name: "502", fault: { kind: "status", status: 502 }, path: BLOBS, firstPerPath: 1 },
        { name: "503", fault: { kind: "status", status: 503 }, path: LISTS, firstPerPath: 2 },
      ],
    },
    {
      faultClass: "429 with Retry-After: 1",
      rules: () => [{ name: "429", fault: { kind: "rate-limit", retryAfterSeconds: 1 }, path: LISTS, first: 3 }],
    },
    {
      faultClass: "slow bodies within the timeout",
      rules: () => [{ name: "slow", fault: { kind: "slow", chunkBytes: 512, delayMs: 5 }, path: REGISTRY_API, methods: ["GET"] }],
    },
    {
      faultClass: "slow bodies beyond the timeout",
      // A stalled layer (a streamed body), config (a buffered body) and tag list; each stall costs one timeout.
      rules: () => {
        const debianLayer = layerDigestsOf("demo/web", "1.0")[0]!;
        const web10Config = configDigestOf("demo/web", "1.0");
        const stalled = new RegExp(`^(/v2/demo/[^/]+/blobs/(${debianLayer}|${web10Config})|/v2/demo/web/tags/list)$`);
        return [{ name: "stalled", fault: { kind: "slow", chunkBytes: 4096, delayMs: TIMEOUT_MS + 500 }, path: stalled, firstPerPath: 1 }];
      },
    },
    {
      faultClass: "truncated blobs",
      rules: () => [{ name: "truncate", fault: { kind: "truncate", afterBytes: 100 }, path: BLOBS, methods: ["GET"], firstPerPath: 2 }],
    },
  ];

  for (const { faultClass, rules } of retriedFaults) {
    test(`retried ${faultClass} converge`, async () => {
      proxy.rules.push(...rules());
      const counter = { requests: 0 };

      const run = await syncThroughProxy(counter);

      const injected = proxy.injectedTotal();
      expect(injected).toBeGreaterThan(0);
      for (const rule of proxy.rules) {
        if (rule.first !== undefined) expect(proxy.injected.get(rule.name), rule.name).toBe(rule.first);
      }
      expect(run.finishedAt).not.toBeNull();
      expect(run.errors).toEqual([]);
      expect(run.status).toBe("SUCCEEDED");
      expect(await snapshot()).toEqual(clean);
      const converged = await syncWithoutFaults();
      figures.push({ faultClass, injected, requests: counter.requests, finished: true, matchedInFaultedRun: true, converged });
    });
  }

  test("slow bodies within the timeout need no retry", async () => {
    proxy.rules.push({ name: "slow", fault: { kind: "slow", chunkBytes: 512, delayMs: 5 }, path: REGISTRY_API, methods: ["GET"] });
    const counter = { requests: 0 };

    await syncThroughProxy(counter);

    expect(proxy.injectedTotal()).toBeGreaterThan(0);
    expect(counter.requests).toBe(cleanRequests);
  });

  test("faults past the retries are recorded and then converge", async () => {
    const web11 = sampleTag("demo/web", "1.1");
    const debianLayer = layerDigestsOf("demo/web", "1.0")[0]!;
    proxy.rules.push(
      { name: "worker tags 503", fault: { kind: "status", status: 503 }, path: /^\/v2\/demo\/worker\/tags\/list$/ },
      { name: "web 1.1 reset", fault: { kind: "reset" }, path: new RegExp(`^/v2/demo/web/manifests/${web11.digest}$`), methods: ["GET"] },
      { name: "debian layer truncated", fault: { kind: "truncate", afterBytes: 100 }, path: new RegExp(`/blobs/${debianLayer}$`), methods: ["GET"] },
    );
    const counter = { requests: 0 };

    const run = await syncThroughProxy(counter);

    expect(run.status).toBe("PARTIAL");
    const errors = run.errors as unknown as SyncErrorEntry[];
    const workerError = errors.find((error) => error.repository === "demo/worker");
    expect(workerError?.reference).toBeNull();
    expect(workerError?.message).toMatch(/^Listing the tags of demo\/worker failed: .*503/);
    const webError = errors.find((error) => error.repository === "demo/web" && error.reference === "1.1");
    expect(webError?.digest).toBe(web11.digest);
    expect(webError?.message).toMatch(/Cannot reach the registry at .*4 attempts/);
    expect(errors).toHaveLength(2);

    const debianAnalyses = await prisma.imageAnalysis.findMany({ where: { image: { layers: { some: { layerDigest: debianLayer } } } } });
    expect(debianAnalyses.length).toBeGreaterThan(0);
    for (const analysis of debianAnalyses) {
      expect(analysis.status).toBe("FAILED");
      expect(analysis.reason).toContain(debianLayer);
    }
    // Every other image is analysed and every stored tag is graded despite the faults.
    const stored = await snapshot();
    for (const [name, tag] of Object.entries(stored.tags)) expect(tag.grade, name).not.toBeNull();
    expect(stored.tags["demo/web:1.1"]).toBeUndefined();
    expect(stored.tags["demo/worker:2.0"]).toBeUndefined();
    await expectStoredImagesComplete(stored);

    const injected = proxy.injectedTotal();
    const converged = await syncWithoutFaults();
    figures.push({ faultClass: "503, reset and truncation past the retries", injected, requests: counter.requests, finished: true, matchedInFaultedRun: false, converged });
  });

  test("referrer fetch failure converges later", async () => {
    // Referrers are read through the referrers API or the `sha256-<hex>` tag, whichever the registry serves.
    proxy.rules.push({ name: "referrers 503", fault: { kind: "status", status: 503 }, path: /^\/v2\/demo\/worker\/(referrers\/|manifests\/sha256-)/ });
    const counter = { requests: 0 };

    const run = await syncThroughProxy(counter);

    const injected = proxy.injectedTotal();
    expect(injected).toBeGreaterThan(0);
    expect(run.status).toBe("PARTIAL");
    const errors = run.errors as unknown as SyncErrorEntry[];
    const worker20 = sampleTag("demo/worker", "2.0");
    const workerError = errors.find((error) => error.repository === "demo/worker" && error.reference === "2.0");
    expect(workerError?.digest).toBe(worker20.digest);
    expect(workerError?.message).toMatch(/HTTP 503 .*after 4 attempts/);
    // An image stored without its referrers would never be read again, so the tag is left for the next sync.
    const stored = await snapshot();
    expect(stored.tags["demo/worker:2.0"]).toBeUndefined();
    await expectStoredImagesComplete(stored);

    const converged = await syncWithoutFaults();
    figures.push({ faultClass: "503 on every referrer request", injected, requests: counter.requests, finished: true, matchedInFaultedRun: false, converged });
  });

  // Four repositories at a time is the worker's default; the faulted requests then vary from run to run.
  test.each([1, 4])("mixed faults at random converge (concurrency %i)", async (concurrency) => {
    const debianLayer = layerDigestsOf("demo/web", "1.0")[0]!;
    proxy.rules.push(
      { name: "reset", fault: { kind: "reset" }, path: REGISTRY_API, fraction: 0.08 },
      { name: "503", fault: { kind: "status", status: 503 }, path: REGISTRY_API, fraction: 0.08 },
      { name: "429", fault: { kind: "rate-limit", retryAfterSeconds: 1 }, path: LISTS, fraction: 0.2 },
      { name: "slow", fault: { kind: "slow", chunkBytes: 1024, delayMs: 5 }, path: REGISTRY_API, fraction: 0.08 },
      { name: "stalled", fault: { kind: "slow", chunkBytes: 4096, delayMs: TIMEOUT_MS + 500 }, path: new RegExp(`/blobs/${debianLayer}$`), fraction: 0.3 },
      { name: "truncate", fault: { kind: "truncate", afterBytes: 64 }, path: BLOBS, methods: ["GET"], fraction: 0.1 },
    );
    const counter = { requests: 0 };

    const run = await syncThroughProxy(counter, concurrency);

    expect(run.finishedAt).not.toBeNull();
    expect(proxy.injectedTotal()).toBeGreaterThanOrEqual(4);
    // One request at a time meets the seeded draws in a fixed order, so the same four or more classes fire every run.
    // With four at a time the order varies, and one run in CI met only three of the six classes.
    if (concurrency === 1) expect(proxy.injected.size).toBeGreaterThanOrEqual(4);
    for (const error of run.errors as unknown as SyncErrorEntry[]) {
      expect(error.message).toMatch(/failed: .*(timed out|Cannot reach|returned|HTTP)/);
    }
    const stored = await snapshot();
    await expectStoredImagesComplete(stored);
    const matchedInFaultedRun = isDeepStrictEqual(stored, clean);
    const injected = proxy.injectedTotal();
    const converged = await syncWithoutFaults();
    figures.push({ faultClass: `all classes mixed at random, concurrency ${concurrency}`, injected, requests: counter.requests, finished: true, matchedInFaultedRun, converged });
  });

  test("failed re-syncs keep stored grades", async () => {
    await syncThroughProxy();
    const worker21 = sampleTag("demo/worker", "2.1");

    proxy.rules.push({ name: "catalog 503", fault: { kind: "status", status: 503 }, path: /^\/v2\/_catalog$/ });
    const unlisted = await syncThroughProxy();
    expect(unlisted.status).toBe("FAILED");
    expect((unlisted.errors as unknown as SyncErrorEntry[])[0]?.message).toMatch(/^Listing the repositories of demo failed: .*503/);
    expect(await snapshot()).toEqual(clean);

    proxy.clearRules();
    proxy.rules.push({ name: "web tags reset", fault: { kind: "reset" }, path: /^\/v2\/demo\/web\/tags\/list$/ });
    const webFailed = await syncThroughProxy();
    expect(webFailed.status).toBe("PARTIAL");
    expect(await snapshot()).toEqual(clean);
    const web = await prisma.repository.findFirstOrThrow({ where: { name: "demo/web" } });
    expect(web.lastSyncError).toMatch(/^Listing the tags of demo\/web failed: Cannot reach/);

    proxy.clearRules();
    proxy.rules.push({ name: "worker 2.1 head 500", fault: { kind: "status", status: 500 }, path: /^\/v2\/demo\/worker\/manifests\/2\.1$/, methods: ["HEAD"] });
    const headFailed = await syncThroughProxy();
    expect(headFailed.status).toBe("PARTIAL");
    expect(await snapshot()).toEqual(clean);
    const tag = await prisma.tag.findFirstOrThrow({ where: { name: "2.1", repository: { name: "demo/worker" } } });
    expect(tag.digest).toBe(worker21.digest);
    expect(tag.syncError).toMatch(/^Syncing demo\/worker:2\.1 failed: .*500/);

    expect(await syncWithoutFaults()).toBe(true);
    const cleared = await prisma.tag.findFirstOrThrow({ where: { name: "2.1", repository: { name: "demo/worker" } } });
    expect(cleared.syncError).toBeNull();
  });

  test("same client recovers after failed pings", async () => {
    const source = faultySource();
    proxy.rules.push({ name: "ping 503", fault: { kind: "status", status: 503 }, path: /^\/v2\/$/ });

    const failed = await syncOrganization(prisma, source, "demo");

    expect(failed.status).toBe("FAILED");
    expect((failed.errors as unknown as SyncErrorEntry[])[0]?.message).toMatch(/^Listing the repositories of demo failed: .*HTTP 503/);
    expect(proxy.injectedTotal()).toBe(4);

    proxy.clearRules();
    const recovered = await syncOrganization(prisma, source, "demo");

    expect(recovered.status).toBe("SUCCEEDED");
    expect(await snapshot()).toEqual(clean);
  });

  test("moved tag keeps its grade while the new manifest fails", async () => {
    await syncThroughProxy();
    const web10 = sampleTag("demo/web", "1.0");
    const manifest = JSON.parse(new TextDecoder().decode(web10.bytes)) as Record<string, unknown>;
    const moved = new TextEncoder().encode(JSON.stringify({ ...manifest, annotations: { "org.example.rebuild": "1" } }));
    const movedDigest = await pushManifest(registry, "demo/web", "1.0", moved, web10.mediaType);
    try {
      proxy.rules.push({ name: "moved manifest 502", fault: { kind: "status", status: 502 }, path: new RegExp(`/manifests/${movedDigest}$`) });

      const run = await syncThroughProxy();

      expect(run.status).toBe("PARTIAL");
      const tag = await prisma.tag.findFirstOrThrow({ where: { name: "1.0", repository: { name: "demo/web" } } });
      expect(tag.digest).toBe(web10.digest);
      expect(tag.grade).toBe(clean.tags["demo/web:1.0"]?.grade);
      expect(tag.percent).toBe(clean.tags["demo/web:1.0"]?.percent);
      expect(tag.syncErrorDigest).toBe(movedDigest);
      expect(tag.syncError).toMatch(/502/);

      proxy.clearRules();
      await syncThroughProxy();
      const movedTag = await prisma.tag.findFirstOrThrow({ where: { name: "1.0", repository: { name: "demo/web" } } });
      expect(movedTag.digest).toBe(movedDigest);
      expect(movedTag.syncError).toBeNull();
      expect(movedTag.grade).toBe(clean.tags["demo/web:1.0"]?.grade);
      expect(movedTag.percent).toBe(clean.tags["demo/web:1.0"]?.percent);
    } finally {
      await pushManifest(registry, "demo/web", "1.0", web10.bytes, web10.mediaType);
    }
  });

  test("failed layer fetch keeps the earlier analysis", async () => {
    await syncThroughProxy();
    const web10 = sampleTag("demo/web", "1.0");
    const layers = layerDigestsOf("demo/web", "1.0");
    // Without cached layers the analysis must fetch every layer again.
    await prisma.layerAnalysis.deleteMany({ where: { layerDigest: { in: layers } } });
    proxy.rules.push({ name: "layers truncated", fault: { kind: "truncate", afterBytes: 100 }, path: BLOBS, methods: ["GET"] });

    await analyzeAndGrade(prisma, faultySource(), "demo/web", [web10.digest]);

    expect(proxy.injectedTotal()).toBeGreaterThan(0);
    const analysis = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest: web10.digest } });
    expect(analysis.status).toBe("ANALYSED");
    expect(analysis.packageCount).toBe(clean.analyses[web10.digest]?.packageCount);
    expect(analysis.reason).toMatch(/^The latest analysis failed, so this result is older: /);
    expect(await snapshot()).toEqual(clean);

    proxy.clearRules();
    await analyzeAndGrade(prisma, faultySource(), "demo/web", [web10.digest]);
    const again = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest: web10.digest } });
    expect(again.reason).toBeNull();
    expect(await snapshot()).toEqual(clean);
  });
});
