import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPolicySettings, previewPolicySettings, savePolicySettings } from "@/lib/data/settings/policies";
import { policyFormValuesOf, type PolicyFormValues } from "@/lib/data/settings/policy-form";
import { getPrisma } from "@/lib/db";
import { regradeOrganization } from "@/lib/grading/regrade-organization";
import { pushTag } from "@/lib/grading/testing/policy-images";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { defaultPolicyConfig, parsePolicyConfig } from "@/scoring";
import { importUnrelatedAdvisory } from "@/lib/grading/testing/alpine-images";

// The real re-grade runs; the wrapper only records its calls and lets a test make it fail.
vi.mock("@/lib/grading/regrade-organization", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/grading/regrade-organization")>();
  return { ...original, regradeOrganization: vi.fn(original.regradeOrganization) };
});

const prisma = getPrisma();
const now = new Date("2026-03-10T12:00:00.000Z");
const defaults = policyFormValuesOf(defaultPolicyConfig);
const nonRootOff: PolicyFormValues = { ...defaults, "default-non-root-user.weight": "0" };

function viewerOf(user: { id: string; email: string }, isSiteAdmin = false): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin };
}

/** acme (an owner and a member) and globex (its own owner), plus a site administrator who belongs to neither. */
async function seed() {
  const acme = await prisma.organization.upsert({ where: { name: "acme" }, update: {}, create: { name: "acme" } });
  const globex = await prisma.organization.create({ data: { name: "globex" } });
  const owner = await upsertUser(prisma, { email: "owner@acme.test" });
  const member = await upsertUser(prisma, { email: "member@acme.test" });
  const rival = await upsertUser(prisma, { email: "owner@globex.test" });
  const admin = await upsertUser(prisma, { email: "admin@example.test", isSiteAdmin: true });
  await prisma.membership.createMany({
    data: [
      { organizationId: acme.id, userId: owner.id, role: "OWNER" },
      { organizationId: acme.id, userId: member.id, role: "MEMBER" },
      { organizationId: globex.id, userId: rival.id, role: "OWNER" },
    ],
  });
  return { acme, globex, owner: viewerOf(owner), member: viewerOf(member), rival: viewerOf(rival), admin: viewerOf(admin, true) };
}

/** Previews and saves with the preview's expectations, as the page does. */
async function previewAndSave(viewer: Viewer, values: PolicyFormValues) {
  const preview = await previewPolicySettings(viewer, "acme", values, { now });
  const saved = await savePolicySettings(viewer, "acme", values, { expected: { baseVersion: preview.baseVersion, fingerprint: preview.fingerprint }, now });
  return { preview, saved };
}

