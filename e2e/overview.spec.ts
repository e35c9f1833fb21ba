import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The e2e server syncs the sample images into the demo organization before the tests start.

/** Counts the repositories per grade ("none" when not graded) as the repository list shows them. */
async function gradeCountsOfList(page: Page): Promise<Record<string, number>> {
  await page.goto("/orgs/demo/repositories");
  const grades = await page.locator("tr[data-repository]").evaluateAll((rows) => rows.map((row) => row.querySelector("[data-grade]")?.getAttribute("data-grade") ?? "missing"));
  const counts: Record<string, number> = {};
  for (const grade of grades) counts[grade] = (counts[grade] ?? 0) + 1;
  return counts;
}

/** Reads the distribution chart's bars: one link per grade that has repositories. */
async function barsOfChart(page: Page): Promise<Record<string, number>> {
  const bars = page.getByTestId("grade-distribution").locator("svg a[data-grade]");
  const entries = await bars.evaluateAll((links) => links.map((link) => [link.getAttribute("data-grade") ?? "", Number(link.getAttribute("data-count"))] as const));
  return Object.fromEntries(entries);
}

test.describe("owner", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, users.owner);
  });

  test("distribution has one bar per grade in the list", async ({ page }) => {
    const expected = await gradeCountsOfList(page);
    expect(Object.keys(expected).length).toBeGreaterThan(0);

    await page.goto("/orgs/demo");
    await expect(page.getByRole("heading", { name: "demo", level: 1 })).toBeVisible();
    const chart = page.getByTestId("grade-distribution").locator("svg").first();
    await expect(chart).toBeVisible();
    await expect(page.getByTestId("grade-distribution").locator("svg a[data-grade]")).toHaveCount(Object.keys(expected).length);
    expect(await barsOfChart(page)).toEqual(expected);
    const total = Object.values(expected).reduce((sum, count) => sum + count, 0);
    await expect(page.getByTestId("repository-count")).toHaveText(`${total} repositories.`);
  });

  test("bar opens the list filtered by its grade", async ({ page }) => {
    await page.goto("/orgs/demo");
    const bar = page.getByTestId("grade-distribution").locator("svg a[data-grade]").first();
    await expect(bar).toBeVisible();
    const grade = await bar.getAttribute("data-grade");
    await bar.click();
    await expect(page).toHaveURL(new RegExp(`/orgs/demo/repositories\\?grade=${grade}$`));
  });

  test("failing policies link to the filtered list", async ({ page }) => {
    await page.goto("/orgs/demo");
    const links = page.getByRole("list", { name: "Failing policies" }).getByRole("link");
    await expect(links.first()).toBeVisible();
    const count = await links.count();
    for (let index = 0; index < count; index++) {
      await expect(links.nth(index)).toHaveAttribute("href", /^\/orgs\/demo\/repositories\?failing=[a-z0-9-]+$/);
    }
    // The latest tags of several sample repositories run as root, so the list is not empty.
    const first = page.getByRole("list", { name: "Failing policies" }).locator("li").first();
    const policyId = await first.getAttribute("data-policy");
    await first.getByRole("link").click();
    await expect(page).toHaveURL(`/orgs/demo/repositories?failing=${policyId}`);
  });

  test("overview passes axe and is captured", async ({ page }, testInfo) => {
    const browserErrors: string[] = [];
    page.on("pageerror", (error) => browserErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push(message.text());
    });
    await page.goto("/orgs/demo");
    await expect(page.getByTestId("grade-distribution").locator("svg").first()).toBeVisible();
    await expect(page.getByRole("img", { name: /Repositories per grade at the end of each day/ }).locator("svg").first()).toBeVisible();

    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
    expect(serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`)).toEqual([]);

    await page.screenshot({ path: testInfo.outputPath("overview.png"), fullPage: true });
    // Hydration mismatches and chart errors only show in the browser console.
    expect(browserErrors).toEqual([]);
  });

  test("home page links to the overview", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "Overview of demo" }).click();
    await expect(page).toHaveURL(/\/orgs\/demo$/);
    await expect(page.getByRole("navigation", { name: "Organization" }).getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  });
});

test.describe("member", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, users.member);
  });

  test("member counts only readable repositories", async ({ page }) => {
    const expected = await gradeCountsOfList(page);
    expect(Object.values(expected).reduce((sum, count) => sum + count, 0)).toBe(1);

    await page.goto("/orgs/demo");
    await expect(page.getByTestId("repository-count")).toHaveText("1 repository that you can read.");
    await expect(page.getByTestId("grade-distribution").locator("svg a[data-grade]")).toHaveCount(1);
    expect(await barsOfChart(page)).toEqual(expected);
    await expect(page.locator("main")).not.toContainText("demo/worker");
    await expect(page.getByRole("navigation", { name: "Organization" }).getByRole("link", { name: "Settings" })).toHaveCount(0);
  });
});
