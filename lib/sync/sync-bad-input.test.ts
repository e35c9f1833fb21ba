import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { findFreePort } from "@/lib/database/embedded-postgres";
import { getPrisma } from "@/lib/db";
import { sha256Digest } from "@/lib/registry/testing/push-image";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";
import type { SampleSet } from "@/lib/samples/sample-set";
import { startSampleRegistry } from "@/lib/sync/testing/push-sample-set";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";
import { startTamperingProxy, type TamperedResponse } from "@/lib/sync/testing/tampering-proxy";
import { syncOrganization } from "@/lib/sync/sync-organization";

const ociManifest = "application/vnd.oci.image.manifest.v1+json";

function source(url: string, credentials: { username?: string; password?: string } = {}) {
  return testRegistrySource(url, { timeoutMs: 5_000, ...credentials });
}

interface SyncErrorEntry {
  repository: string;
  reference: string | null;
  digest: string | null;
  message: string;
}

describe("sync with bad registry input", () => {
  let registry: RegistryServer;
  let samples: SampleSet;
  const prisma = getPrisma();

  beforeAll(async () => {
    ({ registry, samples } = await startSampleRegistry());
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    await syncOrganization(prisma, source(registry.url), "demo");
  });

  /** Snapshot of what a failed sync must leave untouched. */
  async function storedState() {
    const tags = await prisma.tag.findMany({ orderBy: { id: "asc" }, select: { name: true, digest: true, grade: true, percent: true, deletedAt: true } });
    const repositories = await prisma.repository.findMany({ orderBy: { id: "asc" }, select: { name: true, grade: true, deletedAt: true } });
    return { tags, repositories, reports: await prisma.scoreReport.count() };
  }

  test("unreachable registry fails the run and keeps the data", async () => {
    const before = await storedState();
    const port = await findFreePort();

    const run = await syncOrganization(prisma, source(`http://127.0.0.1:${port}`), "demo");

    expect(run.status).toBe("FAILED");
    const errors = run.errors as unknown as SyncErrorEntry[];
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(`127.0.0.1:${port}`);
    expect(await storedState()).toEqual(before);
  });

  test("manifest that is not JSON keeps the earlier grade", async () => {
    const garbage = "this is not a manifest";
    await expectTamperedTagKeepsGrade(
      (digest) => ({ status: 200, headers: { "content-type": ociManifest, "docker-content-digest": digest }, body: garbage }),
      sha256Digest(Buffer.from(garbage)),
      /not (valid )?JSON/i,
    );
  });

  test("manifest over the size cap keeps the earlier grade", async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x20);
    await expectTamperedTagKeepsGrade(
      (digest) => ({ status: 200, headers: { "content-type": ociManifest, "docker-content-digest": digest }, body: huge }),
      sha256Digest(huge),
      /size|large|limit|cap/i,
    );
  });

  test("config blob with a wrong digest keeps the earlier grade", async () => {
    const web10 = samples.tags.find((tag) => tag.repository === "demo/web" && tag.tag === "1.0");
    if (!web10) throw new Error("the sample set has no demo/web:1.0");
    // A new manifest (same layers, one annotation added) whose config blob the proxy corrupts.
    const manifest = JSON.parse(Buffer.from(web10.bytes).toString("utf8")) as { config: { digest: string }; annotations?: Record<string, string> };
    manifest.annotations = { ...manifest.annotations, "org.example.rebuilt": "yes" };
    const moved = Buffer.from(JSON.stringify(manifest));
    const configDigest = manifest.config.digest;

    const proxy = await startTamperingProxy(registry.url);
    const movedDigest = sha256Digest(moved);
    proxy.rules.push((method, path): TamperedResponse | undefined => {
      if (path === "/v2/demo/web/manifests/1.0" || path === `/v2/demo/web/manifests/${movedDigest}`) {
        return { status: 200, headers: { "content-type": ociManifest, "docker-content-digest": movedDigest }, body: moved };
      }
      if (path === `/v2/demo/web/blobs/${configDigest}` && method === "GET") {
        return { status: 200, headers: { "content-type": "application/octet-stream" }, body: '{"os":"linux","architecture":"amd64","tampered":true}' };
      }
      return undefined;
    });
    try {
      await expectFailureKeepsTag(proxy.url, movedDigest, /digest/i);
    } finally {
      await proxy.close();
    }
  });

  async function expectTamperedTagKeepsGrade(
    respond: (digest: string) => { status: number; headers: Record<string, string>; body: string | Uint8Array },
    newDigest: string,
    messagePattern: RegExp,
  ) {
    const proxy = await startTamperingProxy(registry.url);
    proxy.rules.push((_method, path) =>
      path === "/v2/demo/web/manifests/1.0" || path === `/v2/demo/web/manifests/${newDigest}` ? respond(newDigest) : undefined,
    );
    try {
      await expectFailureKeepsTag(proxy.url, newDigest, messagePattern);
    } finally {
      await proxy.close();
    }
  }

  async function expectFailureKeepsTag(url: string, newDigest: string, messagePattern: RegExp) {
    const before = await storedState();
    const tagBefore = await prisma.tag.findFirstOrThrow({ where: { name: "1.0", repository: { name: "demo/web" } } });

    const run = await syncOrganization(prisma, source(url), "demo");

    expect(run.status).toBe("PARTIAL");
    const errors = run.errors as unknown as SyncErrorEntry[];
    expect(errors).toHaveLength(1);
    expect(errors[0]?.repository).toBe("demo/web");
    expect(errors[0]?.digest).toBe(newDigest);
    expect(errors[0]?.message).toContain("demo/web:1.0");
    expect(errors[0]?.message).toContain(newDigest);
    expect(errors[0]?.message).toMatch(messagePattern);

    const tagAfter = await prisma.tag.findFirstOrThrow({ where: { name: "1.0", repository: { name: "demo/web" } } });
    expect(tagAfter.digest).toBe(tagBefore.digest);
    expect(tagAfter.grade).toBe(tagBefore.grade);
    expect(tagAfter.syncErrorDigest).toBe(newDigest);
    expect(tagAfter.syncError).toMatch(messagePattern);
    expect(await storedState()).toEqual(before);

    // The next clean sync retries the tag and clears the error.
    const retry = await syncOrganization(prisma, source(registry.url), "demo");
    expect(retry.status).toBe("SUCCEEDED");
    const recovered = await prisma.tag.findFirstOrThrow({ where: { name: "1.0", repository: { name: "demo/web" } } });
    expect(recovered.syncError).toBeNull();
    expect(recovered.digest).toBe(tagBefore.digest);
  }
});

describe("sync with registry credentials", () => {
  let registry: RegistryServer;
  const credentials = { username: "robot", password: "correct-horse-battery" };
  const prisma = getPrisma();

  beforeAll(async () => {
    ({ registry } = await startSampleRegistry({ htpasswd: credentials }));
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
  });

  test("right credentials sync every repository", async () => {
    const run = await syncOrganization(prisma, source(registry.url, credentials), "demo");
    expect(run.status).toBe("SUCCEEDED");
    expect(run.repositoriesSeen).toBe(4);
  });

  test("wrong credentials fail with a clear message", async () => {
    const run = await syncOrganization(prisma, source(registry.url, { username: "robot", password: "wrong-password" }), "demo");
    expect(run.status).toBe("FAILED");
    const errors = run.errors as unknown as SyncErrorEntry[];
    expect(errors[0]?.message).toMatch(/credentials/i);
    expect(errors[0]?.message).not.toContain("wrong-password");
    expect(await prisma.repository.count()).toBe(0);
  });
});