describe("policy settings", () => {
  beforeEach(async () => {
    await resetDatabase();
    // Advisories count as imported, so the vulnerability policies decide (and pass) instead of having no data.
    await importUnrelatedAdvisory(getPrisma());
    vi.mocked(regradeOrganization).mockClear();
  });

  test("default is version 1 without an author", async () => {
    const { owner } = await seed();
    const settings = await getPolicySettings(owner, "acme");
    expect(settings.current).toEqual({ version: 1, author: null, savedAt: null });
    expect(settings.values).toEqual(defaults);
    expect(settings.groups.length).toBe(7);
  });

  test("save adds version 2, then 3", async () => {
    const { acme, owner } = await seed();
    const first = await previewAndSave(owner, nonRootOff);
    expect(first.saved).toMatchObject({ version: 2, savedAt: now, regradedImages: 0 });

    const row = await prisma.policyConfiguration.findUniqueOrThrow({ where: { organizationId_version: { organizationId: acme.id, version: 2 } } });
    expect(row.author).toBe("owner@acme.test");
    const stored = parsePolicyConfig(row.config);
    expect(stored.version).toBe(2);
    expect(stored.policies["default-non-root-user"]).toEqual({ weight: 0 });
    expect(stored.policies["no-fixable-critical-high"]).toEqual(defaultPolicyConfig.policies["no-fixable-critical-high"]);

    const settings = await getPolicySettings(owner, "acme");
    expect(settings.current).toEqual({ version: 2, author: "owner@acme.test", savedAt: now });
    expect(settings.values["default-non-root-user.weight"]).toBe("0");

    const second = await previewAndSave(owner, { ...nonRootOff, "no-high-profile-vulnerabilities.excludedCves": "CVE-2023-44487" });
    expect(second.preview.baseVersion).toBe(2);
    expect(second.saved.version).toBe(3);
  });

  test("save writes an audit event", async () => {
    const { acme, owner } = await seed();
    await previewAndSave(owner, { ...nonRootOff, "no-fixable-critical-high.packageTypes": ["deb"] });

    const events = await prisma.auditEvent.findMany({ where: { organizationId: acme.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: owner.id, action: "policy.changed", target: "version 2" });
    expect(events[0]?.details).toEqual({
      version: 2,
      previousVersion: 1,
      changes: [
        { option: "no-fixable-critical-high.packageTypes", from: null, to: ["deb"] },
        { option: "default-non-root-user.weight", from: 5, to: 0 },
      ],
    });
  });

  test("save re-grades the organization", async () => {
    const { acme, owner } = await seed();
    await previewAndSave(owner, nonRootOff);
    const calls = vi.mocked(regradeOrganization).mock.calls;
    expect(calls).toHaveLength(1);
    // Arguments are compared one by one, because a deep comparison of the Prisma client recurses without end.
    expect(calls[0]?.[0]).toBe(prisma);
    expect(calls[0]?.slice(1)).toEqual([acme.id, { causeIds: ["version 2"] }]);
  });

  test("failed re-grade keeps the version", async () => {
    const { owner } = await seed();
    vi.mocked(regradeOrganization).mockRejectedValueOnce(new Error("grading is down"));
    const { saved } = await previewAndSave(owner, nonRootOff);
    expect(saved).toMatchObject({ version: 2, regradedImages: null });
    expect(await prisma.policyConfiguration.count()).toBe(1);
  });

  test("preview lists the changed settings", async () => {
    const { owner } = await seed();
    const preview = await previewPolicySettings(owner, "acme", { ...nonRootOff, "no-unapproved-base-images.approvedPatterns": "docker.io/library/debian:*" }, { now });
    expect(preview.baseVersion).toBe(1);
    expect(preview.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(preview.changes).toEqual([
      { option: "no-unapproved-base-images.approvedPatterns", label: "No unapproved base images: Approved base images", from: "*", to: "docker.io/library/debian:*" },
      { option: "default-non-root-user.weight", label: "Default non-root user: Weight", from: "5", to: "0" },
    ]);
    expect(await prisma.policyConfiguration.count()).toBe(0);
    expect(await prisma.auditEvent.count()).toBe(0);
  });
});

describe("bad policy settings", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("invalid values store nothing", async () => {
    const { owner } = await seed();
    const values = { ...nonRootOff, "no-high-profile-vulnerabilities.cves": "CVE-2021-44228\nCVE-21-1" };
    for (const attempt of [() => previewPolicySettings(owner, "acme", values), () => savePolicySettings(owner, "acme", values)]) {
      await expect(attempt()).rejects.toMatchObject({
        code: "INVALID_INPUT",
        details: { fieldErrors: { "no-high-profile-vulnerabilities.cves": ['Line 2 must be a CVE id such as "CVE-2021-44228", not "CVE-21-1".'] }, formErrors: [] },
      });
    }
    expect(await prisma.policyConfiguration.count()).toBe(0);
    expect(await prisma.auditEvent.count()).toBe(0);
  });

  test("unchanged settings are not saved", async () => {
    const { owner } = await seed();
    await expect(savePolicySettings(owner, "acme", defaults)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: "These settings are the same as version 1, so there is nothing to save. Change a setting first.",
    });
    expect(await prisma.policyConfiguration.count()).toBe(0);
  });

  test("save after a newer version is a conflict", async () => {
    const { owner } = await seed();
    const stale = await previewPolicySettings(owner, "acme", nonRootOff, { now });
    await previewAndSave(owner, { ...defaults, "supply-chain-attestations.weight": "10" });

    await expect(savePolicySettings(owner, "acme", nonRootOff, { expected: { baseVersion: stale.baseVersion, fingerprint: stale.fingerprint } })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "Version 2 of the policy configuration was saved by owner@acme.test at 2026-03-10 12:00 UTC after the preview, so these settings were not saved. Preview them again to compare with version 2, then save.",
    });
    expect(await prisma.policyConfiguration.count()).toBe(1);
  });

  test("save of other values than previewed is a conflict", async () => {
    const { owner } = await seed();
    const preview = await previewPolicySettings(owner, "acme", nonRootOff, { now });
    const edited = { ...nonRootOff, "default-non-root-user.weight": "1" };
    await expect(savePolicySettings(owner, "acme", edited, { expected: { baseVersion: preview.baseVersion, fingerprint: preview.fingerprint } })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "The settings changed after the preview, so they were not saved. Preview them again, then save.",
    });
    expect(await prisma.policyConfiguration.count()).toBe(0);
  });

  test("concurrent saves keep one version", async () => {
    const { owner } = await seed();
    const preview = await previewPolicySettings(owner, "acme", nonRootOff, { now });
    const expected = { baseVersion: preview.baseVersion, fingerprint: preview.fingerprint };
    const results = await Promise.allSettled([savePolicySettings(owner, "acme", nonRootOff, { expected }), savePolicySettings(owner, "acme", nonRootOff, { expected })]);

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const rejected = results.filter((result) => result.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ code: "CONFLICT" });
    expect(await prisma.policyConfiguration.findMany({ select: { version: true } })).toEqual([{ version: 2 }]);
    expect(await prisma.auditEvent.count()).toBe(1);
  });
});

