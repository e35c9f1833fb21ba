import { beforeEach, describe, expect, test } from "vitest";

import type { Prisma } from "@/generated/prisma/client";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { seedAcmeRepository } from "@/lib/database/testing/seed-users";
import { digestOf, seedSingleTag } from "@/lib/database/testing/seed-images";
import { getRepositoryOverview, HISTORY_LIMIT, MAX_DESCRIPTION_LENGTH, RANKED_TAGS, RECENT_TAGS } from "@/lib/data/get-repository-overview";
import { getPrisma } from "@/lib/db";

const prisma = getPrisma();

interface TagSeed {
  name: string;
  grade: string | null;
  percent: number | null;
}

interface ImageMetadata {
  labels?: Prisma.InputJsonValue;
  annotations?: Prisma.InputJsonValue;
}

/** Seeds acme/api, its owner, a member without grants and the owner of another organization. */
async function seedRepository() {
  const { acme, api, owner, member, rival } = await seedAcmeRepository(prisma);
  return { acme, api, owner, member, rival };
}

/**
 * Adds tags pushed one day apart from 2026-01-01 in the order given, each one linux/amd64
 * image, and makes the last one the repository's latest tag.
 */
async function addTags(repositoryId: string, tags: TagSeed[], metadata: Record<string, ImageMetadata> = {}) {
  let latestId: string | null = null;
  for (const [index, tag] of tags.entries()) {
    const created = await seedSingleTag(prisma, repositoryId, tag.name, digestOf(`image ${tag.name}`), {
      image: { compressedSize: 100n, labels: metadata[tag.name]?.labels ?? {}, annotations: metadata[tag.name]?.annotations ?? {} },
      tag: { grade: tag.grade, percent: tag.percent, lastPushedAt: new Date(Date.UTC(2026, 0, 1 + index)) },
    });
    latestId = created.id;
  }
  await prisma.repository.update({ where: { id: repositoryId }, data: { latestTagId: latestId } });
}

const rankingTags: TagSeed[] = [
  { name: "a-high", grade: "A", percent: 98 },
  { name: "a-low", grade: "A", percent: 91 },
  { name: "b", grade: "B", percent: 75 },
  { name: "c", grade: "C", percent: 55 },
  { name: "ungraded", grade: null, percent: null },
  { name: "d", grade: "D", percent: 40 },
  { name: "e", grade: "E", percent: 20 },
  { name: "f", grade: "F", percent: 0 },
];

