import { expect, test, type Page } from "@playwright/test";

import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The e2e server syncs the sample images, then imports the OSV records in lib/advisories/testdata/osv and
// re-grades the images they affect. demo/worker:2.0 installs mixin-deep 1.3.1 (GHSA-fhjf-83wg-r2j9,
// CVE-2019-10746, fixed in 1.3.2) and marky-markdown (GHSA-pxmp-fwjc-4x7q, no fix). Neither record rates
// its severity, so both findings are "unspecified".
const WORKER_PATH = "/repository/demo/worker/tags/2.0";

test.beforeEach(async ({ page }) => {
  await signIn(page, users.owner);
});

function vulnerabilities(page: Page) {
  return page.getByTestId("vulnerabilities");
}

function rows(page: Page) {
  return vulnerabilities(page).locator("tr[data-vulnerability]");
}

async function apply(page: Page) {
  await vulnerabilities(page).getByRole("button", { name: "Apply" }).click();
}

test("counts header sums the findings by severity", async ({ page }) => {
  await page.goto(WORKER_PATH);

  const counts = page.getByRole("list", { name: "Vulnerabilities by severity" });
  await expect(counts.locator('[data-count-of="critical"]')).toHaveText("0 critical");
  await expect(counts.locator('[data-count-of="high"]')).toHaveText("0 high");
  await expect(counts.locator('[data-count-of="unspecified"]')).toHaveText("2 unspecified");
  await expect(counts.locator('[data-count-of="fixable"]')).toHaveText("1 fixable");
  await expect(counts.locator('[data-count-of="suppressed"]')).toHaveCount(0);
  // The findings come from a report graded on the imported advisories (later specs may re-grade it for a policy change).
  await expect(vulnerabilities(page).getByTestId("vulnerabilities-report")).toContainText("advisory snapshot");
});

test("table lists the mixin-deep finding with its fix", async ({ page }) => {
  await page.goto(WORKER_PATH);

  const table = page.getByRole("table", { name: /^Vulnerabilities of linux\/amd64/ });
  await expect(table.getByRole("columnheader")).toHaveText(["Vulnerability", "Package", "Installed", "Fixed in", "Severity", "KEV", "Published", "Suppression"]);
  await expect(rows(page)).toHaveCount(2);

  const mixinDeep = table.locator('tr[data-vulnerability="CVE-2019-10746"]');
  await expect(mixinDeep.getByRole("rowheader")).toHaveText(/^CVE-2019-10746\s*GHSA-fhjf-83wg-r2j9$/);
  await expect(mixinDeep.getByRole("cell").nth(0)).toHaveText(/^mixin-deep\s*npm$/);
  await expect(mixinDeep.getByRole("cell").nth(1)).toHaveText("1.3.1");
  await expect(mixinDeep.getByRole("cell").nth(2)).toHaveText("1.3.2");
  await expect(mixinDeep.getByRole("cell").nth(3)).toHaveText("Unspecified");
  await expect(mixinDeep.getByRole("cell").nth(4)).toHaveText("—not listed");
  await expect(mixinDeep.getByRole("cell").nth(5)).toHaveText("2019-08-27");

  const markyMarkdown = table.locator('tr[data-vulnerability="GHSA-pxmp-fwjc-4x7q"]');
  await expect(markyMarkdown.getByRole("cell").nth(2)).toHaveText("no fix");
});

