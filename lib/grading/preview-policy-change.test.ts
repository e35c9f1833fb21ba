import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { previewPolicyChange } from "@/lib/grading/preview-policy-change";
import { regradeOrganization } from "@/lib/grading/regrade-organization";
import { pushTag } from "@/lib/grading/testing/policy-images";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { defaultPolicyConfig, parsePolicyConfig, type PolicyConfig, type PolicyId } from "@/scoring";
import { importUnrelatedAdvisory } from "@/lib/grading/testing/alpine-images";

const ROOT = [{ architecture: "amd64" as const }];
const APP = [{ architecture: "amd64" as const, user: "app" }];

/** Builds the default configuration with some weights changed, as `version`. */
function withWeights(weights: Partial<Record<PolicyId, number>>, version = 2): PolicyConfig {
  const policies: Record<string, object> = {};
  for (const [id, settings] of Object.entries(defaultPolicyConfig.policies)) policies[id] = { ...settings, weight: weights[id as PolicyId] ?? settings.weight };
  return parsePolicyConfig({ version, policies });
}

// Without advisories, an analysed Alpine image passes the two vulnerability policies (40) and the
// license policy (5); attestations fail (15) and both base-image policies have no data (25).
// Root: 45 of 90 = 50 % → D. User app: 50 of 90 → C. Non-root weight 0: 45 of 85 → C for both.
const nonRootOff = withWeights({ "default-non-root-user": 0 });
// Only attestations, the base-image policies and non-root count: root earns 0 of 45 → F, app 5 of 45 → E.
const redMaker = withWeights({ "no-fixable-critical-high": 0, "no-high-profile-vulnerabilities": 0, "no-agpl-v3-licenses": 0 });