describe("getRepositoryOverview", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("ranks best and worst tags", async () => {
    const { api, owner } = await seedRepository();
    await addTags(api.id, rankingTags);

    const overview = await getRepositoryOverview(owner, "acme", "api");

    expect(RANKED_TAGS).toBe(3);
    expect(overview.bestTags.map((tag) => tag.name)).toEqual(["a-high", "a-low", "b"]);
    expect(overview.worstTags.map((tag) => tag.name)).toEqual(["f", "e", "d"]);
    expect(overview.bestTags[0]).toEqual({ name: "a-high", grade: "A", percent: 98, lastPushedAt: new Date("2026-01-01T00:00:00Z") });
  });

  const splits: Array<[number, string[], string[]]> = [
    [0, [], []],
    [1, ["a-high"], []],
    [2, ["a-high"], ["a-low"]],
    [3, ["a-high", "a-low"], ["b"]],
    [5, ["a-high", "a-low", "b"], ["c", "ungraded"]],
  ];

  test.each(splits)("splits %i graded tags without overlap", async (count, best, worst) => {
    const { api, owner } = await seedRepository();
    // "ungraded" is given a grade here so the counts are exact.
    await addTags(api.id, rankingTags.slice(0, count).map((tag) => (tag.grade === null ? { ...tag, grade: "D", percent: 35 } : tag)));

    const overview = await getRepositoryOverview(owner, "acme", "api");

    expect(overview.bestTags.map((tag) => tag.name)).toEqual(best);
    expect(overview.worstTags.map((tag) => tag.name)).toEqual([...worst].reverse());
  });

  test("latest tag and recent tags", async () => {
    const { api, owner } = await seedRepository();
    await addTags(api.id, rankingTags);

    const overview = await getRepositoryOverview(owner, "acme", "api");

    expect(overview.latest?.tag.name).toBe("f");
    expect(overview.recentTags.map((tag) => tag.name)).toEqual(["f", "e", "d", "ungraded", "c"]);
    expect(overview.recentTags).toHaveLength(RECENT_TAGS);
  });

  test("deleted latest tag is left out", async () => {
    const { api, owner } = await seedRepository();
    await addTags(api.id, rankingTags.slice(0, 2));
    await prisma.tag.update({ where: { repositoryId_name: { repositoryId: api.id, name: "a-low" } }, data: { deletedAt: new Date() } });

    const overview = await getRepositoryOverview(owner, "acme", "api");

    expect(overview.latest).toBeNull();
    expect(overview.recentTags.map((tag) => tag.name)).toEqual(["a-high"]);
  });

  test("empty repository has no history", async () => {
    const { owner } = await seedRepository();
    const overview = await getRepositoryOverview(owner, "acme", "api");

    expect(overview.latest).toBeNull();
    expect(overview.history).toEqual({ changes: [], total: 0 });
    expect(overview.description).toBeNull();
    expect(overview.bestTags).toEqual([]);
    expect(overview.worstTags).toEqual([]);
  });

  test("history lists repository changes newest first", async () => {
    const { api, owner } = await seedRepository();
    await addTags(api.id, rankingTags.slice(0, 1));
    const tag = await prisma.tag.findFirstOrThrow({ where: { repositoryId: api.id } });
    await prisma.gradeChange.createMany({
      data: [
        { repositoryId: api.id, tagId: null, digest: tag.digest, fromGrade: null, toGrade: "C", fromPercent: null, toPercent: 55, cause: "push", changedAt: new Date("2026-02-01T00:00:00Z") },
        { repositoryId: api.id, tagId: null, digest: tag.digest, fromGrade: "C", toGrade: "A", fromPercent: 55, toPercent: 98, cause: "advisory update", causeIds: ["GHSA-1"], changedAt: new Date("2026-02-03T00:00:00Z") },
        // A tag's own change is not the repository's.
        { repositoryId: api.id, tagId: tag.id, digest: tag.digest, fromGrade: null, toGrade: "A", fromPercent: null, toPercent: 98, cause: "push", changedAt: new Date("2026-02-02T00:00:00Z") },
      ],
    });

    const { history } = await getRepositoryOverview(owner, "acme", "api");

    expect(history.total).toBe(2);
    expect(history.changes).toEqual([
      { changedAt: new Date("2026-02-03T00:00:00Z"), fromGrade: "C", toGrade: "A", fromPercent: 55, toPercent: 98, cause: "advisory update", causeIds: ["GHSA-1"], digest: tag.digest },
      { changedAt: new Date("2026-02-01T00:00:00Z"), fromGrade: null, toGrade: "C", fromPercent: null, toPercent: 55, cause: "push", causeIds: [], digest: tag.digest },
    ]);
  });

  test("history is capped and counted", async () => {
    const { api, owner } = await seedRepository();
    const start = Date.UTC(2026, 0, 1);
    await prisma.gradeChange.createMany({
      data: Array.from({ length: HISTORY_LIMIT + 5 }, (_, index) => ({
        repositoryId: api.id,
        toGrade: index % 2 === 0 ? "A" : "B",
        toPercent: index % 2 === 0 ? 95 : 80,
        cause: "analysis",
        changedAt: new Date(start + index * 60_000),
      })),
    });

    const { history } = await getRepositoryOverview(owner, "acme", "api");

    expect(history.total).toBe(HISTORY_LIMIT + 5);
    expect(history.changes).toHaveLength(HISTORY_LIMIT);
    expect(history.changes[0]?.changedAt).toEqual(new Date(start + (HISTORY_LIMIT + 4) * 60_000));
  });

  const descriptions: Array<[string, ImageMetadata, string | null]> = [
    ["label", { labels: { "org.opencontainers.image.description": "Public API of Acme." } }, "Public API of Acme."],
    ["annotation", { annotations: { "org.opencontainers.image.description": " From the manifest. " } }, "From the manifest."],
    [
      "annotation before label",
      { annotations: { "org.opencontainers.image.description": "Annotation" }, labels: { "org.opencontainers.image.description": "Label" } },
      "Annotation",
    ],
    ["blank annotation", { annotations: { "org.opencontainers.image.description": "  " }, labels: { "org.opencontainers.image.description": "Label" } }, "Label"],
    ["no description", { labels: { "org.opencontainers.image.source": "https://git.example.org/acme/api" } }, null],
    ["non-string value", { labels: { "org.opencontainers.image.description": 42 } }, null],
    ["labels not an object", { labels: ["org.opencontainers.image.description"] }, null],
  ];

  test.each(descriptions)("description from %s", async (_name, metadata, expected) => {
    const { api, owner } = await seedRepository();
    await addTags(api.id, [{ name: "1.0", grade: "A", percent: 95 }], { "1.0": metadata });

    const overview = await getRepositoryOverview(owner, "acme", "api");
    expect(overview.description).toBe(expected);
  });

  test("long description is shortened", async () => {
    const { api, owner } = await seedRepository();
    await addTags(api.id, [{ name: "1.0", grade: "A", percent: 95 }], { "1.0": { labels: { "org.opencontainers.image.description": "x".repeat(1000) } } });

    const { description } = await getRepositoryOverview(owner, "acme", "api");

    expect(description).toHaveLength(MAX_DESCRIPTION_LENGTH);
    expect(description?.endsWith("x…")).toBe(true);
  });

  test("description of the latest tag only", async () => {
    const { api, owner } = await seedRepository();
    await addTags(
      api.id,
      [
        { name: "1.0", grade: "A", percent: 95 },
        { name: "2.0", grade: "A", percent: 95 },
      ],
      { "1.0": { labels: { "org.opencontainers.image.description": "Old description" } } },
    );

    const overview = await getRepositoryOverview(owner, "acme", "api");
    expect(overview.description).toBeNull();
  });

  test("member without access is not found", async () => {
    const { member } = await seedRepository();
    await expect(getRepositoryOverview(member, "acme", "api")).rejects.toMatchObject({ code: "NOT_FOUND", message: "Repository acme/api was not found." });
  });

  test("other organization's owner is not found", async () => {
    const { rival } = await seedRepository();
    await expect(getRepositoryOverview(rival, "acme", "api")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("team grant gives read access", async () => {
    const { acme, api, member } = await seedRepository();
    await addTags(api.id, rankingTags.slice(0, 2));
    const team = await prisma.team.create({ data: { organizationId: acme.id, name: "readers", members: { create: { userId: member.id } } } });
    await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: api.id, permission: "READ" } });

    const overview = await getRepositoryOverview(member, "acme", "api");
    expect(overview.bestTags.map((tag) => tag.name)).toEqual(["a-high"]);
  });
});