test("severity filter is kept in a shared link", async ({ page }) => {
  await page.goto(WORKER_PATH);

  await vulnerabilities(page).getByRole("checkbox", { name: /^Critical/ }).check();
  await vulnerabilities(page).getByRole("checkbox", { name: /^High/ }).check();
  await apply(page);
  await expect(page).toHaveURL(/[?&]severity=critical&severity=high(&|#|$)/);
  await expect(vulnerabilities(page).getByTestId("vulnerabilities-empty")).toHaveText(/No vulnerabilities match these filters/);

  await vulnerabilities(page).getByRole("checkbox", { name: /^Critical/ }).uncheck();
  await vulnerabilities(page).getByRole("checkbox", { name: /^High/ }).uncheck();
  await vulnerabilities(page).getByRole("checkbox", { name: /^Unspecified/ }).check();
  await apply(page);
  await expect(page).toHaveURL(/[?&]severity=unspecified(&|#|$)/);
  await expect(rows(page)).toHaveCount(2);

  // Opening the same URL in a fresh page shows the same filtered view.
  const shared = await page.context().newPage();
  await shared.goto(page.url());
  await expect(vulnerabilities(shared).getByRole("checkbox", { name: /^Unspecified/ })).toBeChecked();
  await expect(vulnerabilities(shared).getByRole("checkbox", { name: /^Critical/ })).not.toBeChecked();
  await expect(rows(shared)).toHaveCount(2);
  await shared.close();
});

test("fixable filter leaves out findings without a fix", async ({ page }) => {
  await page.goto(WORKER_PATH);

  await vulnerabilities(page).getByRole("checkbox", { name: "Fixable only" }).check();
  await apply(page);

  await expect(page).toHaveURL(/[?&]fixable=1(&|#|$)/);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute("data-vulnerability", "CVE-2019-10746");
  await expect(vulnerabilities(page).getByRole("checkbox", { name: "Fixable only" })).toBeChecked();
});

test("search finds a finding by CVE id", async ({ page }) => {
  await page.goto(WORKER_PATH);

  await vulnerabilities(page).getByLabel("CVE, alias or package").fill("cve-2019-10746");
  await apply(page);

  await expect(page).toHaveURL(/[?&]vq=cve-2019-10746(&|#|$)/);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute("data-vulnerability", "CVE-2019-10746");

  await vulnerabilities(page).getByLabel("CVE, alias or package").fill("GHSA-fhjf-83wg-r2j9");
  await apply(page);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute("data-vulnerability", "CVE-2019-10746");
});

test("filtering vulnerabilities keeps the package filter", async ({ page }) => {
  await page.goto(`${WORKER_PATH}?type=npm`);

  await vulnerabilities(page).getByRole("checkbox", { name: "Fixable only" }).check();
  await apply(page);

  await expect(page).toHaveURL(/[?&]type=npm(&|#|$)/);
  await expect(page.locator('tr[data-package]:not([data-package-type="npm"])')).toHaveCount(0);
  await expect(page.locator('tr[data-package="mixin-deep"]')).toBeVisible();
  await expect(rows(page)).toHaveCount(1);
});

test("invalid vulnerability filter is reported and ignored", async ({ page }) => {
  await page.goto(`${WORKER_PATH}?severity=urgent`);

  await expect(vulnerabilities(page).getByTestId("vulnerability-query-problems")).toContainText('Ignored the severity "urgent"');
  await expect(rows(page)).toHaveCount(2);
});

test("CVSS severity shows its score and source", async ({ page }) => {
  // CVE-2018-5407 rates openssl in Alpine 3.4 with a CVSS v3.1 vector of base score 4.7.
  await page.goto("/repository/demo/alpine-tools/tags/3.4");

  const row = rows(page).first();
  await expect(row).toHaveAttribute("data-vulnerability", "CVE-2018-5407");
  await expect(row.getByRole("cell").nth(3)).toContainText("Medium4.7");
  await expect(row.getByRole("cell").nth(3)).toContainText("CVSS_V3 from CVE-2018-5407");
  await expect(page.getByRole("list", { name: "Vulnerabilities by severity" }).locator('[data-count-of="medium"]')).not.toHaveText("0 medium");
});

test("image without findings says so", async ({ page }) => {
  await page.goto("/repository/demo/web/tags/1.0");

  const state = vulnerabilities(page).getByTestId("vulnerabilities-state");
  await expect(state).toHaveAttribute("data-state", "none-known");
  await expect(state).toHaveText(/^No known vulnerabilities in the imported advisories \(snapshot \S+, imported \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)\.$/);
  await expect(page.getByRole("table", { name: /^Vulnerabilities of / })).toHaveCount(0);
});
