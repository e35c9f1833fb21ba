import { createHash } from "node:crypto";

import { beforeEach, describe, expect, test } from "vitest";

import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { seedAcmeRepository } from "@/lib/database/testing/seed-users";
import { listTags, parseTagQuery, tagAnalysisState, TAGS_PER_PAGE, type TagQuery } from "@/lib/data/list-tags";
import { getPrisma } from "@/lib/db";

const prisma = getPrisma();

function digestOf(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

interface TagSeed {
  name: string;
  grade: string | null;
  percent: number | null;
  /** Days after 2026-01-01 that the tag was pushed. */
  pushedDay: number;
}

// Pushed in this order: 1.0 first, latest last.
const tagSeeds: TagSeed[] = [
  { name: "1.0", grade: "D", percent: 45, pushedDay: 1 },
  { name: "1.1", grade: "B", percent: 72.2, pushedDay: 2 },
  { name: "1.2-rc", grade: "B", percent: 80, pushedDay: 3 },
  { name: "2.0", grade: null, percent: null, pushedDay: 4 },
  { name: "feature_x", grade: "F", percent: 5, pushedDay: 5 },
  { name: "latest", grade: "A", percent: 95, pushedDay: 6 },
];

/**
 * Seeds acme/api with the tags above, each a single linux/amd64 image except
 * latest (an index of amd64 and arm64/v8), an owner, a member without grants
 * and the owner of another organization. No image is analysed.
 */
async function seed() {
  const { acme, api, owner, member, rival } = await seedAcmeRepository(prisma);

  for (const tag of tagSeeds) {
    const platforms = tag.name === "latest" ? ["linux/amd64", "linux/arm64/v8"] : ["linux/amd64"];
    const manifestDigest = digestOf(`manifest ${tag.name}`);
    await prisma.manifest.create({ data: { digest: manifestDigest, mediaType: "application/vnd.oci.image.index.v1+json", isIndex: platforms.length > 1, size: 500 } });
    for (const platform of platforms) {
      const imageDigest = imageOf(tag.name, platform);
      const [os = "linux", architecture = "amd64"] = platform.split("/");
      await prisma.image.create({
        data: { digest: imageDigest, mediaType: "application/vnd.oci.image.manifest.v1+json", platform, os, architecture, configDigest: digestOf(`config ${imageDigest}`), compressedSize: 100n },
      });
      await prisma.manifestImage.create({ data: { manifestDigest, imageDigest, platform } });
    }
    await prisma.tag.create({
      data: {
        repositoryId: api.id,
        name: tag.name,
        digest: manifestDigest,
        grade: tag.grade,
        percent: tag.percent,
        lastPushedAt: new Date(Date.UTC(2026, 0, 1 + tag.pushedDay)),
      },
    });
  }
  return { acme, api, owner, member, rival };
}

function imageOf(tag: string, platform: string): string {
  return digestOf(`image ${tag} ${platform}`);
}

async function names(viewer: Viewer, query: TagQuery = {}, pageSize?: number): Promise<string[]> {
  const list = await listTags(viewer, "acme", "api", query, pageSize === undefined ? {} : { pageSize });
  return list.tags.map((tag) => tag.name);
}

describe("listTags", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("lists newest push first", async () => {
    const { owner } = await seed();
    expect(await names(owner)).toEqual(["latest", "feature_x", "2.0", "1.2-rc", "1.1", "1.0"]);
  });

  test("writes each row field by field", async () => {
    const { owner } = await seed();
    const list = await listTags(owner, "acme", "api", { search: "latest" });

    expect(list.tags).toEqual([
      {
        name: "latest",
        digest: digestOf("manifest latest"),
        grade: "A",
        percent: 95,
        lastPushedAt: new Date("2026-01-07T00:00:00Z"),
        syncError: null,
        platforms: ["linux/amd64", "linux/arm64/v8"],
        analysis: { status: "analysing" },
      },
    ]);
    expect(list.repository.name).toBe("acme/api");
  });

  const orders: Array<[string, TagQuery, string[]]> = [
    ["oldest push first", { sort: "pushed", order: "asc" }, ["1.0", "1.1", "1.2-rc", "2.0", "feature_x", "latest"]],
    ["name", { sort: "name" }, ["1.0", "1.1", "1.2-rc", "2.0", "feature_x", "latest"]],
    ["name descending", { sort: "name", order: "desc" }, ["latest", "feature_x", "2.0", "1.2-rc", "1.1", "1.0"]],
    ["best grade first", { sort: "grade" }, ["latest", "1.2-rc", "1.1", "1.0", "feature_x", "2.0"]],
    ["worst grade first", { sort: "grade", order: "desc" }, ["feature_x", "1.0", "1.1", "1.2-rc", "latest", "2.0"]],
  ];

  test.each(orders)("sorts by %s", async (_name, query, expected) => {
    const { owner } = await seed();
    expect(await names(owner, query)).toEqual(expected);
  });

  const filters: Array<[string, TagQuery, string[]]> = [
    ["name ignoring case", { search: "LATE" }, ["latest"]],
    ["name part", { search: "1." }, ["1.2-rc", "1.1", "1.0"]],
    ["literal underscore", { search: "e_x" }, ["feature_x"]],
    ["underscore is not a wildcard", { search: "1_" }, []],
    ["percent is not a wildcard", { search: "%" }, []],
    ["one grade", { grades: ["B"] }, ["1.2-rc", "1.1"]],
    ["several grades", { grades: ["A", "F"] }, ["latest", "feature_x"]],
    ["ungraded", { grades: ["none"] }, ["2.0"]],
    ["grade or ungraded", { grades: ["D", "none"] }, ["2.0", "1.0"]],
    ["grade and name", { grades: ["B"], search: "rc" }, ["1.2-rc"]],
    ["grade without tags", { grades: ["C"] }, []],
  ];

  test.each(filters)("filters by %s", async (_name, query, expected) => {
    const { owner } = await seed();
    expect(await names(owner, query)).toEqual(expected);
  });

  test("pages through the tags", async () => {
    const { owner } = await seed();
    const first = await listTags(owner, "acme", "api", { sort: "name" }, { pageSize: 4 });
    const second = await listTags(owner, "acme", "api", { sort: "name", page: 2 }, { pageSize: 4 });
    const past = await listTags(owner, "acme", "api", { sort: "name", page: 9 }, { pageSize: 4 });

    expect(TAGS_PER_PAGE).toBe(25);
    expect(first).toMatchObject({ total: 6, page: 1, pageCount: 2, pageSize: 4 });
    expect(first.tags.map((tag) => tag.name)).toEqual(["1.0", "1.1", "1.2-rc", "2.0"]);
    expect(second.tags.map((tag) => tag.name)).toEqual(["feature_x", "latest"]);
    expect(past.page).toBe(2);
    expect(past.tags.map((tag) => tag.name)).toEqual(["feature_x", "latest"]);
  });

  test("counts the total after filters", async () => {
    const { owner } = await seed();
    const list = await listTags(owner, "acme", "api", { grades: ["B"] }, { pageSize: 1 });
    expect(list).toMatchObject({ total: 2, page: 1, pageCount: 2 });
  });

  test("empty result has one page", async () => {
    const { owner } = await seed();
    const list = await listTags(owner, "acme", "api", { search: "nothing" });
    expect(list).toMatchObject({ tags: [], total: 0, page: 1, pageCount: 1 });
  });

  test("leaves deleted tags out", async () => {
    const { owner, api } = await seed();
    await prisma.tag.update({ where: { repositoryId_name: { repositoryId: api.id, name: "latest" } }, data: { deletedAt: new Date() } });
    expect(await names(owner)).toEqual(["feature_x", "2.0", "1.2-rc", "1.1", "1.0"]);
  });

  test("newest analysis time over platforms", async () => {
    const { owner } = await seed();
    await prisma.imageAnalysis.createMany({
      data: [
        { imageDigest: imageOf("latest", "linux/amd64"), status: "ANALYSED", analysedAt: new Date("2026-02-01T10:00:00Z") },
        { imageDigest: imageOf("latest", "linux/arm64/v8"), status: "ANALYSED", analysedAt: new Date("2026-02-01T11:30:00Z") },
        { imageDigest: imageOf("1.0", "linux/amd64"), status: "FAILED", reason: "Layer blob digest mismatch" },
      ],
    });

    const list = await listTags(owner, "acme", "api");
    const stateOf = (name: string) => list.tags.find((tag) => tag.name === name)?.analysis;
    expect(stateOf("latest")).toEqual({ status: "analysed", analysedAt: new Date("2026-02-01T11:30:00Z") });
    expect(stateOf("1.0")).toEqual({ status: "not-analysed", reason: "Layer blob digest mismatch" });
    expect(stateOf("1.1")).toEqual({ status: "analysing" });
  });

  test("member without access is not found", async () => {
    const { member } = await seed();
    await expect(listTags(member, "acme", "api")).rejects.toMatchObject({ code: "NOT_FOUND", message: "Repository acme/api was not found." });
  });

  test("other organization's owner is not found", async () => {
    const { rival } = await seed();
    await expect(listTags(rival, "acme", "api")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("team grant gives read access", async () => {
    const { acme, api, member } = await seed();
    const team = await prisma.team.create({ data: { organizationId: acme.id, name: "readers", members: { create: { userId: member.id } } } });
    await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: api.id, permission: "READ" } });
    expect(await names(member, { grades: ["A"] })).toEqual(["latest"]);
  });
});

