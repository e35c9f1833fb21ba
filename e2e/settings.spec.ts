import { expect, test } from "@playwright/test";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

test("owner invites a member who sets a password and signs in", async ({ page, browser }) => {
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/settings/members");
  const form = page.getByRole("form", { name: "Add a member" });
  await form.getByLabel("E-mail").fill("new.colleague@example.com");
  await form.getByRole("button", { name: "Add" }).click();
  const link = page.getByTestId("set-password-link");
  await expect(link).toBeVisible();
  const href = await link.getAttribute("href");
  expect(href).toMatch(/^\/set-password\?token=/);
  await expect(page.locator('tr[data-member="new.colleague@example.com"]')).toBeVisible();

  const invitee = await browser.newContext();
  const inviteePage = await invitee.newPage();
  await inviteePage.goto(href ?? "");
  await inviteePage.getByLabel("New password (at least 12 characters)").fill("colleague-password-1");
  await inviteePage.getByLabel("Repeat the password").fill("colleague-password-1");
  await inviteePage.getByRole("button", { name: "Set password" }).click();
  await expect(inviteePage.locator("main").getByRole("status")).toContainText("new.colleague@example.com");

  // The link works once only.
  await inviteePage.goto(href ?? "");
  await inviteePage.getByLabel("New password (at least 12 characters)").fill("another-password-2");
  await inviteePage.getByLabel("Repeat the password").fill("another-password-2");
  await inviteePage.getByRole("button", { name: "Set password" }).click();
  await expect(inviteePage.locator("main").getByRole("alert")).toContainText("invalid, expired or already used");

  await signIn(inviteePage, { email: "new.colleague@example.com", password: "colleague-password-1" });
  await inviteePage.goto("/orgs/demo/repositories");
  await expect(inviteePage.locator("tr[data-repository]")).toHaveCount(0);
  await invitee.close();

  await page.goto("/orgs/demo/settings/audit");
  await expect(page.locator('tr[data-action="member.added"]').first()).toContainText("new.colleague@example.com");
});

test("owner creates a team and grants it a repository", async ({ page }) => {
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/settings/teams");
  const create = page.getByRole("form", { name: "Create a team" });
  await create.getByLabel("Team name").fill("worker-admins");
  await create.getByRole("button", { name: "Create" }).click();
  const team = page.locator('section[data-team="worker-admins"]');
  await expect(team).toBeVisible();

  const permission = team.getByRole("form", { name: "Permission of worker-admins on demo/worker" });
  await permission.getByRole("combobox").selectOption("ADMIN");
  await permission.getByRole("button", { name: "Save" }).click();
  await expect(permission.getByRole("status")).toHaveText("Permission saved.");

  await page.goto("/orgs/demo/settings/audit");
  await expect(page.locator('tr[data-action="permission.changed"]').first()).toContainText("worker-admins on demo/worker");
});

test("sign-in rejects a wrong password without naming the account", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(users.member.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("main").getByRole("alert")).toHaveText("The e-mail or password is incorrect.");

  await page.getByLabel("E-mail").fill("nobody-here@example.com");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("main").getByRole("alert")).toHaveText("The e-mail or password is incorrect.");
});

test("owner removes a member after confirming", async ({ page }) => {
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/settings/members");
  const form = page.getByRole("form", { name: "Add a member" });
  await form.getByLabel("E-mail").fill("short.stay@example.com");
  await form.getByRole("button", { name: "Add" }).click();
  const row = page.locator('tr[data-member="short.stay@example.com"]');
  await expect(row).toBeVisible();

  page.once("dialog", (dialog) => void dialog.dismiss());
  await row.getByRole("button", { name: "Remove" }).click();
  await expect(row).toBeVisible();

  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Remove" }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Members", exact: true })).toHaveAttribute("aria-current", "page");
});
