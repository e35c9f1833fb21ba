import { beforeEach, describe, expect, test } from "vitest";
import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { gradeFilters, listRepositories, parseRepositoryQuery, repositorySorts, REPOSITORIES_PER_PAGE, type RepositoryQuery } from "@/lib/data/list-repositories";
import { getPrisma } from "@/lib/db";
import { policyIds } from "@/scoring";

const prisma = getPrisma();

describe("parseRepositoryQuery", () => {
  test("empty parameters give an empty query", () => {
    expect(parseRepositoryQuery({})).toEqual({ query: {}, problems: [] });
  });

  test.each(gradeFilters)("grade %s is accepted", (grade) => {
    expect(parseRepositoryQuery({ grade })).toEqual({ query: { grades: [grade] }, problems: [] });
  });

  test.each([
    ["repeated", { grade: ["F", "b"] }, ["B", "F"]],
    ["comma-separated", { grade: "none,a" }, ["A", "none"]],
    ["duplicated", { grade: ["C", "c,C"] }, ["C"]],
    ["upper-case none", { grade: "NONE" }, ["none"]],
  ])("grades %s are read in grade order", (_, params, grades) => {
    expect(parseRepositoryQuery(params)).toEqual({ query: { grades }, problems: [] });
  });

  test("unknown grade is reported with the accepted values", () => {
    const { query, problems } = parseRepositoryQuery({ grade: ["Z", "B"] });
    expect(query).toEqual({ grades: ["B"] });
    expect(problems).toEqual(['Ignored the grade "Z": use A, B, C, D, E, F or none.']);
  });

  test.each(policyIds)("failing policy %s is accepted", (failing) => {
    expect(parseRepositoryQuery({ failing })).toEqual({ query: { failing }, problems: [] });
  });

  test("unknown failing policy is reported with the policy ids", () => {
    const { query, problems } = parseRepositoryQuery({ failing: "no-root" });
    expect(query).toEqual({});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('"no-root"');
    for (const id of policyIds) expect(problems[0]).toContain(id);
  });

  test.each(repositorySorts)("sort %s is accepted", (sort) => {
    expect(parseRepositoryQuery({ sort })).toEqual({ query: { sort }, problems: [] });
  });

  test("unknown sort is reported with the sorts", () => {
    expect(parseRepositoryQuery({ sort: "size" })).toEqual({ query: {}, problems: ['Ignored the sort "size": use name, grade, grade-desc or pushed.'] });
  });

  test.each([
    ["1", 1],
    ["150", 150],
  ])("page %s is accepted", (page, expected) => {
    expect(parseRepositoryQuery({ page })).toEqual({ query: { page: expected }, problems: [] });
  });

  test.each(["0", "-1", "1.5", "abc", "1e3", "9999999999"])("page %s is reported", (page) => {
    expect(parseRepositoryQuery({ page })).toEqual({ query: {}, problems: [`Ignored the page "${page}": give a whole number from 1.`] });
  });

  test("search is trimmed and kept as written", () => {
    expect(parseRepositoryQuery({ q: "  Web_%  " })).toEqual({ query: { search: "Web_%" }, problems: [] });
  });

  test("too long search is reported", () => {
    const { query, problems } = parseRepositoryQuery({ q: "a".repeat(256) });
    expect(query).toEqual({});
    expect(problems).toEqual(["Ignored the name search: it is 256 characters long, and the maximum is 255."]);
  });

  test("empty values are ignored", () => {
    expect(parseRepositoryQuery({ q: "", grade: "", failing: " ", sort: "", page: "" })).toEqual({ query: {}, problems: [] });
  });

  test("repeated single parameter uses the first", () => {
    const { query, problems } = parseRepositoryQuery({ sort: ["grade", "name"] });
    expect(query).toEqual({ sort: "grade" });
    expect(problems).toEqual(['Used the first of 2 values of "sort", "grade": give "sort" once.']);
  });

  test("unknown parameter is reported", () => {
    const { query, problems } = parseRepositoryQuery({ grades: "A" });
    expect(query).toEqual({});
    expect(problems).toEqual(['Ignored the parameter "grades": this page reads "q", "grade", "failing", "sort" and "page".']);
  });
});

