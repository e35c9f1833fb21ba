import { expect, type Page } from "@playwright/test";

/** Signs in through the sign-in page and waits until the session is in place. */
export async function signIn(page: Page, account: { email: string; password: string }): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("viewer-email")).toHaveText(account.email);
}