describe("tagAnalysisState", () => {
  const analysed = (iso: string) => ({ status: "ANALYSED" as const, analysedAt: new Date(iso), reason: null });
  const cases: Array<[string, Parameters<typeof tagAnalysisState>[0], ReturnType<typeof tagAnalysisState>]> = [
    ["no images", [], { status: "not-analysed", reason: "The tag has no platform images." }],
    ["one analysed", [analysed("2026-03-01T00:00:00Z")], { status: "analysed", analysedAt: new Date("2026-03-01T00:00:00Z") }],
    ["missing row", [analysed("2026-03-01T00:00:00Z"), null], { status: "analysing" }],
    ["pending row", [{ status: "PENDING", analysedAt: null, reason: null }], { status: "analysing" }],
    ["failure beats pending", [null, { status: "FAILED", analysedAt: null, reason: "Too large" }], { status: "not-analysed", reason: "Too large" }],
    ["failed rerun keeps result", [{ status: "FAILED", analysedAt: new Date("2026-03-02T00:00:00Z"), reason: "Timed out" }], { status: "analysed", analysedAt: new Date("2026-03-02T00:00:00Z") }],
    ["analysed without time", [{ status: "ANALYSED", analysedAt: null, reason: null }], { status: "analysed", analysedAt: null }],
  ];

  test.each(cases)("%s", (_name, analyses, expected) => {
    expect(tagAnalysisState(analyses)).toEqual(expected);
  });
});

