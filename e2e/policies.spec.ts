import { expect, test, type Page } from "@playwright/test";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

const settingsPath = "/orgs/demo/settings/policies";

function policyForm(page: Page) {
  return page.getByRole("form", { name: "Policy configuration" });
}

/** Finds the weight input of one policy through the policy's fieldset. */
function weightOf(page: Page, policyTitle: string) {
  return policyForm(page).getByRole("group", { name: policyTitle }).getByLabel("Weight");
}

/** Previews, then saves after accepting the confirmation, and returns the confirmation's text. */
async function previewAndSave(page: Page, version: number): Promise<string> {
  const form = policyForm(page);
  await form.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("policy-preview")).toBeVisible();
  let confirmation = "";
  page.once("dialog", (dialog) => {
    confirmation = dialog.message();
    void dialog.accept();
  });
  await form.getByRole("button", { name: `Save as version ${version}` }).click();
  await expect(form.getByRole("status")).toContainText(`Saved version ${version}.`);
  return confirmation;
}

test("owner previews and saves a weight change", async ({ page }) => {
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/repositories");
  const multiArchGrade = page.locator('tr[data-repository="demo/multi-arch"] [data-grade]');
  const gradeBefore = await multiArchGrade.getAttribute("data-grade");

  await page.goto(settingsPath);
  await expect(page.getByRole("link", { name: "Policies", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("policy-version")).toHaveText("Version 1, the built-in default.");
  const form = policyForm(page);
  const save = form.getByRole("button", { name: "Save as version 2" });
  await expect(save).toBeDisabled();

  await weightOf(page, "Default non-root user").fill("0");
  await form.getByRole("button", { name: "Preview" }).click();

  // demo/web:1.0 runs as root; demo/multi-arch:latest takes its arm64 image, which runs as root too.
  const preview = page.getByTestId("policy-preview");
  await expect(preview.getByRole("heading", { name: "Preview against version 1" })).toBeVisible();
  await expect(preview.locator('li[data-option="default-non-root-user.weight"]')).toHaveText("Default non-root user: Weight: 5 → 0");
  const moves = preview.getByRole("list", { name: "Tag grade moves" }).locator("li");
  await expect(moves.first()).toHaveText(/^\d+ tags? [A-F] → [A-F]$/);
  const changedWeb = preview.locator('tr[data-changed-tag="demo/web:1.0"]');
  await expect(changedWeb).toBeVisible();
  const changedMultiArch = preview.locator('tr[data-changed-tag="demo/multi-arch:latest"] [data-grade]');
  await expect(changedMultiArch).toHaveCount(2);
  await expect(changedMultiArch.first()).toHaveAttribute("data-grade", gradeBefore ?? "none");
  const gradeAfter = await changedMultiArch.last().getAttribute("data-grade");
  expect(gradeAfter).not.toBe(gradeBefore);
  await expect(form.getByRole("status")).toContainText("Check the changes below, then save.");

  // An edit after the preview disables Save until the next preview.
  await weightOf(page, "Default non-root user").fill("1");
  await expect(page.getByTestId("preview-stale")).toBeVisible();
  await expect(save).toBeDisabled();
  await weightOf(page, "Default non-root user").fill("0");

  const confirmation = await previewAndSave(page, 2);
  expect(confirmation).toMatch(/^Save these settings as version 2\? \d+ tags change grade/);
  await expect(page.getByTestId("policy-version")).toContainText(`Version 2, saved by ${users.owner.email} on `);
  await expect(weightOf(page, "Default non-root user")).toHaveValue("0");

  await page.goto("/orgs/demo/repositories");
  await expect(multiArchGrade).toHaveAttribute("data-grade", gradeAfter ?? "none");

  await page.goto("/orgs/demo/settings/audit");
  await expect(page.locator('tr[data-action="policy.changed"]').first()).toContainText("version 2");

  // Restores the default weights as version 3, so later specs see the sample grades.
  await page.goto(settingsPath);
  await weightOf(page, "Default non-root user").fill("5");
  await previewAndSave(page, 3);
  await page.goto("/orgs/demo/repositories");
  await expect(multiArchGrade).toHaveAttribute("data-grade", gradeBefore ?? "none");
});

test("bad CVE shows its message and keeps the other values", async ({ page }) => {
  await signIn(page, users.owner);
  await page.goto(settingsPath);
  const form = policyForm(page);
  const highProfile = form.getByRole("group", { name: "No high-profile vulnerabilities" });
  const cves = highProfile.getByLabel("High-profile CVEs");
  const listed = await cves.inputValue();
  const typedCves = `${listed}\nCVE-21-44228`;

  await cves.fill(typedCves);
  await highProfile.getByLabel("Excluded CVEs").fill("CVE-2023-44487");
  await highProfile.getByLabel("Fail on every CVE in CISA's Known Exploited Vulnerabilities (KEV) catalog").uncheck();
  await weightOf(page, "Supply chain attestations").fill("12");
  await form.getByRole("group", { name: "Package types to check" }).getByLabel("npm").check();
  await form.getByLabel("Approved base images").fill("docker.io/library/debian:12-slim\ndocker.io/library/node:*-slim");
  await form.getByRole("button", { name: "Preview" }).click();

  const line = listed.split("\n").length + 1;
  await expect(page.locator("main").getByRole("alert")).toHaveText("The settings were not previewed. Fix the field marked below.");
  await expect(form.locator('[data-field-error="no-high-profile-vulnerabilities.cves"]')).toHaveText(
    `Line ${line} must be a CVE id such as "CVE-2021-44228", not "CVE-21-44228".`,
  );
  await expect(cves).toHaveAttribute("aria-invalid", "true");
  await expect(cves).toBeFocused();
  await expect(cves).toHaveValue(typedCves);
  await expect(highProfile.getByLabel("Excluded CVEs")).toHaveValue("CVE-2023-44487");
  await expect(highProfile.getByLabel("Fail on every CVE in CISA's Known Exploited Vulnerabilities (KEV) catalog")).not.toBeChecked();
  await expect(weightOf(page, "Supply chain attestations")).toHaveValue("12");
  await expect(form.getByRole("group", { name: "Package types to check" }).getByLabel("npm")).toBeChecked();
  await expect(form.getByLabel("Approved base images")).toHaveValue("docker.io/library/debian:12-slim\ndocker.io/library/node:*-slim");
  await expect(page.getByTestId("policy-preview")).toHaveCount(0);
  await expect(form.getByRole("button", { name: "Save as version", exact: false })).toBeDisabled();

  // Fixing the line is enough for a preview; nothing is saved.
  await cves.fill(`${listed}\nCVE-2021-44228`);
  await form.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("policy-preview")).toBeVisible();
  await expect(form.locator("[data-field-error]")).toHaveCount(0);
  await page.reload();
  await expect(weightOf(page, "Supply chain attestations")).toHaveValue("15");
});

test("member cannot open the policies page", async ({ page }) => {
  await signIn(page, users.member);
  const response = await page.goto(settingsPath);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Policy configuration" })).toHaveCount(0);
});
