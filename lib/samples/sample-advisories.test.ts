import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { importAdvisories } from "@/lib/advisories/import-advisories";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { regradeAfterImport } from "@/lib/grading/regrade-after-import";
import { latestReports } from "@/lib/grading/refresh-grades";
import type { RegistryServer } from "@/lib/registry/testing/registry-server";
import { SAMPLE_ADVISORIES_DIR } from "@/lib/samples/sample-advisories-dir";
import { startSampleRegistry } from "@/lib/sync/testing/push-sample-set";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";
import { syncOrganization } from "@/lib/sync/sync-organization";
import type { VulnerabilityFinding } from "@/scoring";

const prisma = getPrisma();

/** Returns each tag's grade and percent, as "demo/web:1.0" → "D 50". */
async function tagGrades(): Promise<Record<string, string>> {
  const tags = await prisma.tag.findMany({ include: { repository: { select: { name: true } } } });
  return Object.fromEntries(tags.map((tag) => [`${tag.repository.name}:${tag.name}`, `${tag.grade} ${tag.percent}`]));
}

/** Loads the findings of the latest report of each platform image of a tag. */
async function findingsOf(repository: string, tag: string): Promise<VulnerabilityFinding[]> {
  const row = await prisma.tag.findFirstOrThrow({ where: { name: tag, repository: { name: repository } }, include: { manifest: { include: { images: true } } } });
  const reports = await latestReports(prisma, row.manifest.images.map((image) => image.imageDigest));
  const stored = await prisma.scoreReport.findMany({ where: { id: { in: [...reports.values()].map((report) => report.id) } }, select: { findings: true } });
  return stored.flatMap((report) => report.findings as unknown as VulnerabilityFinding[]);
}

describe("sample images with the sample advisories", () => {
  let registry: RegistryServer;
  let gradesBeforeImport: Record<string, string>;
  let regraded: number;

  beforeAll(async () => {
    await resetDatabase();
    ({ registry } = await startSampleRegistry());
    const run = await syncOrganization(prisma, testRegistrySource(registry.url), "demo");
    expect(run.status).toBe("SUCCEEDED");
    gradesBeforeImport = await tagGrades();

    const result = await importAdvisories(prisma, SAMPLE_ADVISORIES_DIR);
    regraded = await regradeAfterImport(prisma, result);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test("the first import re-grades every analysed image", async () => {
    // Before it the vulnerability policies had no data for any image.
    expect(regraded).toBe(await prisma.imageAnalysis.count({ where: { status: "ANALYSED" } }));
  });

  test("worker 2.0 has the npm findings", async () => {
    const findings = await findingsOf("demo/worker", "2.0");

    expect(findings.map((finding) => finding.vulnerabilityId).sort()).toEqual(["CVE-2019-10746", "GHSA-pxmp-fwjc-4x7q"]);
    expect(findings.find((finding) => finding.vulnerabilityId === "CVE-2019-10746")).toMatchObject({
      recordIds: ["GHSA-fhjf-83wg-r2j9"],
      packageType: "npm",
      packageName: "mixin-deep",
      packageVersion: "1.3.1",
      fixedVersion: "1.3.2",
      severity: { level: "unspecified", score: null, source: null },
      published: "2019-08-27T17:42:33.000Z",
      suppressed: null,
    });
    expect(findings.find((finding) => finding.vulnerabilityId === "GHSA-pxmp-fwjc-4x7q")).toMatchObject({ packageName: "marky-markdown", fixedVersion: null });
  });

  test("worker 2.1 has no findings", async () => {
    expect(await findingsOf("demo/worker", "2.1")).toEqual([]);
  });

  test("alpine-tools has the openssl findings", async () => {
    const findings = await findingsOf("demo/alpine-tools", "3.4");

    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding).toMatchObject({ vulnerabilityId: "CVE-2018-5407", fixedVersion: "1.0.2q-r0", severity: { level: "medium", score: 4.7 } });
    }
  });

  test("web images have no findings", async () => {
    for (const tag of ["1.0", "1.1", "1.2-rc"]) expect(await findingsOf("demo/web", tag)).toEqual([]);
  });

  test("grades rise once advisories are imported", async () => {
    // No sample finding is critical, high or known to be exploited, so both vulnerability policies go from no data to pass.
    const after = await tagGrades();
    expect(Object.keys(after).sort()).toEqual(Object.keys(gradesBeforeImport).sort());
    for (const [tag, grade] of Object.entries(after)) expect(grade < gradesBeforeImport[tag]! || grade === gradesBeforeImport[tag]).toBe(true);
    expect(Object.entries(after).some(([tag, grade]) => grade < gradesBeforeImport[tag]!)).toBe(true);
  });
});