describe("parseTagQuery", () => {
  test("reads every parameter", () => {
    expect(parseTagQuery({ q: " rc ", grade: ["b", "none"], sort: "grade", order: "desc", page: "2" })).toEqual({
      query: { search: "rc", grades: ["B", "none"], sort: "grade", order: "desc", page: 2 },
      problems: [],
    });
  });

  test("splits grades at commas", () => {
    expect(parseTagQuery({ grade: "F,A, d" }).query.grades).toEqual(["A", "D", "F"]);
  });

  test("empty parameters are absent", () => {
    expect(parseTagQuery({ q: "  ", grade: "", sort: "", page: "" })).toEqual({ query: {}, problems: [] });
  });

  const invalid: Array<[string, Record<string, string>, string]> = [
    ["grade", { grade: "G" }, 'Ignored the grade "G": use one of A, B, C, D, E, F, none.'],
    ["sort", { sort: "size" }, 'Ignored the sort "size": use one of pushed, name, grade.'],
    ["order", { order: "up" }, 'Ignored the order "up": use asc or desc.'],
    ["page", { page: "0" }, 'Ignored the page "0": give a page number from 1.'],
    ["long search", { q: "x".repeat(129) }, "Ignored the name search: it is longer than 128 characters, the maximum length of a tag."],
  ];

  test.each(invalid)("ignores invalid %s", (_name, params, message) => {
    expect(parseTagQuery(params)).toEqual({ query: {}, problems: [message] });
  });
});
