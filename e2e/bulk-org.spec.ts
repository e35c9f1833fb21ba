import { expect, test, type Page } from "@playwright/test";
import {
  BULK_ORGANIZATION,
  BULK_REPOSITORY_COUNT,
  bulkChangesInWindow,
  bulkFailingCounts,
  bulkFirstDayGradeCounts,
  bulkGradeBuckets,
  bulkGradeCounts,
  bulkRepositories,
  type BulkRepository,
} from "@/e2e/bulk-fixture";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The e2e server seeds the organization "bulk" with the repositories of e2e/bulk-fixture.ts and makes the
// demo owner its owner. The list shows 50 repositories a page.
const LIST = `/orgs/${BULK_ORGANIZATION}/repositories`;
const PAGE_SIZE = 50;

/** Orders by name, by code point: the fixture's names sort the same way under any Postgres collation. */
function byName(a: BulkRepository, b: BulkRepository): number {
  if (a.name === b.name) return 0;
  return a.name < b.name ? -1 : 1;
}

/** Orders as "Grade, A first": A to F and then not graded, the higher percent first within a grade, then by name. */
function byGrade(a: BulkRepository, b: BulkRepository): number {
  const rank = (repository: BulkRepository) => bulkGradeBuckets.indexOf(repository.grade ?? "none");
  return rank(a) - rank(b) || (b.percent ?? 0) - (a.percent ?? 0) || byName(a, b);
}

/** Returns the names on one page of the repositories that pass `filter`, in `order`. */
function expectedPage(page: number, filter: (repository: BulkRepository) => boolean = () => true, order = byName): string[] {
  return bulkRepositories
    .filter(filter)
    .sort(order)
    .slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
    .map((repository) => repository.name);
}

/** Formats a count as the list's caption does, e.g. "10,000". */
function formatted(count: number): string {
  return count.toLocaleString("en");
}

/** Waits until the list shows exactly these repositories, in this order. */
async function expectRows(page: Page, names: string[]): Promise<void> {
  const rowNames = () => page.locator("tr[data-repository]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-repository") ?? ""));
  await expect.poll(rowNames).toEqual(names);
}

async function rowGrades(page: Page): Promise<string[]> {
  return page.locator("tr[data-repository] [data-grade]").evaluateAll((badges) => badges.map((badge) => badge.getAttribute("data-grade") ?? ""));
}

/** Reads the count shown beside each grade checkbox, in the order of the checkboxes. */
async function gradeOptionCounts(page: Page): Promise<number[]> {
  const texts = await page.getByRole("group", { name: "Grade" }).getByText(/^\(\d+\)$/).allInnerTexts();
  return texts.map((text) => Number(text.slice(1, -1)));
}

function pagination(page: Page) {
  return page.getByRole("navigation", { name: "Pages of the repository list" });
}

