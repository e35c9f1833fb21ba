import { expect, test } from "@playwright/test";

import { expectNoSeriousViolations } from "@/e2e/axe-check";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The member may read demo/web through a team, and not demo/worker.
test("member creates, uses and revokes a token", async ({ page, request }) => {
  await signIn(page, users.member);
  await page.getByRole("link", { name: "Access tokens" }).click();
  await expect(page.getByRole("heading", { name: "Access tokens", level: 1 })).toBeVisible();

  const form = page.getByRole("form", { name: "Create a token" });
  await form.getByLabel("Name").fill("e2e pipeline");
  await form.getByLabel("Expires after").selectOption("30");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByRole("status").filter({ hasText: "created" })).toContainText("Copy it now: it is not shown again.");
  const token = (await page.getByTestId("new-token").textContent()) ?? "";
  expect(token).toMatch(/^shp_[A-Za-z0-9_-]{43}$/);

  const row = page.locator('tr[data-token="e2e pipeline"]');
  await expect(row).toContainText("Active");
  await expect(row).toContainText(token.slice(0, 12));
  await expect(row).not.toContainText(token);
  await expectNoSeriousViolations(page);

  // The token is shown once: after a reload only its prefix is listed.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.locator("main")).not.toContainText(token);

  const headers = { Authorization: `Bearer ${token}` };
  const tags = await request.get("/api/v1/repositories/demo/web/tags", { headers });
  expect(tags.status()).toBe(200);
  const body = (await tags.json()) as { repository: string; tags: { name: string }[] };
  expect(body.repository).toBe("demo/web");
  expect(body.tags.length).toBeGreaterThan(0);

  const hidden = await request.get("/api/v1/repositories/demo/worker/tags", { headers });
  expect(hidden.status()).toBe(404);

  await page.reload();
  await expect(page.locator('tr[data-token="e2e pipeline"] td').nth(5), "last used").not.toHaveText("Never");
  page.once("dialog", (dialog) => void dialog.accept());
  await page.locator('tr[data-token="e2e pipeline"]').getByRole("button", { name: "Revoke" }).click();
  await expect(page.locator('tr[data-token="e2e pipeline"]')).toContainText("Revoked");
  await expect(page.locator('li[data-action="token.revoked"]').first()).toContainText("revoked e2e pipeline");

  const revoked = await request.get("/api/v1/repositories/demo/web/tags", { headers });
  expect(revoked.status()).toBe(401);
  expect(revoked.headers()["www-authenticate"]).toContain("Bearer");
  const error = (await revoked.json()) as { error: { code: string; message: string } };
  expect(error.error.code).toBe("UNAUTHORIZED");
  expect(error.error.message).toContain("was revoked");
});

test("API without a token is 401", async ({ request }) => {
  const response = await request.get("/api/v1/orgs");
  expect(response.status()).toBe(401);
  expect(response.headers()["www-authenticate"]).toBe('Bearer realm="shipshape"');
});

test("OpenAPI document is public", async ({ request }) => {
  const response = await request.get("/api/v1/openapi.json");
  expect(response.status()).toBe(200);
  expect(((await response.json()) as { openapi: string }).openapi).toBe("3.1.0");
});
