import { expect, test, type Page } from "@playwright/test";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

/** Returns the date `days` from today in UTC, in the YYYY-MM-DD form a date input takes. */
function dateInDays(days: number): string {
  return new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/** Adds an exception through the form. Pass the id in its stored form, because the success message repeats it. */
async function addException(page: Page, fields: { vulnerabilityId: string; reason: string; expiresOn?: string }) {
  const form = page.getByRole("form", { name: "Add an exception" });
  await form.getByLabel("Vulnerability id").fill(fields.vulnerabilityId);
  await form.getByLabel("Reason").fill(fields.reason);
  if (fields.expiresOn) await form.getByLabel("Expiry date").fill(fields.expiresOn);
  await form.getByRole("button", { name: "Add exception" }).click();
  await expect(form.getByRole("status")).toContainText(`Exception for ${fields.vulnerabilityId} added.`);
}

test("owner adds, lists and revokes an exception", async ({ page }) => {
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/settings/exceptions");
  await expect(page.getByRole("link", { name: "Exceptions", exact: true })).toHaveAttribute("aria-current", "page");

  const form = page.getByRole("form", { name: "Add an exception" });
  const expiresOn = dateInDays(30);
  await form.getByLabel("Vulnerability id").fill("CVE-21-44228");
  await form.getByLabel("Repository").selectOption("demo/web");
  await form.getByLabel("Tag pattern").fill("1.*");
  await form.getByLabel("Package pattern").fill("pkg:maven/org.apache.logging.log4j/log4j-core*");
  await form.getByLabel("Reason").fill("JNDI lookups are disabled with log4j2.formatMsgNoLookups=true.");
  await form.getByLabel("Expiry date").fill(expiresOn);
  await form.getByRole("button", { name: "Add exception" }).click();

  // The bad id is named with its fix, and every value stays in the form.
  await expect(page.locator("main").getByRole("alert")).toHaveText("The exception was not added. Fix the field marked below.");
  await expect(form.locator('[data-field-error="vulnerabilityId"]')).toContainText('Vulnerability id "CVE-21-44228" is not a valid CVE id');
  await expect(form.locator('[data-field-error="vulnerabilityId"]')).toContainText("such as CVE-2024-3094");
  await expect(form.getByLabel("Vulnerability id")).toHaveValue("CVE-21-44228");
  await expect(form.getByLabel("Vulnerability id")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Vulnerability id")).toBeFocused();
  await expect(form.getByLabel("Repository")).toHaveValue("demo/web");
  await expect(form.getByLabel("Tag pattern")).toHaveValue("1.*");
  await expect(form.getByLabel("Package pattern")).toHaveValue("pkg:maven/org.apache.logging.log4j/log4j-core*");
  await expect(form.getByLabel("Reason")).toHaveValue("JNDI lookups are disabled with log4j2.formatMsgNoLookups=true.");
  await expect(form.getByLabel("Expiry date")).toHaveValue(expiresOn);

  await form.getByLabel("Vulnerability id").fill("cve-2021-44228");
  await form.getByRole("button", { name: "Add exception" }).click();
  await expect(form.getByRole("status")).toContainText("Exception for CVE-2021-44228 added.");
  await expect(form.getByLabel("Vulnerability id")).toHaveValue("");
  await expect(form.locator("[data-field-error]")).toHaveCount(0);

  const row = page.locator('tr[data-exception="CVE-2021-44228"]');
  await expect(row).toHaveAttribute("data-state", "active");
  await expect(row).toContainText("Active");
  await expect(row).toContainText("demo/web");
  await expect(row).toContainText("Tags 1.*");
  await expect(row).toContainText("Packages pkg:maven/org.apache.logging.log4j/log4j-core*");
  await expect(row).toContainText("log4j2.formatMsgNoLookups=true");
  await expect(row).toContainText(users.owner.email);
  await expect(row).toContainText(`${expiresOn} 23:59 UTC`);

  await addException(page, { vulnerabilityId: "GHSA-jfh8-c2jp-5v3q", reason: "Only the test stage uses this package.", expiresOn: dateInDays(3) });
  const expiring = page.locator('tr[data-exception="GHSA-jfh8-c2jp-5v3q"]');
  await expect(expiring).toHaveAttribute("data-state", "expiring");
  await expect(expiring).toContainText("Expires within 7 days");
  await expect(expiring).toContainText("All repositories");

  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toHaveCount(0);
  await expect(page.locator("main")).toContainText("1 expired or revoked exception is hidden.");

  await page.getByRole("link", { name: "Show all" }).click();
  await expect(page.getByRole("link", { name: "Show all" })).toHaveAttribute("aria-current", "page");
  await expect(row).toHaveAttribute("data-state", "revoked");
  await expect(row).toContainText("Revoked");
  await expect(row.getByRole("button", { name: "Revoke" })).toHaveCount(0);
  await expect(expiring).toHaveAttribute("data-state", "expiring");

  await page.goto("/orgs/demo/settings/audit");
  await expect(page.locator('tr[data-action="exception.added"]').filter({ hasText: "CVE-2021-44228" })).toHaveCount(1);
  await expect(page.locator('tr[data-action="exception.revoked"]').filter({ hasText: "CVE-2021-44228" })).toHaveCount(1);
});

test("bad pattern and reason keep the other values", async ({ page }) => {
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/settings/exceptions");
  const form = page.getByRole("form", { name: "Add an exception" });
  await form.getByLabel("Vulnerability id").fill("CVE-2023-44487");
  await form.getByLabel("Tag pattern").fill("release-[");
  await form.getByLabel("Reason").fill("   ");
  await form.getByRole("button", { name: "Add exception" }).click();

  await expect(page.locator("main").getByRole("alert")).toHaveText("The exception was not added. Fix the 2 fields marked below.");
  await expect(form.locator('[data-field-error="tagPattern"]')).toContainText('Tag pattern "release-[" is not a valid glob');
  await expect(form.locator('[data-field-error="reason"]')).toContainText("Reason is required.");
  await expect(form.getByLabel("Tag pattern")).toBeFocused();
  await expect(form.getByLabel("Vulnerability id")).toHaveValue("CVE-2023-44487");
  await expect(page.locator('tr[data-exception="CVE-2023-44487"]')).toHaveCount(0);
});

test("another organization's exception cannot be revoked", async ({ page, browser }) => {
  // The owner of "other" adds an exception there, and its id is in its revoke form.
  const outsiderContext = await browser.newContext();
  const outsider = await outsiderContext.newPage();
  await signIn(outsider, users.outsider);
  await outsider.goto("/orgs/other/settings/exceptions");
  await addException(outsider, { vulnerabilityId: "CVE-2024-47176", reason: "cups-browsed is not installed." });
  const otherRow = outsider.locator('tr[data-exception="CVE-2024-47176"]');
  const otherId = await otherRow.locator('input[name="exceptionId"]').inputValue();

  // The demo owner puts that id into a revoke form of their own organization.
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/settings/exceptions");
  await addException(page, { vulnerabilityId: "CVE-2024-47177", reason: "Printing is disabled in these images." });
  const ownRow = page.locator('tr[data-exception="CVE-2024-47177"]');
  await ownRow.locator('input[name="exceptionId"]').evaluate((input, id) => {
    (input as HTMLInputElement).value = id;
  }, otherId);
  page.once("dialog", (dialog) => void dialog.accept());
  await ownRow.getByRole("button", { name: "Revoke" }).click();
  await expect(ownRow.getByRole("status")).toHaveText("That exception was not found in demo. Reload the page to see the current list.");

  await outsider.reload();
  await expect(otherRow).toHaveAttribute("data-state", "active");
  await page.reload();
  await expect(ownRow).toHaveAttribute("data-state", "active");
  await outsiderContext.close();
});

test("member cannot open the exceptions page", async ({ page }) => {
  await signIn(page, users.member);
  const response = await page.goto("/orgs/demo/settings/exceptions");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Add an exception" })).toHaveCount(0);
});
