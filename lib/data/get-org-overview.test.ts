import { beforeEach, describe, expect, test } from "vitest";

import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { readableRepositoryWhere } from "@/lib/auth/permissions";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { digestOf, seedSingleTag } from "@/lib/database/testing/seed-images";
import { getOrgOverview, type GradeBucket, type TrendDay, TREND_DAYS } from "@/lib/data/get-org-overview";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

const prisma = getPrisma();
const now = new Date("2026-12-05T12:00:00.000Z");

function at(iso: string): Date {
  return new Date(iso);
}

function viewerOf(user: { id: string; email: string }): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin: false };
}

/** Adds a single-platform tag whose image has the given analysis status, or none. */
async function addTag(repositoryId: string, name: string, analysis: "ANALYSED" | "PENDING" | "FAILED" | null) {
  return seedSingleTag(prisma, repositoryId, name, digestOf(`${repositoryId} ${name}`), { image: { analysis } });
}

/**
 * Seeds acme with api (B), web (D), db (not graded) and old (F, deleted on
 * 2026-11-15), with their repository grade histories, tags in each analysis
 * state and two sync runs. Seeds globex with app (A) and its own history.
 * Users: the acme owner, a member whose team reads only api, a member
 * without grants, and the globex owner.
 */
async function seed() {
  const acme = await prisma.organization.create({ data: { name: "acme" } });
  const globex = await prisma.organization.create({ data: { name: "globex" } });

  const api = await prisma.repository.create({
    data: { organizationId: acme.id, name: "acme/api", createdAt: at("2026-08-01T08:00:00Z"), grade: "B", percent: 75, failingPolicies: ["default-non-root-user"] },
  });
  const web = await prisma.repository.create({
    data: {
      organizationId: acme.id,
      name: "acme/web",
      createdAt: at("2026-11-20T08:00:00Z"),
      grade: "D",
      percent: 40,
      failingPolicies: ["default-non-root-user", "supply-chain-attestations"],
    },
  });
  const db = await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/db", createdAt: at("2026-12-03T08:00:00Z") } });
  const old = await prisma.repository.create({
    data: {
      organizationId: acme.id,
      name: "acme/old",
      createdAt: at("2026-08-01T08:00:00Z"),
      deletedAt: at("2026-11-15T10:00:00Z"),
      grade: "F",
      percent: 5,
      failingPolicies: ["no-agpl-v3-licenses"],
    },
  });
  const app = await prisma.repository.create({
    data: { organizationId: globex.id, name: "globex/app", createdAt: at("2026-08-01T08:00:00Z"), grade: "A", percent: 95, failingPolicies: ["no-outdated-base-images"] },
  });

  const webTag = await addTag(web.id, "1.0", "FAILED");
  await addTag(web.id, "1.1", "PENDING");
  await addTag(api.id, "1.0", "ANALYSED");
  await addTag(api.id, "1.1", null);
  await addTag(app.id, "1.0", null);

  const change = (repositoryId: string, changedAt: string, from: [string | null, number | null], to: [string, number], cause: string, tagId: string | null = null) => ({
    repositoryId,
    tagId,
    fromGrade: from[0],
    fromPercent: from[1],
    toGrade: to[0],
    toPercent: to[1],
    cause,
    changedAt: at(changedAt),
  });
  await prisma.gradeChange.createMany({
    data: [
      change(api.id, "2026-08-02T09:00:00Z", [null, null], ["A", 95], "push"),
      change(api.id, "2026-11-01T10:00:00Z", ["A", 95], ["B", 80], "policy change"),
      change(api.id, "2026-11-25T10:00:00Z", ["B", 80], ["B", 75], "exception expiry"),
      change(web.id, "2026-11-20T09:00:00Z", [null, null], ["C", 60], "push"),
      change(web.id, "2026-12-01T10:00:00Z", ["C", 60], ["D", 35], "advisory update"),
      change(web.id, "2026-12-02T10:00:00Z", ["D", 35], ["D", 40], "policy change"),
      // A tag's own change never counts as the repository's.
      change(web.id, "2026-12-01T10:00:00Z", ["A", 100], ["F", 0], "advisory update", webTag.id),
      change(old.id, "2026-08-01T09:00:00Z", [null, null], ["F", 5], "push"),
      change(app.id, "2026-08-02T09:00:00Z", [null, null], ["A", 95], "push"),
      change(app.id, "2026-12-01T10:00:00Z", ["A", 95], ["E", 15], "advisory update"),
    ],
  });

  await prisma.syncRun.create({
    data: {
      organizationId: acme.id,
      status: "PARTIAL",
      startedAt: at("2026-12-04T06:00:00Z"),
      finishedAt: at("2026-12-04T06:00:42Z"),
      durationMs: 42_000,
      errors: [
        { repository: "acme/web", reference: "1.1", digest: null, message: "Fetching the manifest failed" },
        { repository: "acme/api", reference: "1.1", digest: null, message: "Fetching the manifest failed" },
        { repository: "acme/*", reference: null, digest: null, message: "Listing the repositories of acme failed" },
      ],
    },
  });
  await prisma.syncRun.create({
    data: { organizationId: acme.id, repository: "acme/web", status: "SUCCEEDED", startedAt: at("2026-12-05T06:00:00Z"), finishedAt: at("2026-12-05T06:00:03Z"), durationMs: 3_000 },
  });

  const owner = await upsertUser(prisma, { email: "owner@acme.test" });
  const reader = await upsertUser(prisma, { email: "reader@acme.test" });
  const stranger = await upsertUser(prisma, { email: "stranger@acme.test" });
  const rival = await upsertUser(prisma, { email: "owner@globex.test" });
  await prisma.membership.createMany({
    data: [
      { organizationId: acme.id, userId: owner.id, role: "OWNER" },
      { organizationId: acme.id, userId: reader.id, role: "MEMBER" },
      { organizationId: acme.id, userId: stranger.id, role: "MEMBER" },
      { organizationId: globex.id, userId: rival.id, role: "OWNER" },
    ],
  });
  const team = await prisma.team.create({ data: { organizationId: acme.id, name: "api readers", members: { create: { userId: reader.id } } } });
  await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: api.id, permission: "READ" } });

  return { acme, db, owner: viewerOf(owner), reader: viewerOf(reader), stranger: viewerOf(stranger), rival: viewerOf(rival) };
}