function viewerOf(user: { id: string; email: string }): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin: false };
}

interface SeedRepository {
  name: string;
  grade?: string | null;
  percent?: number | null;
  failingPolicies?: string[];
  lastPushedAt?: Date | null;
  deletedAt?: Date | null;
}

/** Organization acme with an owner, a member without grants, and the given repositories. */
async function seed(repositories: SeedRepository[]) {
  const acme = await prisma.organization.create({ data: { name: "acme" } });
  await prisma.repository.createMany({ data: repositories.map((repository) => ({ organizationId: acme.id, ...repository })) });
  const owner = await prisma.user.create({ data: { email: "owner@acme.test" } });
  const member = await prisma.user.create({ data: { email: "member@acme.test" } });
  await prisma.membership.createMany({
    data: [
      { organizationId: acme.id, userId: owner.id, role: "OWNER" },
      { organizationId: acme.id, userId: member.id, role: "MEMBER" },
    ],
  });
  return { acme, owner: viewerOf(owner), member: viewerOf(member) };
}

async function names(viewer: Viewer, query: RepositoryQuery): Promise<string[]> {
  return (await listRepositories(viewer, "acme", query)).repositories.map((repository) => repository.name);
}

describe("listRepositories filters", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("search ignores case", async () => {
    const { owner } = await seed([{ name: "acme/api" }, { name: "acme/rapid" }, { name: "acme/web" }]);
    expect(await names(owner, { search: "AP" })).toEqual(["acme/api", "acme/rapid"]);
  });

  test("search skips the organization prefix", async () => {
    const { owner } = await seed([{ name: "acme/api" }, { name: "acme/acme-tools" }]);
    expect(await names(owner, { search: "acme" })).toEqual(["acme/acme-tools"]);
    expect(await names(owner, { search: "me/" })).toEqual([]);
  });

  test("search by full name finds the repository", async () => {
    const { owner } = await seed([{ name: "acme/api" }, { name: "acme/web" }]);
    expect(await names(owner, { search: "ACME/api" })).toEqual(["acme/api"]);
  });

  test("search escapes LIKE wildcards", async () => {
    const { owner } = await seed([{ name: "acme/a_b" }, { name: "acme/axb" }, { name: "acme/50%off" }, { name: "acme/back\\slash" }]);
    expect(await names(owner, { search: "a_b" })).toEqual(["acme/a_b"]);
    expect(await names(owner, { search: "_" })).toEqual(["acme/a_b"]);
    expect(await names(owner, { search: "%" })).toEqual(["acme/50%off"]);
    expect(await names(owner, { search: "0%o" })).toEqual(["acme/50%off"]);
    expect(await names(owner, { search: "k\\s" })).toEqual(["acme/back\\slash"]);
  });

  test("grade filter selects one grade", async () => {
    const { owner } = await seed([{ name: "acme/a", grade: "A" }, { name: "acme/b", grade: "B" }, { name: "acme/none" }]);
    expect(await names(owner, { grades: ["B"] })).toEqual(["acme/b"]);
  });

  test("grade filter selects several grades and none", async () => {
    const { owner } = await seed([{ name: "acme/a", grade: "A" }, { name: "acme/b", grade: "B" }, { name: "acme/f", grade: "F" }, { name: "acme/none" }]);
    expect(await names(owner, { grades: ["A", "F"] })).toEqual(["acme/a", "acme/f"]);
    expect(await names(owner, { grades: ["none"] })).toEqual(["acme/none"]);
    expect(await names(owner, { grades: ["B", "none"] })).toEqual(["acme/b", "acme/none"]);
  });

  test("failing filter matches one policy of several", async () => {
    const { owner } = await seed([
      { name: "acme/both", failingPolicies: ["default-non-root-user", "supply-chain-attestations"] },
      { name: "acme/root", failingPolicies: ["default-non-root-user"] },
      { name: "acme/clean", failingPolicies: [] },
    ]);
    expect(await names(owner, { failing: "supply-chain-attestations" })).toEqual(["acme/both"]);
    expect(await names(owner, { failing: "default-non-root-user" })).toEqual(["acme/both", "acme/root"]);
    expect(await names(owner, { failing: "no-agpl-v3-licenses" })).toEqual([]);
  });

  test("filters combine", async () => {
    const { owner } = await seed([
      { name: "acme/api", grade: "C", failingPolicies: ["default-non-root-user"] },
      { name: "acme/api-v2", grade: "B", failingPolicies: ["default-non-root-user"] },
      { name: "acme/web", grade: "C", failingPolicies: ["default-non-root-user"] },
    ]);
    expect(await names(owner, { search: "api", grades: ["C"], failing: "default-non-root-user" })).toEqual(["acme/api"]);
  });

  test("deleted repositories are left out", async () => {
    const { owner } = await seed([{ name: "acme/live", grade: "A" }, { name: "acme/gone", grade: "A", deletedAt: new Date() }]);
    const list = await listRepositories(owner, "acme", {});
    expect(list.repositories.map((repository) => repository.name)).toEqual(["acme/live"]);
    expect(list.total).toBe(1);
    expect(list.gradeCounts.A).toBe(1);
  });
});

