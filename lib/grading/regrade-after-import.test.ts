import { readFileSync } from "node:fs";
import path from "node:path";

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { importAdvisories } from "@/lib/advisories/import-advisories";
import { kevFixtureFile, makeTempFolder, removeTempFolder, writeFixture } from "@/lib/advisories/testing/advisory-fixtures";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { regradeAfterImport } from "@/lib/grading/regrade-after-import";
import { ALPINE_OPENSSL_RECORD, alpineLayer, apkRecord, importUnrelatedAdvisory, pushAndSync, reportsOf, UNRELATED_OSV_RECORD, vulnerableAlpineRecords } from "@/lib/grading/testing/alpine-images";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import type { PolicyResult, VulnerabilityFinding } from "@/scoring";

describe("re-grading after an advisory import", () => {
  let registry: RegistryServer;
  let folder: string | undefined;
  const prisma = getPrisma();

  beforeAll(async () => {
    registry = await startRegistryServer();
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    // Not the first OSV import, which re-grades every image, so each test gets a targeted re-grade.
    await importUnrelatedAdvisory(prisma);
    folder = await makeTempFolder();
  });
  afterEach(async () => {
    await removeTempFolder(folder);
  });

  const reports = (digest: string) => reportsOf(prisma, digest);

  test("only images with a named package; cause, findings, KEV", async () => {
    const withOpenssl = await pushAndSync(prisma, registry, "acme/tls", alpineLayer(vulnerableAlpineRecords));
    const without = await pushAndSync(prisma, registry, "acme/plain", alpineLayer([apkRecord("musl", "1.1.19-r10", "musl")]));
    expect((await reports(withOpenssl.manifest.digest)).map((report) => report.findings)).toEqual([[]]);

    const osv = await importAdvisories(prisma, ALPINE_OPENSSL_RECORD);
    expect(await regradeAfterImport(prisma, osv)).toBe(1);

    const [, afterOsv] = await reports(withOpenssl.manifest.digest);
    expect(afterOsv).toMatchObject({ cause: "advisory update", causeIds: ["CVE-2018-5407"], advisorySnapshot: osv.snapshot.id });
    const findings = afterOsv!.findings as unknown as VulnerabilityFinding[];
    expect(findings).toEqual([
      expect.objectContaining({ vulnerabilityId: "CVE-2018-5407", packageName: "libssl1.0", packageVersion: "1.0.2o-r2", fixedVersion: "1.0.2q-r0", knownExploited: false }),
    ]);
    expect(await reports(without.manifest.digest)).toHaveLength(1);
    // The record rates no severity, so the grade stays and no change is recorded.
    expect(await prisma.gradeChange.count({ where: { cause: "advisory update" } })).toBe(0);

    const catalog = JSON.parse(readFileSync(kevFixtureFile, "utf8")) as { count: number; vulnerabilities: { cveID: string }[] };
    catalog.vulnerabilities[0]!.cveID = "CVE-2018-5407";
    const kevFile = path.join(folder!, "known-exploited-vulnerabilities.json");
    await writeFixture(folder!, "known-exploited-vulnerabilities.json", catalog);
    const kev = await importAdvisories(prisma, kevFile);
    expect(await regradeAfterImport(prisma, kev)).toBe(1);

    const latest = (await reports(withOpenssl.manifest.digest)).at(-1)!;
    expect(latest).toMatchObject({ cause: "advisory update", causeIds: ["CVE-2018-5407"] });
    expect((latest.findings as unknown as VulnerabilityFinding[])[0]?.knownExploited).toBe(true);
    expect(await reports(without.manifest.digest)).toHaveLength(1);
    // In KEV, the finding now fails the high-profile policy: the drop is recorded with its cause.
    const changes = await prisma.gradeChange.findMany({ where: { repository: { name: "acme/tls" }, tagId: { not: null } }, orderBy: { changedAt: "asc" } });
    expect(changes.map((change) => [change.cause, change.causeIds])).toEqual([
      ["push", []],
      ["advisory update", ["CVE-2018-5407"]],
    ]);
    expect(changes[1]?.toPercent).toBeLessThan(changes[1]?.fromPercent ?? 0);

  });

  test("release the advisory does not cover", async () => {
    const built = await pushAndSync(prisma, registry, "acme/newer", alpineLayer(vulnerableAlpineRecords, "3.20.3"));

    expect(await regradeAfterImport(prisma, await importAdvisories(prisma, ALPINE_OPENSSL_RECORD))).toBe(0);
    expect(await reports(built.manifest.digest)).toHaveLength(1);
  });

  test("the first OSV import re-grades every analysed image", async () => {
    await resetDatabase();
    const image = await pushAndSync(prisma, registry, "acme/plain", alpineLayer([apkRecord("musl", "1.1.19-r10", "musl")]));
    const statusOf = async () => {
      const latest = (await reports(image.manifest.digest)).at(-1)!;
      return (latest.results as unknown as PolicyResult[]).find((result) => result.id === "no-fixable-critical-high")?.status;
    };
    expect(await statusOf()).toBe("no-data");

    expect(await regradeAfterImport(prisma, await importAdvisories(prisma, UNRELATED_OSV_RECORD))).toBe(1);
    expect(await statusOf()).toBe("pass");
  });
});