function countsOn(trend: TrendDay[], day: string): Partial<Record<GradeBucket, number>> {
  const entry = trend.find((candidate) => candidate.day === day);
  if (!entry) throw new Error(`The trend has no entry for ${day}`);
  return Object.fromEntries(Object.entries(entry.counts).filter(([, count]) => count > 0));
}

async function expectNotFound(promise: Promise<unknown>) {
  await expect(promise).rejects.toBeInstanceOf(AppError);
  await expect(promise).rejects.toMatchObject({ code: "NOT_FOUND" });
}

describe("getOrgOverview", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("owner distribution counts live repositories", async () => {
    const { owner } = await seed();
    const overview = await getOrgOverview(owner, "acme", { now });
    expect(overview.organization).toBe("acme");
    expect(overview.isOwner).toBe(true);
    expect(overview.repositoryCount).toBe(3);
    expect(overview.distribution).toEqual([
      { grade: "A", count: 0 },
      { grade: "B", count: 1 },
      { grade: "C", count: 0 },
      { grade: "D", count: 1 },
      { grade: "E", count: 0 },
      { grade: "F", count: 0 },
      { grade: "none", count: 1 },
    ]);
  });

  test("owner trend replays repository changes", async () => {
    const { owner } = await seed();
    const { trend } = await getOrgOverview(owner, "acme", { now });
    expect(trend).toHaveLength(TREND_DAYS);
    expect(trend[0]?.day).toBe("2026-09-07");
    expect(trend.at(-1)?.day).toBe("2026-12-05");

    // The window opens with the grades of the last changes before it.
    expect(countsOn(trend, "2026-09-07")).toEqual({ A: 1, F: 1 });
    expect(countsOn(trend, "2026-10-31")).toEqual({ A: 1, F: 1 });
    expect(countsOn(trend, "2026-11-01")).toEqual({ B: 1, F: 1 });
    expect(countsOn(trend, "2026-11-14")).toEqual({ B: 1, F: 1 });
    // acme/old was deleted during 2026-11-15, so it is gone at the end of that day.
    expect(countsOn(trend, "2026-11-15")).toEqual({ B: 1 });
    // acme/web was created and graded C on 2026-11-20.
    expect(countsOn(trend, "2026-11-19")).toEqual({ B: 1 });
    expect(countsOn(trend, "2026-11-20")).toEqual({ B: 1, C: 1 });
    expect(countsOn(trend, "2026-12-01")).toEqual({ B: 1, D: 1 });
    expect(countsOn(trend, "2026-12-02")).toEqual({ B: 1, D: 1 });
    expect(countsOn(trend, "2026-12-03")).toEqual({ B: 1, D: 1, none: 1 });
    expect(countsOn(trend, "2026-12-05")).toEqual({ B: 1, D: 1, none: 1 });
  });

  test("trend ignores tag changes and other organizations", async () => {
    const { owner } = await seed();
    const { trend } = await getOrgOverview(owner, "acme", { now });
    for (const day of trend) {
      expect(day.counts.E, day.day).toBe(0);
      if (day.day >= "2026-11-15") expect(day.counts.F, day.day).toBe(0);
    }
  });

  test("owner failing policies skip deleted repositories", async () => {
    const { owner } = await seed();
    const { failingPolicies } = await getOrgOverview(owner, "acme", { now });
    expect(failingPolicies).toEqual([
      { id: "default-non-root-user", title: "Default non-root user", count: 2 },
      { id: "supply-chain-attestations", title: "Supply chain attestations", count: 1 },
    ]);
  });

  test("unknown failing policy keeps its id", async () => {
    const { db, owner } = await seed();
    await prisma.repository.update({ where: { id: db.id }, data: { failingPolicies: ["retired-policy"] } });
    const { failingPolicies } = await getOrgOverview(owner, "acme", { now });
    expect(failingPolicies).toContainEqual({ id: "retired-policy", title: "retired-policy", count: 1 });
  });

  test("owner biggest losses sum the window", async () => {
    const { owner } = await seed();
    const { biggestLosses } = await getOrgOverview(owner, "acme", { now });
    expect(biggestLosses).toEqual([
      { name: "acme/web", points: -20, gradeBefore: "C", percentBefore: 60, gradeAfter: "D", percentAfter: 40, cause: "advisory update" },
      { name: "acme/api", points: -5, gradeBefore: "B", percentBefore: 80, gradeAfter: "B", percentAfter: 75, cause: "exception expiry" },
    ]);
  });

  test("biggest losses leave out gains and old changes", async () => {
    const { owner } = await seed();
    // The window opens on 2026-11-26T12:00: the change of acme/api is out, both of acme/web are in.
    const later = await getOrgOverview(owner, "acme", { now: at("2026-12-10T12:00:00Z") });
    expect(later.biggestLosses.map((loss) => [loss.name, loss.points])).toEqual([["acme/web", -20]]);
    // The window opens on 2026-12-01T12:00: only the +5 change of acme/web is left, and a gain is no loss.
    const gainOnly = await getOrgOverview(owner, "acme", { now: at("2026-12-15T12:00:00Z") });
    expect(gainOnly.biggestLosses).toEqual([]);
  });

  test("owner sees the latest sync run", async () => {
    const { owner } = await seed();
    const { lastSync } = await getOrgOverview(owner, "acme", { now });
    expect(lastSync).toEqual({ status: "SUCCEEDED", startedAt: at("2026-12-05T06:00:00Z"), finishedAt: at("2026-12-05T06:00:03Z"), durationMs: 3_000, errorCount: 0 });
  });

  test("owner analysis queue counts tags", async () => {
    const { owner } = await seed();
    const { analysisQueue } = await getOrgOverview(owner, "acme", { now });
    // Waiting: web:1.1 (pending) and api:1.1 (no analysis). Failed: web:1.0.
    expect(analysisQueue).toEqual({ waiting: 2, failed: 1 });
  });

  test("deleted tags leave the analysis queue", async () => {
    const { owner } = await seed();
    await prisma.tag.updateMany({ where: { name: "1.1" }, data: { deletedAt: now } });
    const { analysisQueue } = await getOrgOverview(owner, "acme", { now });
    expect(analysisQueue).toEqual({ waiting: 0, failed: 1 });
  });

  test("reader counts only readable repositories", async () => {
    const { reader } = await seed();
    const overview = await getOrgOverview(reader, "acme", { now });
    expect(overview.isOwner).toBe(false);
    expect(overview.repositoryCount).toBe(1);
    expect(overview.distribution.filter((bucket) => bucket.count > 0)).toEqual([{ grade: "B", count: 1 }]);
    expect(countsOn(overview.trend, "2026-09-07")).toEqual({ A: 1 });
    expect(countsOn(overview.trend, "2026-11-01")).toEqual({ B: 1 });
    expect(countsOn(overview.trend, "2026-12-05")).toEqual({ B: 1 });
    expect(overview.failingPolicies).toEqual([{ id: "default-non-root-user", title: "Default non-root user", count: 1 }]);
    expect(overview.biggestLosses.map((loss) => loss.name)).toEqual(["acme/api"]);
    expect(overview.analysisQueue).toEqual({ waiting: 1, failed: 0 });
  });

  test("reader sync run hides unreadable repositories", async () => {
    const { reader } = await seed();
    const { lastSync } = await getOrgOverview(reader, "acme", { now });
    // The later run synced only acme/web. Of the earlier run's errors, acme/api and acme/* count.
    expect(lastSync?.startedAt).toEqual(at("2026-12-04T06:00:00Z"));
    expect(lastSync?.status).toBe("PARTIAL");
    expect(lastSync?.errorCount).toBe(2);
  });

  test("default permission opens every repository", async () => {
    const { acme, stranger } = await seed();
    await prisma.organization.update({ where: { id: acme.id }, data: { defaultPermission: "READ" } });
    const overview = await getOrgOverview(stranger, "acme", { now });
    expect(overview.isOwner).toBe(false);
    expect(overview.repositoryCount).toBe(3);
    expect(overview.failingPolicies.map((policy) => policy.count)).toEqual([2, 1]);
    expect(overview.analysisQueue).toEqual({ waiting: 2, failed: 1 });
    expect(overview.lastSync?.errorCount).toBe(0);
  });

  test("SQL scope agrees with readableRepositoryWhere", async () => {
    const { acme, owner, reader, stranger } = await seed();
    for (const viewer of [owner, reader]) {
      const overview = await getOrgOverview(viewer, "acme", { now });
      const expected = await prisma.repository.count({ where: { organizationId: acme.id, deletedAt: null, ...readableRepositoryWhere(viewer) } });
      // The distribution uses the Prisma filter and the trend the raw SQL one; today they count the same repositories.
      const today = overview.trend.at(-1)!;
      expect(Object.values(today.counts).reduce((sum, count) => sum + count, 0), viewer.email).toBe(expected);
      expect(overview.repositoryCount, viewer.email).toBe(expected);
    }
    await expectNotFound(getOrgOverview(stranger, "acme", { now }));
  });

  test("member without grants gets not found", async () => {
    const { stranger } = await seed();
    await expectNotFound(getOrgOverview(stranger, "acme", { now }));
  });

  test("grant on a deleted repository only gets not found", async () => {
    const { acme, stranger } = await seed();
    const old = await prisma.repository.findFirstOrThrow({ where: { organizationId: acme.id, name: "acme/old" } });
    const team = await prisma.team.create({ data: { organizationId: acme.id, name: "archivists", members: { create: { userId: stranger.id } } } });
    await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: old.id, permission: "READ" } });
    await expectNotFound(getOrgOverview(stranger, "acme", { now }));
  });

  test("other organization's owner gets not found", async () => {
    const { rival } = await seed();
    await expectNotFound(getOrgOverview(rival, "acme", { now }));
  });

  test("missing organization gets not found", async () => {
    const { owner } = await seed();
    await expectNotFound(getOrgOverview(owner, "initech", { now }));
  });

  test("owner of an empty organization sees zeros", async () => {
    const { rival } = await seed();
    await prisma.repository.deleteMany({ where: { name: "globex/app" } });
    const overview = await getOrgOverview(rival, "globex", { now });
    expect(overview.repositoryCount).toBe(0);
    expect(overview.distribution.every((bucket) => bucket.count === 0)).toBe(true);
    expect(overview.trend).toHaveLength(TREND_DAYS);
    expect(overview.trend.every((day) => Object.values(day.counts).every((count) => count === 0))).toBe(true);
    expect(overview.failingPolicies).toEqual([]);
    expect(overview.biggestLosses).toEqual([]);
    expect(overview.lastSync).toBeNull();
    expect(overview.analysisQueue).toEqual({ waiting: 0, failed: 0 });
  });
});
