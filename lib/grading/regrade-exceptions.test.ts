import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { importAdvisories } from "@/lib/advisories/import-advisories";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { regradeAfterImport } from "@/lib/grading/regrade-after-import";
import { regradeExpiredExceptions, requestRegradeForException } from "@/lib/grading/regrade-exceptions";
import { ALPINE_OPENSSL_RECORD, alpineLayer, apkRecord, pushAndSync, reportsOf, vulnerableAlpineRecords } from "@/lib/grading/testing/alpine-images";
import { attachReferrer } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";
import type { VulnerabilityFinding } from "@/scoring";

const BUSYBOX = apkRecord("busybox", "1.28.4-r1", "busybox");

describe("exceptions in grades", () => {
  let registry: RegistryServer;
  const prisma = getPrisma();

  beforeAll(async () => {
    registry = await startRegistryServer();
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
  });

  async function latestFinding(digest: string) {
    const latest = (await reportsOf(prisma, digest)).at(-1)!;
    return { report: latest, finding: (latest.findings as unknown as VulnerabilityFinding[])[0] };
  }

  test("an exception suppresses the finding in its repository only, and stops at expiry", async () => {
    const covered = await pushAndSync(prisma, registry, "acme/tls", alpineLayer(vulnerableAlpineRecords));
    const other = await pushAndSync(prisma, registry, "acme/other", alpineLayer([...vulnerableAlpineRecords, BUSYBOX]));
    await regradeAfterImport(prisma, await importAdvisories(prisma, ALPINE_OPENSSL_RECORD));
    const organization = await prisma.organization.findUniqueOrThrow({ where: { name: "acme" } });

    const expiresAt = new Date(Date.now() + 60 * 60 * 1000);
    await prisma.vulnerabilityException.create({
      data: { organizationId: organization.id, vulnerabilityId: "CVE-2018-5407", repository: "acme/tls", reason: "Not reachable: TLS is terminated by the proxy.", author: "owner@example.com", expiresAt },
    });
    // Both images have the finding; the regrade touches both, and only the covered repository's is suppressed.
    expect(await requestRegradeForException(prisma, organization.id, "cve-2018-5407")).toBe(2);

    const suppressed = await latestFinding(covered.manifest.digest);
    expect(suppressed.report).toMatchObject({ cause: "exception change", causeIds: ["cve-2018-5407"] });
    expect(suppressed.finding?.suppressed).toEqual({ by: "exception", reason: "Not reachable: TLS is terminated by the proxy.", expiresAt: expiresAt.toISOString() });
    expect((await latestFinding(other.manifest.digest)).finding?.suppressed).toBeNull();

    expect(await regradeExpiredExceptions(prisma, new Date(expiresAt.getTime() - 1000))).toBe(0);
    expect(await regradeExpiredExceptions(prisma, new Date(expiresAt.getTime() + 1000))).toBe(2);
    const lapsed = await latestFinding(covered.manifest.digest);
    expect(lapsed.report.cause).toBe("exception expiry");
    expect(lapsed.finding?.suppressed).toBeNull();
    // Each expiry is handled once.
    expect(await regradeExpiredExceptions(prisma, new Date(expiresAt.getTime() + 2000))).toBe(0);
  });

  test("a revoked exception does not apply", async () => {
    const image = await pushAndSync(prisma, registry, "acme/tls", alpineLayer(vulnerableAlpineRecords));
    await regradeAfterImport(prisma, await importAdvisories(prisma, ALPINE_OPENSSL_RECORD));
    const organization = await prisma.organization.findUniqueOrThrow({ where: { name: "acme" } });
    await prisma.vulnerabilityException.create({
      data: { organizationId: organization.id, vulnerabilityId: "CVE-2018-5407", reason: "Accepted risk.", author: "owner@example.com", revokedAt: new Date() },
    });

    expect(await requestRegradeForException(prisma, organization.id, "CVE-2018-5407")).toBe(1);
    expect((await latestFinding(image.manifest.digest)).finding?.suppressed).toBeNull();
  });

  test("an attached OpenVEX not_affected statement suppresses the finding of that image", async () => {
    const vex = {
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.com/vex/acme-tls-1",
      author: "Acme security team",
      timestamp: "2024-01-01T00:00:00Z",
      version: 1,
      statements: [
        {
          vulnerability: { name: "CVE-2018-5407" },
          products: [{ "@id": "pkg:apk/alpine/libssl1.0" }],
          status: "not_affected",
          justification: "vulnerable_code_not_in_execute_path",
        },
      ],
    };
    const attested = await pushAndSync(prisma, registry, "acme/vex", alpineLayer(vulnerableAlpineRecords), { vex });
    // Another image with the same vulnerable package: the document names only the attested image.
    const plain = await pushAndSync(prisma, registry, "acme/tls", alpineLayer([...vulnerableAlpineRecords, BUSYBOX]));
    await regradeAfterImport(prisma, await importAdvisories(prisma, ALPINE_OPENSSL_RECORD));

    expect((await latestFinding(attested.manifest.digest)).finding?.suppressed).toEqual({ by: "vex", reason: expect.stringContaining("vulnerable_code_not_in_execute_path"), expiresAt: null });
    expect((await latestFinding(plain.manifest.digest)).finding?.suppressed).toBeNull();
    const attestation = await prisma.attestation.findFirstOrThrow({ where: { imageDigest: attested.manifest.digest } });
    expect(attestation.predicateType).toBe("https://openvex.dev/ns/v0.2.0");
  });

  test("OpenVEX referrer suppresses its image's finding", async () => {
    const plain = await pushAndSync(prisma, registry, "acme/other", alpineLayer([...vulnerableAlpineRecords, BUSYBOX]), undefined, { sync: false });
    // Its own contents, so no other test's attestations (on an image with the same digest) reach it.
    const attested = await pushAndSync(prisma, registry, "acme/referred", alpineLayer([...vulnerableAlpineRecords, apkRecord("zlib", "1.2.11-r1", "zlib")]), undefined, { sync: false });
    const vex = {
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.com/vex/acme-referred-1",
      author: "Acme security team",
      timestamp: "2024-01-01T00:00:00Z",
      version: 1,
      statements: [{ vulnerability: { name: "CVE-2018-5407" }, products: [{ "@id": attested.manifest.digest }], status: "not_affected", justification: "inline_mitigations_already_exist" }],
    };
    await attachReferrer(registry, "acme/referred", attested.manifest, "application/vnd.openvex+json", new TextEncoder().encode(JSON.stringify(vex)));
    const run = await syncOrganization(prisma, testRegistrySource(registry.url), "acme");
    expect(run.errors).toEqual([]);
    // The referrers tag (sha256-<hex>) indexes the attachment; it is not one of the repository's tags.
    expect((await prisma.tag.findMany({ where: { repository: { name: "acme/referred" } } })).map((tag) => tag.name)).toEqual(["latest"]);
    await regradeAfterImport(prisma, await importAdvisories(prisma, ALPINE_OPENSSL_RECORD));

    expect((await latestFinding(attested.manifest.digest)).finding?.suppressed).toEqual({ by: "vex", reason: expect.stringContaining("inline_mitigations_already_exist"), expiresAt: null });
    expect((await latestFinding(plain.manifest.digest)).finding?.suppressed).toBeNull();
  });
});

