import { expect, test } from "@playwright/test";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The e2e server syncs the sample images from a real registry before the tests start.

test.beforeEach(async ({ page }) => {
  await signIn(page, users.owner);
});

test("repository list shows grade badges", async ({ page }) => {
  await page.goto("/orgs/demo/repositories");
  await expect(page.getByRole("heading", { name: "demo", level: 1 })).toBeVisible();
  const web = page.locator('tr[data-repository="demo/web"]');
  await expect(web).toBeVisible();
  await expect(web.locator("[data-grade]")).toHaveAttribute("data-grade", /^[A-F]$/);
  await expect(page.locator("tr[data-repository]")).toHaveCount(4);
});

test("repository, tags and tag view show the grade breakdown", async ({ page }) => {
  await page.goto("/orgs/demo/repositories");
  await page.getByRole("link", { name: "demo/web" }).click();
  await expect(page).toHaveURL(/\/repository\/demo\/web\/general$/);
  await expect(page.getByRole("heading", { name: /Grade of the latest tag/ })).toBeVisible();
  await expect(page.getByRole("list", { name: "Policies" }).locator("li")).toHaveCount(7);

  await page.getByRole("navigation", { name: "Repository" }).getByRole("link", { name: "Tags" }).click();
  await expect(page).toHaveURL(/\/repository\/demo\/web\/tags$/);
  await expect(page.locator("tr[data-tag]")).toHaveCount(3);

  await page.locator('tr[data-tag="1.0"]').getByRole("link", { name: "1.0" }).click();
  await expect(page).toHaveURL(/\/repository\/demo\/web\/tags\/1\.0$/);
  await expect(page.getByRole("heading", { name: "demo/web:1.0" })).toBeVisible();
  await expect(page.getByTestId("score-sum").first()).toHaveText("45 of 90 points = 50 % → D");
  const nonRoot = page.locator('li[data-policy="default-non-root-user"]').first();
  await expect(nonRoot).toHaveAttribute("data-status", "fail");
  await expect(nonRoot).toContainText("USER");
  const attestations = page.locator('li[data-policy="supply-chain-attestations"]').first();
  await expect(attestations).toHaveAttribute("data-status", "fail");
  await expect(attestations).toContainText("--provenance=mode=max");
  // Analysed, and no imported advisory names its packages. The base image is unknown, but Debian 12's
  // regular security support ended on 2026-06-10, which fails the end-of-life check of the base-image policy.
  await expect(page.locator('li[data-policy="no-fixable-critical-high"]').first()).toHaveAttribute("data-status", "pass");
  const unapproved = page.locator('li[data-policy="no-unapproved-base-images"]').first();
  await expect(unapproved).toHaveAttribute("data-status", "fail");
  await expect(unapproved).toContainText("end of life");
});

test("well-built tag passes every policy that decides", async ({ page }) => {
  await page.goto("/repository/demo/web/tags/1.1");
  await expect(page.getByTestId("score-sum").first()).toHaveText("65 of 90 points = 72.2 % → B");
  await expect(page.locator('li[data-policy="default-non-root-user"]').first()).toHaveAttribute("data-status", "pass");
  await expect(page.locator('li[data-policy="supply-chain-attestations"]').first()).toHaveAttribute("data-status", "pass");
  await expect(page.getByTestId("base-image").first()).toHaveText(/docker\.io\/library\/debian:12-slim.*\(from provenance\)/);
});

test("multi-platform tag shows each platform", async ({ page }) => {
  await page.goto("/repository/demo/multi-arch/tags/latest");
  // The tag view shows one platform at a time, and the switcher links to each.
  const switcher = page.getByRole("navigation", { name: "Platforms" });
  await expect(switcher.getByRole("link")).toHaveCount(2);
  await expect(page.locator("section[data-platform]")).toHaveCount(1);
  for (const platform of ["linux/amd64", "linux/arm64/v8"]) {
    await switcher.locator(`[data-platform-link="${platform}"]`).click();
    await expect(page.locator(`section[data-platform="${platform}"]`)).toBeVisible();
  }
});

test("unknown repository answers 404", async ({ page }) => {
  const response = await page.goto("/repository/demo/does-not-exist/general");
  expect(response?.status()).toBe(404);
});
