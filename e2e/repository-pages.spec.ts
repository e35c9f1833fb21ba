import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The e2e server syncs demo/web with the tags 1.0, 1.1 and 1.2-rc and grades them. 1.1 is built
// with a non-root user, an SBOM and max-mode provenance, so it grades best; 1.0 has none of them.

test.beforeEach(async ({ page }) => {
  await signIn(page, users.owner);
});

/** Fails with the rule, its help text and the elements when axe finds a serious or critical violation. */
async function expectNoSeriousViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(serious).toEqual([]);
}

/** Returns the current URL's search parameters without empty values, which a GET form sends for blank fields. */
function searchOf(page: Page): Record<string, string[]> {
  const params: Record<string, string[]> = {};
  for (const [name, value] of new URL(page.url()).searchParams) if (value !== "") (params[name] ??= []).push(value);
  return params;
}

async function tagOrder(page: Page): Promise<string[]> {
  return page.locator("tr[data-tag]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-tag") ?? ""));
}

test("general tab shows grade history and ranked tags", async ({ page }, testInfo) => {
  // A repository's first grade is recorded when its latest tag is graded, which can follow the sync.
  await expect(async () => {
    await page.goto("/repository/demo/web/general");
    await expect(page.getByTestId("grade-history-list").locator("tbody tr").first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 60_000 });

  const chart = page.getByTestId("grade-history-chart");
  await expect(chart.locator("svg.recharts-surface")).toBeVisible();
  // Each recorded change is a dot; the dashed segment carries the latest score to now.
  await expect(chart.locator(".recharts-line-dots circle").first()).toBeVisible();
  // A level segment has an empty bounding box, which Playwright counts as hidden, so the path data is checked.
  await expect(chart.locator("path.recharts-line-curve").last()).toHaveAttribute("d", /^M[\d.]+,[\d.]+L[\d.]+,[\d.]+/);
  await expect(chart.getByRole("img", { name: /^Score of the repository over \d+ recorded changes? since .*, now \d+(\.\d)? % \([A-F]\)/ })).toBeVisible();
  await expect(page.getByTestId("grade-history-list").locator("tbody tr").first()).toHaveAttribute("data-cause", /\S/);

  const best = page.getByRole("list", { name: "Tags with the best grades" });
  const worst = page.getByRole("list", { name: "Tags with the worst grades" });
  await expect(best.locator("li")).toHaveCount(2);
  await expect(worst.locator("li")).toHaveCount(1);
  await expect(best.locator("li").first()).toHaveAttribute("data-tag", "1.1");
  await expect(worst.locator("li").first()).toHaveAttribute("data-tag", "1.0");
  await expect(best.locator('li[data-tag="1.1"]').getByRole("link", { name: "1.1" })).toHaveAttribute("href", "/repository/demo/web/tags/1.1");

  // No sample image carries an org.opencontainers.image.description label or annotation.
  await expect(page.getByTestId("repository-description")).toHaveCount(0);

  await expectNoSeriousViolations(page);
  await page.screenshot({ path: testInfo.outputPath("general-tab.png"), fullPage: true });
});

test("tags list sorts through the URL", async ({ page }, testInfo) => {
  await page.goto("/repository/demo/web/tags");
  await expect(page.locator("tr[data-tag]")).toHaveCount(3);
  await expect(page.getByRole("columnheader")).toHaveText([/Select to compare/, /Grade/, /Tag/, "Platforms", "Digest", /Pushed/, "Analysed"]);

  await page.getByRole("link", { name: /^Tag, sort A to Z$/ }).click();
  await expect(page).toHaveURL(/\/tags\?sort=name$/);
  expect(await tagOrder(page)).toEqual(["1.0", "1.1", "1.2-rc"]);
  await expect(page.getByRole("columnheader", { name: /Tag/ })).toHaveAttribute("aria-sort", "ascending");

  await page.getByRole("link", { name: /^Tag, sort Z to A$/ }).click();
  await expect(page).toHaveURL(/\/tags\?sort=name&order=desc$/);
  expect(await tagOrder(page)).toEqual(["1.2-rc", "1.1", "1.0"]);

  await page.getByRole("link", { name: /^Grade, sort best first$/ }).click();
  await expect(page).toHaveURL(/\/tags\?sort=grade$/);
  const grades = await page.locator("tr[data-tag] [data-grade]").evaluateAll((badges) => badges.map((badge) => badge.getAttribute("data-grade") ?? ""));
  expect(grades).toEqual([...grades].sort());
  expect(await tagOrder(page)).toEqual(["1.1", "1.2-rc", "1.0"]);

  // A shared link opens the same order, and an invalid value is named and ignored.
  const shared = await page.context().newPage();
  await shared.goto("/repository/demo/web/tags?sort=grade&order=desc&page=abc");
  expect(await tagOrder(shared)).toEqual(["1.0", "1.2-rc", "1.1"]);
  await expect(shared.getByTestId("query-problems")).toHaveText('Ignored the page "abc": give a page number from 1.');
  await shared.close();

  await expectNoSeriousViolations(page);
  await page.screenshot({ path: testInfo.outputPath("tags-sorted-by-grade.png"), fullPage: true });
});

test("tags list filters through the URL", async ({ page }) => {
  await page.goto("/repository/demo/web/tags?sort=name");
  const filters = page.getByRole("form", { name: "Filter tags" });

  await filters.getByRole("checkbox", { name: "D", exact: true }).check();
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]grade=D(&|$)/);
  expect(searchOf(page)).toEqual({ sort: ["name"], grade: ["D"] });
  expect(await tagOrder(page)).toEqual(["1.0"]);
  await expect(page.getByTestId("tag-count")).toHaveText("1 tag matches the filters.");
  await expect(page.getByRole("form", { name: "Filter tags" }).getByRole("checkbox", { name: "D", exact: true })).toBeChecked();

  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page).toHaveURL(/\/tags\?sort=name$/);
  await expect(page.locator("tr[data-tag]")).toHaveCount(3);

  await page.getByLabel("Tag name contains").fill("RC");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]q=RC(&|$)/);
  expect(searchOf(page)).toEqual({ sort: ["name"], q: ["RC"] });
  expect(await tagOrder(page)).toEqual(["1.2-rc"]);

  await page.goto("/repository/demo/web/tags?q=nothing-like-this");
  await expect(page.getByRole("main")).toContainText("No tags match these filters.");
  await page.getByRole("link", { name: "Show all tags" }).click();
  await expect(page.locator("tr[data-tag]")).toHaveCount(3);
});