describe("listRepositories sorting", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  const repositories: SeedRepository[] = [
    { name: "acme/c", grade: "C", percent: 60, lastPushedAt: new Date("2026-03-01T00:00:00Z") },
    { name: "acme/none", grade: null, percent: null, lastPushedAt: null },
    { name: "acme/a-low", grade: "A", percent: 91, lastPushedAt: new Date("2026-01-01T00:00:00Z") },
    { name: "acme/f", grade: "F", percent: 5, lastPushedAt: new Date("2026-02-01T00:00:00Z") },
    { name: "acme/a-high", grade: "A", percent: 99, lastPushedAt: new Date("2026-04-01T00:00:00Z") },
  ];

  test("name is the default sort", async () => {
    const { owner } = await seed(repositories);
    expect(await names(owner, {})).toEqual(["acme/a-high", "acme/a-low", "acme/c", "acme/f", "acme/none"]);
  });

  test("grade puts A first and not graded last", async () => {
    const { owner } = await seed(repositories);
    expect(await names(owner, { sort: "grade" })).toEqual(["acme/a-high", "acme/a-low", "acme/c", "acme/f", "acme/none"]);
  });

  test("grade-desc puts F first and not graded last", async () => {
    const { owner } = await seed(repositories);
    expect(await names(owner, { sort: "grade-desc" })).toEqual(["acme/f", "acme/c", "acme/a-low", "acme/a-high", "acme/none"]);
  });

  test("pushed puts the newest first and never pushed last", async () => {
    const { owner } = await seed(repositories);
    expect(await names(owner, { sort: "pushed" })).toEqual(["acme/a-high", "acme/c", "acme/f", "acme/a-low", "acme/none"]);
  });

  test("equal grades and percents fall back to the name", async () => {
    const { owner } = await seed([
      { name: "acme/y", grade: "B", percent: 80 },
      { name: "acme/x", grade: "B", percent: 80 },
    ]);
    expect(await names(owner, { sort: "grade" })).toEqual(["acme/x", "acme/y"]);
    expect(await names(owner, { sort: "grade-desc" })).toEqual(["acme/x", "acme/y"]);
  });
});

