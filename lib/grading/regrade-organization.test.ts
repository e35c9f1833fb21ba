import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { imagesOfCurrentTags, regradeOrganization } from "@/lib/grading/regrade-organization";
import { reportsOf } from "@/lib/grading/testing/alpine-images";
import { pushTag } from "@/lib/grading/testing/policy-images";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { defaultPolicyConfig } from "@/scoring";
import { importUnrelatedAdvisory } from "@/lib/grading/testing/alpine-images";

describe("organization re-grade", () => {
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
    // Advisories count as imported, so the vulnerability policies decide (and pass) instead of having no data.
    await importUnrelatedAdvisory(prisma);
  });

  /** acme: root:latest (amd64), multi:latest (amd64 + arm64), root:old (deleted); globex: site:latest. */
  async function seed() {
    const root = await pushTag(prisma, registry, "acme", "root", "latest", [{ architecture: "amd64" }]);
    const multi = await pushTag(prisma, registry, "acme", "multi", "latest", [{ architecture: "amd64", user: "app" }, { architecture: "arm64", user: "app" }]);
    const deleted = await pushTag(prisma, registry, "acme", "root", "old", [{ architecture: "arm64" }]);
    const other = await pushTag(prisma, registry, "globex", "site", "latest", [{ architecture: "amd64", user: "web" }]);
    await prisma.tag.updateMany({ where: { name: "old" }, data: { deletedAt: new Date() } });
    const acme = await prisma.organization.findUniqueOrThrow({ where: { name: "acme" } });
    return { acme, current: [...root, ...multi], deleted, other };
  }

  test("count is the images of current tags", async () => {
    const { acme, current } = await seed();
    expect(await imagesOfCurrentTags(prisma, acme.id)).toEqual([...current].sort());
    expect(await regradeOrganization(prisma, acme.id)).toBe(3);
  });

  test("reports carry the policy change cause", async () => {
    const { acme, current, deleted, other } = await seed();
    const config = { ...defaultPolicyConfig, version: 2, policies: { ...defaultPolicyConfig.policies, "default-non-root-user": { weight: 0 } } };
    await prisma.policyConfiguration.create({ data: { organizationId: acme.id, version: 2, config: JSON.parse(JSON.stringify(config)), author: "owner@example.com" } });

    await regradeOrganization(prisma, acme.id, { causeIds: ["version 2"] });

    for (const digest of current) {
      const reports = await reportsOf(prisma, digest);
      expect(reports.at(-1), digest).toMatchObject({ cause: "policy change", causeIds: ["version 2"], policyConfigVersion: 2 });
      expect(reports.at(-2)?.cause, digest).not.toBe("policy change");
    }
    for (const digest of [...deleted, ...other]) {
      expect((await reportsOf(prisma, digest)).map((report) => report.cause), digest).not.toContain("policy change");
    }
  });

  test("stored grades follow the new reports", async () => {
    const { acme } = await seed();
    expect((await prisma.tag.findFirstOrThrow({ where: { name: "latest", repository: { name: "acme/root" } } })).grade).toBe("D");
    const config = { ...defaultPolicyConfig, version: 2, policies: { ...defaultPolicyConfig.policies, "default-non-root-user": { weight: 0 } } };
    await prisma.policyConfiguration.create({ data: { organizationId: acme.id, version: 2, config: JSON.parse(JSON.stringify(config)), author: "owner@example.com" } });

    await regradeOrganization(prisma, acme.id, { causeIds: ["version 2"] });

    const tag = await prisma.tag.findFirstOrThrow({ where: { name: "latest", repository: { name: "acme/root" } } });
    expect(tag.grade).toBe("C");
    const repository = await prisma.repository.findFirstOrThrow({ where: { name: "acme/root" } });
    expect(repository.grade).toBe("C");
    const changes = await prisma.gradeChange.findMany({ where: { tagId: tag.id }, orderBy: { changedAt: "asc" }, select: { fromGrade: true, toGrade: true, cause: true, causeIds: true } });
    expect(changes.at(-1)).toEqual({ fromGrade: "D", toGrade: "C", cause: "policy change", causeIds: ["version 2"] });
  });

  test("organization without tags grades nothing", async () => {
    const empty = await prisma.organization.create({ data: { name: "empty" } });
    expect(await regradeOrganization(prisma, empty.id)).toBe(0);
  });
});