describe("policy settings access", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("member and outsiders get not found", async () => {
    const { member, rival, admin } = await seed();
    for (const viewer of [member, rival, admin]) {
      await expect(getPolicySettings(viewer, "acme")).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(previewPolicySettings(viewer, "acme", nonRootOff)).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(savePolicySettings(viewer, "acme", nonRootOff)).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await prisma.policyConfiguration.count()).toBe(0);
    expect(await prisma.auditEvent.count()).toBe(0);
  });

  test("not-found check precedes validation", async () => {
    const { member } = await seed();
    await expect(savePolicySettings(member, "acme", { ...nonRootOff, "default-non-root-user.weight": "bad" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("another organization's versions are separate", async () => {
    const { globex, owner, rival } = await seed();
    await previewAndSave(owner, nonRootOff);
    expect((await getPolicySettings(rival, "globex")).current.version).toBe(1);
    const saved = await savePolicySettings(rival, "globex", { ...defaults, "no-agpl-v3-licenses.weight": "0" });
    expect(saved.version).toBe(2);
    expect(await prisma.policyConfiguration.count({ where: { organizationId: globex.id } })).toBe(1);
  });
});

describe("policy settings on synced images", () => {
  let registry: RegistryServer;

  beforeAll(async () => {
    registry = await startRegistryServer();
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    await importUnrelatedAdvisory(prisma);
  });

  test("saved tag grades equal the preview", async () => {
    await pushTag(prisma, registry, "acme", "root", "latest", [{ architecture: "amd64" }]);
    await pushTag(prisma, registry, "acme", "app", "latest", [{ architecture: "amd64", user: "app" }]);
    await pushTag(prisma, registry, "acme", "multi", "latest", [{ architecture: "amd64" }, { architecture: "arm64", user: "app" }]);
    const { owner } = await seed();

    const { preview, saved } = await previewAndSave(owner, nonRootOff);

    expect(preview.moves).toEqual([{ from: "D", to: "C", tags: 2 }]);
    expect(preview.changedTags).toEqual([
      { repository: "acme/multi", tag: "latest", from: "D", to: "C" },
      { repository: "acme/root", tag: "latest", from: "D", to: "C" },
    ]);
    expect(preview.changedTagCount).toBe(2);
    expect(preview.tagCount).toBe(3);
    // The amd64 image of multi:latest is built like root:latest's, so the three tags have three distinct images.
    expect(saved.regradedImages).toBe(3);

    const stored = await prisma.tag.findMany({ select: { name: true, grade: true, repository: { select: { name: true } } }, orderBy: { repository: { name: "asc" } } });
    expect(stored.map((tag) => [tag.repository.name, tag.grade])).toEqual([
      ["acme/app", "C"],
      ["acme/multi", "C"],
      ["acme/root", "C"],
    ]);
    const reports = await prisma.scoreReport.findMany({ where: { cause: "policy change" }, select: { policyConfigVersion: true } });
    expect(reports).toHaveLength(3);
    expect(new Set(reports.map((report) => report.policyConfigVersion))).toEqual(new Set([2]));
  });
});