describe("listRepositories pages and counts", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  /** 120 repositories acme/repo-000 to acme/repo-119; every third is graded B, the rest A. */
  function manyRepositories(): SeedRepository[] {
    return Array.from({ length: 120 }, (_, index) => ({ name: `acme/repo-${String(index).padStart(3, "0")}`, grade: index % 3 === 0 ? "B" : "A" }));
  }

  test("pages hold fifty repositories in order", async () => {
    const { owner } = await seed(manyRepositories());
    const second = await listRepositories(owner, "acme", { page: 2 });
    expect(REPOSITORIES_PER_PAGE).toBe(50);
    expect(second.page).toBe(2);
    expect(second.pageCount).toBe(3);
    expect(second.total).toBe(120);
    expect(second.repositories).toHaveLength(50);
    expect(second.repositories[0]?.name).toBe("acme/repo-050");
    expect(second.repositories.at(-1)?.name).toBe("acme/repo-099");
    expect((await listRepositories(owner, "acme", { page: 3 })).repositories).toHaveLength(20);
  });

  test("page past the end gives the last page", async () => {
    const { owner } = await seed(manyRepositories());
    const list = await listRepositories(owner, "acme", { page: 150 });
    expect(list.page).toBe(3);
    expect(list.repositories[0]?.name).toBe("acme/repo-100");
  });

  test("empty result has one empty page", async () => {
    const { owner } = await seed(manyRepositories());
    const list = await listRepositories(owner, "acme", { search: "nothing", page: 2 });
    expect(list).toMatchObject({ total: 0, page: 1, pageCount: 1, repositories: [] });
  });

  test("grade counts ignore the grade filter only", async () => {
    const { owner } = await seed(manyRepositories());
    const list = await listRepositories(owner, "acme", { grades: ["B"], search: "repo-0" });
    // repo-000 to repo-099: 34 graded B (0, 3, … 99) and 66 graded A.
    expect(list.total).toBe(34);
    expect(list.gradeCounts).toEqual({ A: 66, B: 34, C: 0, D: 0, E: 0, F: 0, none: 0 });
  });

  test("failing filter applies to the grade counts", async () => {
    const { owner } = await seed([
      { name: "acme/a", grade: "A", failingPolicies: [] },
      { name: "acme/c", grade: "C", failingPolicies: ["default-non-root-user"] },
      { name: "acme/none", failingPolicies: [] },
    ]);
    const list = await listRepositories(owner, "acme", { failing: "default-non-root-user" });
    expect(list.gradeCounts).toEqual({ A: 0, B: 0, C: 1, D: 0, E: 0, F: 0, none: 0 });
  });
});

describe("listRepositories access", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("member's list and counts cover team grants only", async () => {
    const { acme, member } = await seed([
      { name: "acme/api", grade: "A" },
      { name: "acme/web", grade: "B" },
      { name: "acme/secret", grade: "B" },
      { name: "acme/hidden", grade: null },
    ]);
    const team = await prisma.team.create({ data: { organizationId: acme.id, name: "readers" } });
    await prisma.teamMember.create({ data: { teamId: team.id, userId: member.id } });
    const granted = await prisma.repository.findMany({ where: { name: { in: ["acme/api", "acme/web"] } } });
    await prisma.repositoryPermission.createMany({ data: granted.map((repository) => ({ teamId: team.id, repositoryId: repository.id, permission: "READ" as const })) });

    const list = await listRepositories(member, "acme", {});
    expect(list.repositories.map((repository) => repository.name)).toEqual(["acme/api", "acme/web"]);
    expect(list.total).toBe(2);
    expect(list.gradeCounts).toEqual({ A: 1, B: 1, C: 0, D: 0, E: 0, F: 0, none: 0 });
    expect(list.isOwner).toBe(false);
    expect(await names(member, { grades: ["B"] })).toEqual(["acme/web"]);
    expect(await names(member, { search: "secret" })).toEqual([]);
    expect(await names(member, { grades: ["none"] })).toEqual([]);
  });

  test("owner counts every repository", async () => {
    const { owner } = await seed([{ name: "acme/api", grade: "A" }, { name: "acme/hidden", grade: null }]);
    const list = await listRepositories(owner, "acme", {});
    expect(list.total).toBe(2);
    expect(list.gradeCounts.none).toBe(1);
    expect(list.isOwner).toBe(true);
  });

  test("default permission lets the member count every repository", async () => {
    const { acme, member } = await seed([{ name: "acme/api", grade: "A" }, { name: "acme/web", grade: "C" }]);
    await prisma.organization.update({ where: { id: acme.id }, data: { defaultPermission: "READ" } });
    expect((await listRepositories(member, "acme", { grades: ["C"] })).total).toBe(1);
  });

  test("non-member gets NOT_FOUND with filters", async () => {
    await seed([{ name: "acme/api", grade: "A" }]);
    const stranger = await prisma.user.create({ data: { email: "stranger@example.test" } });
    await expect(listRepositories(viewerOf(stranger), "acme", { grades: ["A"] })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
