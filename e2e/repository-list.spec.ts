import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The e2e server syncs the four sample repositories of "demo": alpine-tools, multi-arch, web and worker.
const allRepositories = ["demo/alpine-tools", "demo/multi-arch", "demo/web", "demo/worker"];
const gradeOrder = ["A", "B", "C", "D", "E", "F", "none"];

async function repositoryNames(page: Page): Promise<string[]> {
  return page.locator("tr[data-repository]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-repository") ?? ""));
}

/** Reads each row's grade from its badge and its percent from the text beside it, in page order. */
async function gradedRows(page: Page): Promise<{ grade: string; percent: number }[]> {
  return page.locator("tr[data-repository]").evaluateAll((rows) =>
    rows.map((row) => ({
      grade: row.querySelector("[data-grade]")?.getAttribute("data-grade") ?? "",
      percent: Number.parseFloat(row.querySelector("td")?.textContent?.replace(/^[A-F–]/, "") ?? "NaN"),
    })),
  );
}

/**
 * Checks that rows come in grade order, best or worst grade first, with the
 * better or worse percent first within a grade and repositories that are not graded last.
 */
function expectOrdered(rows: { grade: string; percent: number }[], direction: "best first" | "worst first") {
  const sign = direction === "best first" ? 1 : -1;
  const key = (row: { grade: string; percent: number }) => (row.grade === "none" ? [Infinity, 0] : [sign * gradeOrder.indexOf(row.grade), -sign * row.percent]);
  for (const [index, row] of rows.entries()) {
    const next = rows[index + 1];
    if (next === undefined) break;
    const [gradeKey, percentKey] = key(row);
    const [nextGradeKey, nextPercentKey] = key(next);
    const inOrder = gradeKey! < nextGradeKey! || (gradeKey === nextGradeKey && percentKey! <= nextPercentKey!);
    expect(inOrder, `${direction}, row ${index}: ${JSON.stringify(row)} before ${JSON.stringify(next)}`).toBe(true);
  }
}