test.describe("bulk organization for the owner", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, users.owner);
  });

  test("home lists bulk with its count", async ({ page }) => {
    await page.goto("/");
    const item = page.locator("main li").filter({ has: page.getByRole("link", { name: BULK_ORGANIZATION, exact: true }) });
    await expect(item).toContainText(`${BULK_REPOSITORY_COUNT} repositories`);
    await expect(page.getByRole("list", { name: "Organizations" }).getByRole("link")).toHaveText([BULK_ORGANIZATION, "demo"]);
  });

  test("list shows total and last page", async ({ page }, testInfo) => {
    const lastPage = Math.ceil(BULK_REPOSITORY_COUNT / PAGE_SIZE);
    await page.goto(LIST);
    await expect(page.getByTestId("repository-range")).toContainText(`1–${PAGE_SIZE} of ${formatted(BULK_REPOSITORY_COUNT)}`);
    await expectRows(page, expectedPage(1));
    expect(await gradeOptionCounts(page)).toEqual(bulkGradeBuckets.map((bucket) => bulkGradeCounts[bucket]));

    await expect(pagination(page).locator('[aria-current="page"]')).toHaveText("Page 1");
    await expect(pagination(page).getByRole("link", { name: /^Page \d+$/ })).toHaveText(["Page 2", "Page 3", `Page ${lastPage}`]);
    await page.screenshot({ path: testInfo.outputPath("bulk-repositories.png"), fullPage: true });

    await pagination(page).getByRole("link", { name: `Page ${lastPage}`, exact: true }).click();
    await expect(page).toHaveURL(`${LIST}?page=${lastPage}`);
    await expect(page.getByTestId("repository-range")).toContainText(`${formatted(BULK_REPOSITORY_COUNT - PAGE_SIZE + 1)}–${formatted(BULK_REPOSITORY_COUNT)} of ${formatted(BULK_REPOSITORY_COUNT)}`);
    await expectRows(page, expectedPage(lastPage));
    await expect(pagination(page).getByRole("link", { name: "Next page" })).toHaveCount(0);
  });

  test("grade filter gives exact count", async ({ page }) => {
    await page.goto(LIST);
    const grades = page.getByRole("group", { name: "Grade" });
    await grades.getByRole("checkbox", { name: "Grade E" }).check();
    await grades.getByRole("checkbox", { name: "Grade F" }).check();
    await page.getByRole("button", { name: "Apply" }).click();

    await expect(page).toHaveURL(`${LIST}?grade=E&grade=F`);
    const total = bulkGradeCounts.E + bulkGradeCounts.F;
    await expect(page.getByTestId("repository-range")).toContainText(`1–${PAGE_SIZE} of ${formatted(total)}`);
    const isWorst = (repository: BulkRepository) => repository.grade === "E" || repository.grade === "F";
    await expectRows(page, expectedPage(1, isWorst));
    for (const grade of await rowGrades(page)) expect(["E", "F"]).toContain(grade);
    await expect(pagination(page).getByRole("link", { name: /^Page \d+$/ }).last()).toHaveText(`Page ${Math.ceil(total / PAGE_SIZE)}`);
    await expect(page.getByRole("group", { name: "Grade" }).getByRole("checkbox", { name: "Grade E" })).toBeChecked();
    await expect(page.getByRole("group", { name: "Grade" }).getByRole("checkbox", { name: "Grade A" })).not.toBeChecked();

    // A link to the grade "none" lists only the repositories that are not graded.
    await page.goto(`${LIST}?grade=none`);
    await expect(page.getByTestId("repository-range")).toContainText(`of ${formatted(bulkGradeCounts.none)}`);
    for (const grade of await rowGrades(page)) expect(grade).toBe("none");
  });

  test("failing-policy filter gives exact count", async ({ page }) => {
    const policy = "supply-chain-attestations";
    const fails = (repository: BulkRepository) => repository.failingPolicies.includes(policy);
    await page.goto(LIST);
    await page.getByLabel("Failing policy").selectOption(policy);
    await page.getByRole("button", { name: "Apply" }).click();

    await expect(page).toHaveURL(`${LIST}?failing=${policy}`);
    await expect(page.getByTestId("repository-range")).toContainText(`1–${PAGE_SIZE} of ${formatted(bulkFailingCounts[policy])}`);
    await expectRows(page, expectedPage(1, fails));
    await expect(page.getByLabel("Failing policy")).toHaveValue(policy);

    // The grade options count only the repositories that fail the policy.
    const failing = bulkRepositories.filter(fails);
    const perGrade = bulkGradeBuckets.map((bucket) => failing.filter((repository) => (repository.grade ?? "none") === bucket).length);
    expect(await gradeOptionCounts(page)).toEqual(perGrade);
  });

  test("name search narrows the list", async ({ page }) => {
    const matches = (text: string) => (repository: BulkRepository) => repository.name.slice(`${BULK_ORGANIZATION}/`.length).includes(text);
    const paymentsCount = bulkRepositories.filter(matches("payments")).length;
    expect(paymentsCount).toBeGreaterThan(PAGE_SIZE);
    expect(paymentsCount).toBeLessThan(BULK_REPOSITORY_COUNT);

    await page.goto(LIST);
    await page.getByLabel("Search by name").fill("payments");
    await page.getByLabel("Search by name").press("Enter");
    await expect(page).toHaveURL(`${LIST}?q=payments`);
    await expect(page.getByTestId("repository-range")).toContainText(`1–${PAGE_SIZE} of ${formatted(paymentsCount)}`);
    await expectRows(page, expectedPage(1, matches("payments")));

    // Each repository number appears in one name only.
    const only = bulkRepositories.filter(matches("00042")).map((repository) => repository.name);
    expect(only).toHaveLength(1);
    await page.getByLabel("Search by name").fill("00042");
    await page.getByLabel("Search by name").press("Enter");
    await expect(page).toHaveURL(`${LIST}?q=00042`);
    await expect(page.getByTestId("repository-range")).toContainText("1–1 of 1");
    await expectRows(page, only);
    await expect(pagination(page)).toHaveCount(0);
  });

  test("deep page renders its rows", async ({ page }, testInfo) => {
    await page.goto(`${LIST}?page=150`);
    await expect(page.locator("tr[data-repository]")).toHaveCount(PAGE_SIZE);
    await expect(page.getByTestId("repository-range")).toContainText(`7,451–7,500 of ${formatted(BULK_REPOSITORY_COUNT)}`);
    await expectRows(page, expectedPage(150));
    await expect(pagination(page).locator('[aria-current="page"]')).toHaveText("Page 150");
    await expect(pagination(page).getByRole("link", { name: /^Page \d+$/ })).toHaveText(["Page 1", "Page 148", "Page 149", "Page 151", "Page 152", "Page 200"]);
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath("bulk-page-150.png"), fullPage: true });
  });

  test("sort by grade puts A first", async ({ page }) => {
    await page.goto(LIST);
    await page.getByLabel("Sort by").selectOption({ label: "Grade, A first" });
    await page.getByRole("button", { name: "Apply" }).click();

    await expect(page).toHaveURL(`${LIST}?sort=grade`);
    await expectRows(page, expectedPage(1, undefined, byGrade));
    expect(await rowGrades(page)).toEqual(Array.from({ length: PAGE_SIZE }, () => "A"));

    // Repositories that are not graded come last.
    const lastPage = Math.ceil(BULK_REPOSITORY_COUNT / PAGE_SIZE);
    await page.goto(`${LIST}?sort=grade&page=${lastPage}`);
    await expectRows(page, expectedPage(lastPage, undefined, byGrade));
    expect(await rowGrades(page)).toEqual(Array.from({ length: PAGE_SIZE }, () => "none"));
  });

  test("overview charts match the fixture", async ({ page }, testInfo) => {
    await page.goto(`/orgs/${BULK_ORGANIZATION}`);
    await expect(page.getByRole("heading", { name: BULK_ORGANIZATION, level: 1 })).toBeVisible();
    await expect(page.getByTestId("repository-count")).toHaveText(`${BULK_REPOSITORY_COUNT} repositories.`);

    const present = bulkGradeBuckets.filter((bucket) => bulkGradeCounts[bucket] > 0);
    const bars = page.getByTestId("grade-distribution").locator("svg a[data-grade]");
    await expect(bars).toHaveCount(present.length);
    const barCounts = await bars.evaluateAll((links) => links.map((link) => [link.getAttribute("data-grade") ?? "", Number(link.getAttribute("data-count"))] as const));
    expect(Object.fromEntries(barCounts)).toEqual(Object.fromEntries(present.map((bucket) => [bucket, bulkGradeCounts[bucket]])));

    const trend = page.getByRole("img", { name: /Repositories per grade at the end of each day/ });
    await expect(trend.locator("svg").first()).toBeVisible();
    // The trend's table lists the newest day first. Its last day is today's grades, and its first day
    // shows the first grades, before the changes inside the window.
    expect(bulkChangesInWindow).toBeGreaterThan(0);
    expect(bulkFirstDayGradeCounts).not.toEqual(bulkGradeCounts);
    await page.getByText("Show the numbers as a table").click();
    const days = page.getByRole("table", { name: "Repositories per grade at the end of each day" }).locator("tbody tr");
    await expect(days).toHaveCount(90);
    await expect(days.first().getByRole("cell")).toHaveText(bulkGradeBuckets.map((bucket) => String(bulkGradeCounts[bucket])));
    await expect(days.last().getByRole("cell")).toHaveText(bulkGradeBuckets.map((bucket) => String(bulkFirstDayGradeCounts[bucket])));

    const policies = page.getByRole("list", { name: "Failing policies" }).locator("li[data-policy]");
    const mostFailingFirst = Object.entries(bulkFailingCounts).sort(([idA, a], [idB, b]) => b - a || (idA < idB ? -1 : 1));
    await expect(policies).toHaveCount(mostFailingFirst.length);
    for (const [index, [id, count]] of mostFailingFirst.entries()) {
      await expect(policies.nth(index)).toHaveAttribute("data-policy", id);
      await expect(policies.nth(index)).toContainText(`${count} repositories`);
    }

    await page.screenshot({ path: testInfo.outputPath("bulk-overview.png"), fullPage: true });
  });
});
