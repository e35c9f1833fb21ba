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

test("scripts run only with the response's nonce", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await signIn(page, users.owner);
  // The overview draws Recharts charts with inline styles and runs client components.
  const response = await page.goto("/orgs/demo");
  const policy = response?.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  expect(policy).toContain("'strict-dynamic'");
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(policy).toContain("object-src 'none'");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

  // Every inline script the server rendered carries that nonce. The browser hides nonce attributes, so read the HTML.
  const html = await (await page.request.get("/orgs/demo")).text();
  const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((match) => match[1] ?? "");
  expect(inlineScripts.length).toBeGreaterThan(0);
  for (const attributes of inlineScripts) expect(attributes).toMatch(/nonce="[^"]+"/);
  expect(violations).toEqual([]);
});

test("a new nonce on every response, and HSTS only over https", async ({ request }) => {
  const nonceOf = async (headers: Record<string, string> = {}) => {
    const response = await request.get("/signin", { headers });
    return { nonce: /'nonce-([^']+)'/.exec(response.headers()["content-security-policy"] ?? "")?.[1], hsts: response.headers()["strict-transport-security"] };
  };
  const first = await nonceOf();
  const second = await nonceOf();
  expect(first.nonce).toBeTruthy();
  expect(second.nonce).not.toBe(first.nonce);
  expect(first.hsts).toBeUndefined();
  expect((await nonceOf({ "x-forwarded-proto": "https" })).hsts).toMatch(/^max-age=\d+/);
});
