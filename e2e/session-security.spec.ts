import { expect, test } from "@playwright/test";
import { leaver, users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

test("signing out ends a copied session cookie", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, leaver);
  const cookies = await context.cookies();
  expect(cookies.some((cookie) => cookie.name.endsWith("next-auth.session-token") && cookie.httpOnly)).toBe(true);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);

  const replay = await browser.newContext();
  await replay.addCookies(cookies.map((cookie) => ({ ...cookie, url: baseURL ?? "http://127.0.0.1" , domain: undefined, path: undefined })));
  const replayPage = await replay.newPage();
  await replayPage.goto("/");
  expect(new URL(replayPage.url()).pathname).toBe("/signin");
  await replay.close();
  await context.close();
});

test("sign-in never redirects to another site", async ({ page }) => {
  for (const target of ["/\\evil.example.com/x", "//evil.example.com/x", "https://evil.example.com/", "/%09/evil.example.com"]) {
    await page.context().clearCookies();
    await page.goto(`/signin?callbackUrl=${encodeURIComponent(target)}`);
    await page.getByLabel("E-mail").fill(users.member.email);
    await page.getByLabel("Password").fill(users.member.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("viewer-email")).toHaveText(users.member.email);
    expect(new URL(page.url()).host, target).toBe(new URL(page.url()).host);
    expect(new URL(page.url()).hostname, target).toBe("127.0.0.1");
  }
});

test("pages refuse to be framed", async ({ request }) => {
  const response = await request.get("/signin");
  expect(response.headers()["x-frame-options"]).toBe("DENY");
  expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});