test("copy button confirms the copied digest", async ({ page, context, baseURL }, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await page.goto("/repository/demo/web/tags");
  const row = page.locator('tr[data-tag="1.0"]');
  const digest = await row.locator('[title^="sha256:"]').getAttribute("title");
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

  await row.getByRole("button", { name: "Copy digest of 1.0" }).click();

  const button = row.getByRole("button", { name: "Copied digest of 1.0" });
  await expect(button).toBeVisible();
  await expect(button).toHaveAttribute("data-copy-state", "copied");
  await expect(row.getByRole("status")).toHaveText("Copied the digest of 1.0 to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(digest);
  await row.screenshot({ path: testInfo.outputPath("copy-confirmation.png") });

  // The confirmation goes away, so a second copy confirms again.
  await expect(row.getByRole("button", { name: "Copy digest of 1.0" })).toBeVisible({ timeout: 5_000 });
});

test("analysed column shows analysis times", async ({ page }) => {
  await expect(async () => {
    await page.goto("/repository/demo/web/tags");
    await expect(page.locator('tr[data-tag="1.0"] [data-analysis]')).toHaveAttribute("data-analysis", "analysed", { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.locator('tr[data-tag="1.0"] [data-analysis]')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await expect(page.locator('tr[data-tag="1.1"]').getByRole("cell").nth(3)).toHaveText("linux/amd64");
});