test.describe("repository list for the owner", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, users.owner);
  });

  test("search narrows the list", async ({ page }) => {
    await page.goto("/orgs/demo/repositories");
    expect(await repositoryNames(page)).toEqual(allRepositories);

    await page.getByLabel("Search by name").fill("work");
    await page.getByLabel("Search by name").press("Enter");

    // The form sends every field, and the page redirects to the canonical URL, which keeps only the search.
    await expect(page).toHaveURL(/\/orgs\/demo\/repositories\?q=work$/);
    await expect(page.locator("tr[data-repository]")).toHaveCount(1);
    expect(await repositoryNames(page)).toEqual(["demo/worker"]);
    await expect(page.getByTestId("repository-range")).toContainText("1–1 of 1");
  });

  test("grade filter changes the list", async ({ page }) => {
    await page.goto("/orgs/demo/repositories");
    const grade = await page.locator("tr[data-repository] [data-grade]").first().getAttribute("data-grade");
    expect(grade).toMatch(/^[A-F]$/);
    const filter = page.getByRole("group", { name: "Grade" });
    const expectedCount = Number((await filter.getByText(/^\(\d+\)$/).nth(gradeOrder.indexOf(grade!)).innerText()).slice(1, -1));

    await filter.getByRole("checkbox", { name: `Grade ${grade}` }).check();
    await page.getByRole("button", { name: "Apply" }).click();

    await expect(page).toHaveURL(new RegExp(`\\?grade=${grade}$`));
    await expect(page.locator("tr[data-repository]")).toHaveCount(expectedCount);
    for (const row of await gradedRows(page)) expect(row.grade).toBe(grade);
    await expect(page.getByRole("group", { name: "Grade" }).getByRole("checkbox", { name: `Grade ${grade}` })).toBeChecked();

    // Every sample tag is graded, so "not graded" alone matches nothing.
    await page.getByRole("group", { name: "Grade" }).getByRole("checkbox", { name: `Grade ${grade}` }).uncheck();
    await page.getByRole("group", { name: "Grade" }).getByRole("checkbox", { name: "Not graded" }).check();
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/\?grade=none$/);
    await expect(page.getByTestId("repositories-empty")).toHaveText(/No repositories match these filters/);
    await expect(page.locator("tr[data-repository]")).toHaveCount(0);
  });

  test("failing-policy filter changes the list", async ({ page }) => {
    await page.goto("/orgs/demo/repositories");
    await page.getByLabel("Failing policy").selectOption({ label: "Default non-root user" });
    await page.getByRole("button", { name: "Apply" }).click();

    await expect(page).toHaveURL(/\?failing=default-non-root-user$/);
    // alpine-tools and multi-arch run as root, while web and worker set a USER.
    await expect(page.locator("tr[data-repository]")).toHaveCount(2);
    expect(await repositoryNames(page)).toEqual(["demo/alpine-tools", "demo/multi-arch"]);
    await expect(page.getByLabel("Failing policy")).toHaveValue("default-non-root-user");
  });

  test("sort by grade orders badges", async ({ page }) => {
    await page.goto("/orgs/demo/repositories");
    await page.getByLabel("Sort by").selectOption({ label: "Grade, F first" });
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/\?sort=grade-desc$/);
    const worstFirst = await gradedRows(page);
    expect(worstFirst).toHaveLength(allRepositories.length);
    expectOrdered(worstFirst, "worst first");

    await page.getByLabel("Sort by").selectOption({ label: "Grade, A first" });
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/\?sort=grade$/);
    const bestFirst = await gradedRows(page);
    expect(bestFirst).toHaveLength(allRepositories.length);
    expectOrdered(bestFirst, "best first");
  });

  test("invalid grade is reported", async ({ page }) => {
    const response = await page.goto("/orgs/demo/repositories?grade=Z");
    expect(response?.status()).toBe(200);
    await expect(page.locator("main").getByRole("alert")).toHaveText('Ignored the grade "Z": use A, B, C, D, E, F or none.');
    // The invalid value is left out, so the list is the unfiltered one.
    await expect(page.locator("tr[data-repository]")).toHaveCount(allRepositories.length);
    await expect(page).toHaveURL(/\?grade=Z$/);
  });

  test("page past the end is reported", async ({ page }) => {
    await page.goto("/orgs/demo/repositories?page=7");
    await expect(page.locator("main").getByRole("alert")).toHaveText("Page 7 is past the last page: showing page 1 of 1.");
    await expect(page.locator("tr[data-repository]")).toHaveCount(allRepositories.length);
  });

  test("list passes axe", async ({ page }, testInfo) => {
    await page.goto("/orgs/demo/repositories?failing=supply-chain-attestations&sort=grade");
    await expect(page.locator("tr[data-repository]").first()).toBeVisible();
    const results = await new AxeBuilder({ page }).analyze();
    const severe = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
    expect(severe.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`)).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath("repositories.png"), fullPage: true });
  });
});

test("member's list and counts cover readable repositories", async ({ page }) => {
  await signIn(page, users.member);
  await page.goto("/orgs/demo/repositories");
  // The member reads demo/web through a team, and nothing else.
  expect(await repositoryNames(page)).toEqual(["demo/web"]);
  await expect(page.getByTestId("repository-range")).toContainText("1–1 of 1");
  const counts = await page.getByRole("group", { name: "Grade" }).getByText(/^\(\d+\)$/).allInnerTexts();
  expect(counts.map((count) => Number(count.slice(1, -1))).reduce((sum, count) => sum + count, 0)).toBe(1);

  await page.goto("/orgs/demo/repositories?q=worker");
  await expect(page.getByTestId("repositories-empty")).toBeVisible();
});

test("a NUL character in the URL is refused with a message", async ({ page }) => {
  const response = await page.goto("/repository/demo/worker/tags/2.0?q=a%00b");
  expect(response?.status()).toBe(400);
  await expect(page.locator("body")).toContainText("NUL character (%00)");
});

test("the list links to the organization's overview", async ({ page }) => {
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/repositories");
  await page.getByRole("main").getByRole("link", { name: "Overview", exact: true }).click();
  await expect(page).toHaveURL(/\/orgs\/demo$/);
});
