import { expect, test } from "@playwright/test";
import { ssoEmail } from "@/e2e/oidc-provider";

// The e2e server runs a real OpenID Connect provider on loopback and configures it through OIDC_ISSUER.

test("single sign-on creates an account with no access", async ({ page }) => {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Test SSO" }).click();

  await page.locator('input[name="login"]').fill("carol");
  await page.locator('input[name="password"]').fill("any-password");
  await page.getByRole("button", { name: /sign-in/i }).click();
  await page.getByRole("button", { name: /continue/i }).click();

  await expect(page.getByTestId("viewer-email")).toHaveText(ssoEmail("carol"));
  const response = await page.goto("/orgs/demo/repositories");
  expect(response?.status()).toBe(404);
});
