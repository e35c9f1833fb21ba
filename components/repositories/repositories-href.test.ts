import { describe, expect, test } from "vitest";
import { repositoriesHref } from "@/components/repositories/repositories-href";
import { pageWindow } from "@/components/repositories/repository-pagination";
import { parseRepositoryQuery, type RepositoryQuery } from "@/lib/data/list-repositories";

describe("repositoriesHref", () => {
  test("empty query gives the bare list", () => {
    expect(repositoriesHref("acme", {})).toBe("/orgs/acme/repositories");
  });

  test("defaults are left out", () => {
    expect(repositoriesHref("acme", { sort: "name", page: 1 })).toBe("/orgs/acme/repositories");
  });

  test("every filter is written in order", () => {
    const href = repositoriesHref("acme", { search: "web api", grades: ["A", "none"], failing: "default-non-root-user", sort: "grade-desc", page: 3 });
    expect(href).toBe("/orgs/acme/repositories?q=web+api&grade=A&grade=none&failing=default-non-root-user&sort=grade-desc&page=3");
  });

  test.each<RepositoryQuery>([
    {},
    { search: "50%_off&x=y" },
    { grades: ["B"] },
    { grades: ["A", "C", "none"], sort: "pushed" },
    { failing: "supply-chain-attestations", page: 2 },
    { search: "a", grades: ["F"], failing: "no-agpl-v3-licenses", sort: "grade", page: 150 },
  ])("parsing the href gives the query back: %o", (query) => {
    const search = new URL(repositoriesHref("acme", query), "http://host").searchParams;
    const params: Record<string, string[]> = {};
    for (const [name, value] of search) (params[name] ??= []).push(value);
    expect(parseRepositoryQuery(params)).toEqual({ query, problems: [] });
  });
});

describe("pageWindow", () => {
  test.each([
    [1, 1, [1]],
    [1, 5, [1, 2, 3, 4, 5]],
    [1, 196, [1, 2, 3, "gap", 196]],
    [5, 196, [1, 2, 3, 4, 5, 6, 7, "gap", 196]],
    [150, 196, [1, "gap", 148, 149, 150, 151, 152, "gap", 196]],
    [196, 196, [1, "gap", 194, 195, 196]],
  ])("page %i of %i", (page, pageCount, expected) => {
    expect(pageWindow(page, pageCount)).toEqual(expected);
  });
});
