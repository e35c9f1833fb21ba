import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// demo/worker:2.0 installs the npm packages marky-markdown 11.3.5 and mixin-deep 1.3.1; 2.1, pushed
// later, drops marky-markdown and updates mixin-deep to 1.3.2. The sample OSV records affect both of
// 2.0's packages (mixin-deep: CVE-2019-10746, fixed in 1.3.2) and neither of 2.1's. The demo/web tags
// share one Debian layer and differ only in configuration and attestations, so their packages are equal.
const WORKER_COMPARE = "/repository/demo/worker/compare?a=2.0&b=2.1";

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

/** Opens a comparison and reloads it until both images are analysed and graded, so both diffs are shown. */
async function openComparison(page: Page, url: string): Promise<void> {
  await expect(async () => {
    await page.goto(url);
    await expect(page.getByRole("heading", { name: "Vulnerabilities" })).toBeVisible({ timeout: 1_000 });
    await expect(page.getByTestId("packages-unavailable")).toHaveCount(0, { timeout: 1_000 });
    await expect(page.getByTestId("vulnerabilities-unavailable")).toHaveCount(0, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
}

test("worker versions differ in npm packages", async ({ page }, testInfo) => {
  await openComparison(page, WORKER_COMPARE);

  await expect(page.locator('section[data-side="a"]')).toContainText("2.0");
  await expect(page.locator('section[data-side="b"]')).toContainText("2.1");
  await expect(page.getByTestId("platform-a")).toHaveText("linux/amd64");
  await expect(page.getByTestId("identical")).toHaveCount(0);

  const changed = page.getByTestId("packages-changed").locator('tr[data-package="mixin-deep"]');
  await expect(changed.getByRole("cell")).toHaveText(["npm", "1.3.1", "1.3.2"]);
  const removed = page.getByTestId("packages-removed").locator('tr[data-package="marky-markdown"]');
  await expect(removed.getByRole("cell")).toHaveText(["npm", "11.3.5"]);
  await expect(page.getByTestId("packages-added")).toHaveCount(0);
  await expect(page.getByTestId("package-counts")).toContainText("1 changed, 0 added, 1 removed");

  const fixed = page.getByTestId("vulnerabilities-fixed");
  await expect(fixed.locator('tr[data-package="mixin-deep"]')).toHaveAttribute("data-vulnerability", "CVE-2019-10746");
  await expect(fixed.locator('tr[data-package="mixin-deep"]')).toContainText("1.3.2");
  await expect(fixed.locator('tr[data-package="marky-markdown"]')).toHaveCount(1);
  await expect(page.getByTestId("vulnerabilities-introduced")).toHaveText("Introduced in B: 0.");

  // Both images have the same configuration and no attestations, so every policy keeps its status.
  const policies = page.locator("tr[data-policy]");
  await expect(policies).toHaveCount(7);
  await expect(page.getByRole("table").filter({ has: policies.first() }).locator("caption")).toHaveText("No policy changed its status.");

  await expectNoSeriousViolations(page);
  await page.screenshot({ path: testInfo.outputPath("compare-worker.png"), fullPage: true });
});

test("ticking two tags opens the comparison", async ({ page }) => {
  await page.goto("/repository/demo/worker/tags");
  // The list shows the newest push first, 2.1 above 2.0; the comparison still puts the older push in A.
  await page.getByRole("checkbox", { name: "Select 2.1 to compare" }).check();
  await page.getByRole("checkbox", { name: "Select 2.0 to compare" }).check();
  await page.getByRole("form", { name: "Compare tags" }).getByRole("button", { name: "Compare" }).click();

  await expect(page).toHaveURL(/\/repository\/demo\/worker\/compare\?a=2\.0&b=2\.1$/);
  await expect(page.getByLabel("Tag A (old)")).toHaveValue("2.0");
  await expect(page.getByLabel("Tag B (new)")).toHaveValue("2.1");
});

test("one ticked tag asks for two", async ({ page }) => {
  await page.goto("/repository/demo/worker/tags");
  await page.getByRole("checkbox", { name: "Select 2.0 to compare" }).check();
  await page.getByRole("form", { name: "Compare tags" }).getByRole("button", { name: "Compare" }).click();

  await expect(page).toHaveURL(/\/compare\?tag=2\.0$/);
  await expect(page.getByRole("main").getByRole("alert")).toContainText('Select two tags to compare: only "2.0" was selected.');
});

test("bad parameters name the value", async ({ page }, testInfo) => {
  await page.goto("/repository/demo/worker/compare?a=2.0&b=no-such-tag");
  const alert = page.getByRole("main").getByRole("alert");
  await expect(alert).toContainText('Tag "no-such-tag" (B) was not found in demo/worker.');
  await expect(page.getByLabel("Tag B (new)")).toHaveValue("no-such-tag");
  await expectNoSeriousViolations(page);
  await page.screenshot({ path: testInfo.outputPath("compare-unknown-tag.png"), fullPage: true });

  await page.goto("/repository/demo/worker/compare?a=2.0");
  await expect(alert).toContainText("Tag B is missing: give b=TAG or b=TAG@PLATFORM");

  await page.goto("/repository/demo/worker/compare?a=2.0@linux/s390x&b=2.1");
  await expect(alert).toContainText('Tag "2.0" (A) has no platform "linux/s390x". Use one of: linux/amd64.');

  await page.goto("/repository/demo/worker/compare?a=bad%20tag&b=2.1");
  await expect(alert).toContainText('Tag A "bad tag" is not a valid tag name');
});

test("same tag twice is identical", async ({ page }) => {
  await page.goto("/repository/demo/worker/compare?a=2.1&b=2.1");
  await expect(page.getByTestId("identical")).toContainText("A and B are identical");
  await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);
});

test("multi-platform tag compares a named platform", async ({ page }) => {
  await page.goto("/repository/demo/multi-arch/compare?a=latest@linux/amd64&b=latest@linux/arm64/v8");
  await expect(page.getByTestId("platform-a")).toContainText("linux/amd64");
  await expect(page.getByTestId("platform-b")).toContainText("linux/arm64/v8");
  await expect(page.getByTestId("identical")).toHaveCount(0);
  // The amd64 image sets the user `nobody`, and the arm64 image sets none, so it runs as root.
  await expect(page.locator('tr[data-policy="default-non-root-user"]')).toHaveAttribute("data-from", "pass");
  await expect(page.locator('tr[data-policy="default-non-root-user"]')).toHaveAttribute("data-to", "fail");
});