describe("policy change preview", () => {
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

  async function organization(name = "acme") {
    return prisma.organization.findUniqueOrThrow({ where: { name }, select: { id: true, name: true } });
  }

  async function saveVersion(organizationId: string, config: PolicyConfig) {
    await prisma.policyConfiguration.create({ data: { organizationId, version: config.version, config: JSON.parse(JSON.stringify(config)), author: "owner@example.com" } });
    await regradeOrganization(prisma, organizationId);
  }

  async function storedTagGrades(organizationId: string) {
    const tags = await prisma.tag.findMany({ where: { deletedAt: null, repository: { organizationId, deletedAt: null } }, select: { name: true, grade: true, repository: { select: { name: true } } } });
    return Object.fromEntries(tags.map((tag) => [`${tag.repository.name}:${tag.name}`, tag.grade]));
  }

  test("weight 0 counts tag moves", async () => {
    await pushTag(prisma, registry, "acme", "root", "latest", ROOT);
    await pushTag(prisma, registry, "acme", "app", "latest", APP);

    const preview = await previewPolicyChange(prisma, await organization(), nonRootOff);

    expect(preview.imageCount).toBe(2);
    expect(preview.tags).toEqual([
      { repository: "acme/app", tag: "latest", from: "C", to: "C" },
      { repository: "acme/root", tag: "latest", from: "D", to: "C" },
    ]);
    expect(preview.changedTags).toEqual([{ repository: "acme/root", tag: "latest", from: "D", to: "C" }]);
    expect(preview.moves).toEqual([{ from: "D", to: "C", tags: 1 }]);
    expect(preview.repositoriesTurningRed).toEqual([]);
    expect(preview.repositoriesLeavingRed).toEqual([]);
  });

  test("unchanged configuration moves nothing", async () => {
    await pushTag(prisma, registry, "acme", "root", "latest", ROOT);
    const preview = await previewPolicyChange(prisma, await organization(), defaultPolicyConfig);
    expect(preview.changedTags).toEqual([]);
    expect(preview.moves).toEqual([]);
  });

  test("repositories turning and leaving red", async () => {
    await pushTag(prisma, registry, "acme", "root", "latest", ROOT);
    await pushTag(prisma, registry, "acme", "app", "latest", APP);
    const acme = await organization();

    const turning = await previewPolicyChange(prisma, acme, redMaker);
    expect(turning.repositoriesTurningRed).toEqual([
      { repository: "acme/app", latestTag: "latest", from: "C", to: "E" },
      { repository: "acme/root", latestTag: "latest", from: "D", to: "F" },
    ]);
    expect(turning.repositoriesLeavingRed).toEqual([]);
    expect(turning.moves).toEqual([
      { from: "C", to: "E", tags: 1 },
      { from: "D", to: "F", tags: 1 },
    ]);

    await saveVersion(acme.id, redMaker);
    const leaving = await previewPolicyChange(prisma, acme, { ...defaultPolicyConfig, version: 3 });
    expect(leaving.repositoriesTurningRed).toEqual([]);
    expect(leaving.repositoriesLeavingRed).toEqual([
      { repository: "acme/app", latestTag: "latest", from: "E", to: "C" },
      { repository: "acme/root", latestTag: "latest", from: "F", to: "D" },
    ]);
  });

  test("tag takes its worst platform", async () => {
    await pushTag(prisma, registry, "acme", "multi", "latest", [{ architecture: "amd64" }, { architecture: "arm64", user: "app" }]);

    const preview = await previewPolicyChange(prisma, await organization(), nonRootOff);

    expect(preview.imageCount).toBe(2);
    // amd64 runs as root (D) and arm64 as app (C); without the non-root policy both are C.
    expect(preview.tags).toEqual([{ repository: "acme/multi", tag: "latest", from: "D", to: "C" }]);
  });

  test("repository takes its latest pushed tag", async () => {
    await pushTag(prisma, registry, "acme", "mixed", "old", ROOT);
    await pushTag(prisma, registry, "acme", "mixed", "new", APP);
    const acme = await organization();
    await prisma.tag.updateMany({ where: { name: "old" }, data: { lastPushedAt: new Date("2026-01-01T00:00:00Z") } });
    await prisma.tag.updateMany({ where: { name: "new" }, data: { lastPushedAt: new Date("2026-02-01T00:00:00Z") } });

    expect((await previewPolicyChange(prisma, acme, redMaker)).repositoriesTurningRed).toEqual([{ repository: "acme/mixed", latestTag: "new", from: "C", to: "E" }]);

    await prisma.tag.updateMany({ where: { name: "old" }, data: { lastPushedAt: new Date("2026-03-01T00:00:00Z") } });
    expect((await previewPolicyChange(prisma, acme, redMaker)).repositoriesTurningRed).toEqual([{ repository: "acme/mixed", latestTag: "old", from: "D", to: "F" }]);
  });

  test("deleted tags and repositories are left out", async () => {
    await pushTag(prisma, registry, "acme", "root", "latest", ROOT);
    await pushTag(prisma, registry, "acme", "root", "gone", APP);
    await pushTag(prisma, registry, "acme", "removed", "latest", [{ architecture: "arm64" }]);
    await prisma.tag.updateMany({ where: { name: "gone" }, data: { deletedAt: new Date() } });
    await prisma.repository.updateMany({ where: { name: "acme/removed" }, data: { deletedAt: new Date() } });

    const preview = await previewPolicyChange(prisma, await organization(), nonRootOff);

    expect(preview.tags.map((tag) => `${tag.repository}:${tag.tag}`)).toEqual(["acme/root:latest"]);
    expect(preview.imageCount).toBe(1);
  });

  test("preview writes nothing", async () => {
    await pushTag(prisma, registry, "acme", "root", "latest", ROOT);
    const acme = await organization();
    const before = { reports: await prisma.scoreReport.count(), grades: await storedTagGrades(acme.id), configs: await prisma.policyConfiguration.count() };

    await previewPolicyChange(prisma, acme, redMaker);

    expect(await prisma.scoreReport.count()).toBe(before.reports);
    expect(await storedTagGrades(acme.id)).toEqual(before.grades);
    expect(await prisma.policyConfiguration.count()).toBe(before.configs);
  });

  test("saved grades equal the preview", async () => {
    await pushTag(prisma, registry, "acme", "root", "latest", ROOT);
    await pushTag(prisma, registry, "acme", "app", "latest", APP);
    await pushTag(prisma, registry, "acme", "multi", "latest", [{ architecture: "amd64", user: "app" }, { architecture: "arm64" }]);
    const acme = await organization();

    for (const [index, candidate] of [nonRootOff, redMaker, withWeights({ "supply-chain-attestations": 0, "default-non-root-user": 40 })].entries()) {
      const version = index + 2;
      const preview = await previewPolicyChange(prisma, acme, { ...candidate, version });
      await saveVersion(acme.id, { ...candidate, version });

      const stored = await storedTagGrades(acme.id);
      expect(Object.keys(stored).sort()).toEqual(preview.tags.map((tag) => `${tag.repository}:${tag.tag}`).sort());
      for (const tag of preview.tags) expect(stored[`${tag.repository}:${tag.tag}`], `${tag.repository}:${tag.tag} under version ${version}`).toBe(tag.to);
      const repositories = await prisma.repository.findMany({ where: { organizationId: acme.id }, select: { name: true, grade: true } });
      for (const repository of repositories) expect(repository.grade, repository.name).toBe(preview.tags.find((tag) => tag.repository === repository.name)?.to);
    }
  });

  test("image graded under an earlier organization keeps its grade", async () => {
    // "beta" sorts before "zeta", so the image both tag is graded under beta's configuration.
    await pushTag(prisma, registry, "beta", "shared", "latest", ROOT);
    await pushTag(prisma, registry, "zeta", "shared", "latest", ROOT);
    await pushTag(prisma, registry, "zeta", "own", "latest", APP);
    const zeta = await organization("zeta");

    const preview = await previewPolicyChange(prisma, zeta, { ...redMaker, version: 2 });
    expect(preview.tags).toEqual([
      { repository: "zeta/own", tag: "latest", from: "C", to: "E" },
      { repository: "zeta/shared", tag: "latest", from: "D", to: "D" },
    ]);

    await saveVersion(zeta.id, redMaker);
    expect(await storedTagGrades(zeta.id)).toEqual({ "zeta/own:latest": "E", "zeta/shared:latest": "D" });
  });
});
