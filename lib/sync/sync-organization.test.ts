import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { analyzerVersion } from "@/lib/analysis/analyze-image";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { deleteManifest } from "@/lib/registry/testing/push-image";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";
import type { SampleSet } from "@/lib/samples/sample-set";
import { startSampleRegistry } from "@/lib/sync/testing/push-sample-set";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";
import { syncOrganization } from "@/lib/sync/sync-organization";

interface LoggedRequest {
  method: string;
  url: string;
}

function countingSource(url: string, log: LoggedRequest[]) {
  return testRegistrySource(url, { onRequest: (info) => log.push({ method: info.method, url: info.url }) });
}

describe("syncOrganization against the CNCF registry", () => {
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
  });

  test("stores repositories, tags, images and grades", async () => {
    const run = await syncOrganization(prisma, countingSource(registry.url, []), "demo");

    expect(run.status).toBe("SUCCEEDED");
    expect(run.errors).toEqual([]);
    const repositories = await prisma.repository.findMany({ orderBy: { name: "asc" } });
    expect(repositories.map((repository) => repository.name)).toEqual(["demo/alpine-tools", "demo/multi-arch", "demo/web", "demo/worker"]);
    expect(run.tagsSeen).toBe(samples.tags.length);

    const web10 = await prisma.tag.findFirstOrThrow({ where: { name: "1.0", repository: { name: "demo/web" } } });
    // Runs as root, has no attestations, and Debian 12 is past its end of life. No advisories are imported, so the
    // vulnerability policies have no data: 5 of 90 points, from the license policy.
    expect(web10.grade).toBe("F");
    expect(web10.percent).toBeCloseTo((5 / 90) * 100);

    const web11 = await prisma.tag.findFirstOrThrow({ where: { name: "1.1", repository: { name: "demo/web" } }, include: { manifest: { include: { images: { include: { image: { include: { attestations: true } } } } } } } });
    // Non-root and attested: 25 of 90 points.
    expect(web11.grade).toBe("E");
    expect(web11.manifest.isIndex).toBe(true);
    const web11Image = web11.manifest.images[0]?.image;
    const analysis = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest: web11Image!.digest } });
    expect(analysis).toMatchObject({ status: "ANALYSED", osEcosystem: "Debian:12" });
    expect(analysis.packageCount).toBeGreaterThan(0);
    expect(web11Image?.user).toBe("10001:10001");
    expect(web11Image?.attestations.map((attestation) => attestation.predicateType).sort()).toEqual(["https://slsa.dev/provenance/v0.2", "https://spdx.dev/Document"]);
    expect(web11Image?.attestations.find((attestation) => attestation.provenanceMode !== null)?.provenanceMode).toBe("max");

    const rc = await prisma.tag.findFirstOrThrow({ where: { name: "1.2-rc" }, include: { manifest: { include: { images: { include: { image: { include: { attestations: true } } } } } } } });
    expect(rc.manifest.images[0]?.image.attestations.find((attestation) => attestation.provenanceMode !== null)?.provenanceMode).toBe("min");

    const multi = await prisma.tag.findFirstOrThrow({ where: { repository: { name: "demo/multi-arch" } }, include: { manifest: { include: { images: true } } } });
    expect(multi.manifest.images.map((image) => image.platform).sort()).toEqual(["linux/amd64", "linux/arm64/v8"]);
    const reports = await prisma.scoreReport.findMany({ where: { imageDigest: { in: multi.manifest.images.map((image) => image.imageDigest) } } });
    expect(reports).toHaveLength(2);
    const worst = Math.min(...reports.map((report) => report.percent ?? 0));
    expect(multi.percent).toBe(worst);

    const alpine = await prisma.image.findFirstOrThrow({ where: { manifests: { some: { manifest: { tags: { some: { repository: { name: "demo/alpine-tools" } } } } } } } });
    expect(alpine.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    expect(alpine.user).toBe("root");

    const worker = await prisma.repository.findFirstOrThrow({ where: { name: "demo/worker" }, include: { tags: true } });
    const latestTag = worker.tags.find((tag) => tag.id === worker.latestTagId);
    expect(latestTag?.name).toBe("2.1");
    expect(worker.tagCount).toBe(2);
  });

  test("re-sync with nothing changed only lists and HEADs", async () => {
    await syncOrganization(prisma, countingSource(registry.url, []), "demo");
    const requests: LoggedRequest[] = [];
    const run = await syncOrganization(prisma, countingSource(registry.url, requests), "demo");

    expect(run.tagsUnchanged).toBe(samples.tags.length);
    expect(run.tagsChanged).toBe(0);
    const bodies = requests.filter((request) => request.method === "GET" && /\/(manifests|blobs)\//.test(request.url));
    expect(bodies).toEqual([]);
    const heads = requests.filter((request) => request.method === "HEAD");
    expect(heads).toHaveLength(samples.tags.length);
  });

  test("re-sync redoes an analysis by older catalogers", async () => {
    await syncOrganization(prisma, countingSource(registry.url, []), "demo");
    const current = analyzerVersion();
    const outdated = await prisma.imageAnalysis.findFirstOrThrow({ where: { status: "ANALYSED", packageCount: { gt: 0 } } });
    await prisma.imageAnalysis.update({ where: { imageDigest: outdated.imageDigest }, data: { analyzerVersion: current.replace("dpkg@", "dpkg@0") } });

    const requests: LoggedRequest[] = [];
    await syncOrganization(prisma, countingSource(registry.url, requests), "demo");

    const redone = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest: outdated.imageDigest } });
    expect(redone.analyzerVersion).toBe(current);
    expect(redone.analysedAt!.getTime()).toBeGreaterThan(outdated.analysedAt!.getTime());
    expect(redone.packageCount).toBe(outdated.packageCount);
    // Every layer's cache entries are current, so nothing is fetched again.
    expect(requests.filter((request) => request.method === "GET" && /\/blobs\//.test(request.url))).toEqual([]);
    const others = await prisma.imageAnalysis.findMany({ where: { imageDigest: { not: outdated.imageDigest }, status: "ANALYSED" } });
    expect(others.every((analysis) => analysis.analyzerVersion === current)).toBe(true);
  });

  test("deleted tag is marked deleted with history kept", async () => {
    await syncOrganization(prisma, countingSource(registry.url, []), "demo");
    const rc = samples.tags.find((tag) => tag.repository === "demo/web" && tag.tag === "1.2-rc");
    if (!rc) throw new Error("the sample set has no demo/web:1.2-rc");
    await deleteManifest(registry, "demo/web", rc.digest);

    const run = await syncOrganization(prisma, countingSource(registry.url, []), "demo");

    expect(run.tagsDeleted).toBe(1);
    const tag = await prisma.tag.findFirstOrThrow({ where: { name: "1.2-rc" }, include: { history: true } });
    expect(tag.deletedAt).not.toBeNull();
    expect(tag.history.map((entry) => entry.digest)).toEqual([rc.digest]);
    const web = await prisma.repository.findFirstOrThrow({ where: { name: "demo/web" } });
    expect(web.tagCount).toBe(2);
  });
});
