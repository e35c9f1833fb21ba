import { expect, test, type Browser, type BrowserContext } from "@playwright/test";
import { appRoutes } from "@/e2e/app-routes";
import { users, type MatrixUser } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";
import { buildSampleImages } from "@/lib/samples/sample-images";

/**
 * Every page and API route of the app, each with the URLs to try and what each
 * user gets: "ok" (200), "404", or "signin" (sent to the sign-in page).
 * The route test below fails when the app gains a route missing here.
 * Entries marked `download` respond with an attachment, which page.goto
 * cannot open, so they are requested with the user's cookies instead.
 */
type Outcome = "ok" | "404" | "signin" | "home" | "401";
type Expectations = Record<MatrixUser, Outcome>;

const anyoneSignedIn: Expectations = { owner: "ok", member: "ok", outsider: "ok", admin: "ok", anonymous: "signin" };
const readersOfWeb: Expectations = { owner: "ok", member: "ok", outsider: "404", admin: "404", anonymous: "signin" };
const ownersOnly: Expectations = { owner: "ok", member: "404", outsider: "404", admin: "404", anonymous: "signin" };
const publicPage: Expectations = { owner: "ok", member: "ok", outsider: "ok", admin: "ok", anonymous: "ok" };
const adminOnly: Expectations = { owner: "404", member: "404", outsider: "404", admin: "ok", anonymous: "signin" };
// Token-authenticated endpoints: a session cookie alone is rejected for every user, so no page can be made to call them.
const tokenOnly: Expectations = { owner: "401", member: "401", outsider: "401", admin: "401", anonymous: "401" };

// The e2e server pushes the same deterministic sample images, so their digests are known here.
// demo/web:1.0 and demo/worker:2.0 are single platform manifests: the tag digest is the platform image digest.
const samples = await buildSampleImages();
function sbomUrl(repository: string, tag: string, format: string): string {
  const digest = samples.tags.find((sample) => sample.repository === `demo/${repository}` && sample.tag === tag)?.digest;
  if (digest === undefined) throw new Error(`The sample set has no tag demo/${repository}:${tag}`);
  return `/repository/demo/${repository}/tags/${tag}/sbom?format=${format}&platform=${encodeURIComponent(digest)}`;
}

const matrix: Record<string, { url: string; expect: Expectations; landsOn?: string; download?: true; api?: "GET" | "POST" }[]> = {
  "/": [{ url: "/", expect: anyoneSignedIn }],
  "/signin": [{ url: "/signin", expect: { owner: "home", member: "home", outsider: "home", admin: "home", anonymous: "ok" } }],
  "/set-password": [{ url: "/set-password?token=unknown", expect: publicPage }],
  "/orgs/[org]": [
    { url: "/orgs/demo", expect: readersOfWeb },
    // The demo owner is the only member of "bulk", the seeded organization of 10,000 repositories.
    { url: "/orgs/bulk", expect: ownersOnly },
    { url: "/orgs/other", expect: { owner: "404", member: "404", outsider: "ok", admin: "404", anonymous: "signin" } },
    { url: "/orgs/nonexistent", expect: { owner: "404", member: "404", outsider: "404", admin: "404", anonymous: "signin" } },
  ],
  "/orgs/[org]/repositories": [
    { url: "/orgs/demo/repositories", expect: readersOfWeb },
    { url: "/orgs/bulk/repositories", expect: ownersOnly },
    { url: "/orgs/other/repositories", expect: { owner: "404", member: "404", outsider: "ok", admin: "404", anonymous: "signin" } },
    { url: "/orgs/nonexistent/repositories", expect: { owner: "404", member: "404", outsider: "404", admin: "404", anonymous: "signin" } },
  ],
  "/repository/[org]/[repo]/general": [
    { url: "/repository/demo/web/general", expect: readersOfWeb },
    { url: "/repository/demo/worker/general", expect: ownersOnly },
  ],
  "/repository/[org]/[repo]/tags": [
    { url: "/repository/demo/web/tags", expect: readersOfWeb },
    { url: "/repository/demo/worker/tags", expect: ownersOnly },
  ],
  "/repository/[org]/[repo]/compare": [
    { url: "/repository/demo/web/compare?a=1.0&b=1.1", expect: readersOfWeb },
    { url: "/repository/demo/worker/compare?a=2.0&b=2.1", expect: ownersOnly },
    { url: "/repository/demo/worker/compare?a=2.0&b=no-such-tag", expect: ownersOnly },
  ],
  "/repository/[org]/[repo]/tags/[tag]": [
    { url: "/repository/demo/web/tags/1.0", expect: readersOfWeb },
    { url: "/repository/demo/worker/tags/2.0", expect: ownersOnly },
  ],
  "/repository/[org]/[repo]/tags/[tag]/sbom": [
    { url: sbomUrl("web", "1.0", "spdx"), expect: readersOfWeb, download: true },
    { url: sbomUrl("web", "1.0", "cyclonedx"), expect: readersOfWeb, download: true },
    { url: sbomUrl("worker", "2.0", "spdx"), expect: ownersOnly, download: true },
  ],
  "/orgs/[org]/settings": [{ url: "/orgs/demo/settings", expect: ownersOnly, landsOn: "/orgs/demo/settings/members" }],
  "/orgs/[org]/settings/members": [{ url: "/orgs/demo/settings/members", expect: ownersOnly }],
  "/orgs/[org]/settings/teams": [{ url: "/orgs/demo/settings/teams", expect: ownersOnly }],
  "/orgs/[org]/settings/audit": [{ url: "/orgs/demo/settings/audit", expect: ownersOnly }],
  "/orgs/[org]/settings/policies": [
    { url: "/orgs/demo/settings/policies", expect: ownersOnly },
    { url: "/orgs/other/settings/policies", expect: { owner: "404", member: "404", outsider: "ok", admin: "404", anonymous: "signin" } },
  ],
  "/orgs/[org]/settings/exceptions": [
    { url: "/orgs/demo/settings/exceptions", expect: ownersOnly },
    { url: "/orgs/demo/settings/exceptions?show=all", expect: ownersOnly },
    { url: "/orgs/other/settings/exceptions", expect: { owner: "404", member: "404", outsider: "ok", admin: "404", anonymous: "signin" } },
  ],
  "/orgs/[org]/settings/notifications": [
    { url: "/orgs/demo/settings/notifications", expect: ownersOnly },
    { url: "/orgs/other/settings/notifications", expect: { owner: "404", member: "404", outsider: "ok", admin: "404", anonymous: "signin" } },
  ],
  "/orgs/[org]/settings/registry": [{ url: "/orgs/demo/settings/registry", expect: ownersOnly }],
  "/settings/tokens": [{ url: "/settings/tokens", expect: anyoneSignedIn }],
  "/settings/notifications": [{ url: "/settings/notifications", expect: anyoneSignedIn }],
  "/notifications/unsubscribe": [{ url: "/notifications/unsubscribe?token=forged", expect: publicPage }],
  "/admin": [{ url: "/admin", expect: adminOnly }],
  "/admin/registries": [{ url: "/admin/registries", expect: adminOnly }],
  "/api/metrics": [{ url: "/api/metrics", expect: tokenOnly, api: "GET" }],
  "/api/registries/[registryId]/events": [{ url: "/api/registries/nonexistent/events", expect: tokenOnly, api: "POST" }],
  "/api/v1/openapi.json": [{ url: "/api/v1/openapi.json", expect: publicPage, api: "GET" }],
  "/api/v1/orgs": [{ url: "/api/v1/orgs", expect: tokenOnly, api: "GET" }],
  "/api/v1/orgs/[org]/repositories": [{ url: "/api/v1/orgs/demo/repositories", expect: tokenOnly, api: "GET" }],
  "/api/v1/orgs/[org]/policy-configuration": [{ url: "/api/v1/orgs/demo/policy-configuration", expect: tokenOnly, api: "GET" }],
  "/api/v1/advisories/query": [{ url: "/api/v1/advisories/query", expect: tokenOnly, api: "POST" }],
  "/api/v1/repositories/[org]/[repo]/tags": [{ url: "/api/v1/repositories/demo/web/tags", expect: tokenOnly, api: "GET" }],
  "/api/v1/repositories/[org]/[repo]/tags/[tag]/report": [{ url: "/api/v1/repositories/demo/web/tags/1.0/report", expect: tokenOnly, api: "GET" }],
  "/api/v1/repositories/[org]/[repo]/tags/[tag]/findings": [{ url: "/api/v1/repositories/demo/web/tags/1.0/findings", expect: tokenOnly, api: "GET" }],
  "/api/v1/repositories/[org]/[repo]/tags/[tag]/sbom": [{ url: "/api/v1/repositories/demo/web/tags/1.0/sbom", expect: tokenOnly, api: "GET" }],
  "/api/health": [{ url: "/api/health", expect: publicPage }],
  "/api/auth/[...nextauth]": [{ url: "/api/auth/providers", expect: publicPage }],
};

test("every app route is in the access matrix", () => {
  expect(appRoutes().sort()).toEqual(Object.keys(matrix).sort());
});

const contexts = new Map<MatrixUser, BrowserContext>();

async function contextFor(browser: Browser, user: MatrixUser): Promise<BrowserContext> {
  const existing = contexts.get(user);
  if (existing) return existing;
  const context = await browser.newContext();
  if (user !== "anonymous") {
    const page = await context.newPage();
    await signIn(page, users[user]);
    await page.close();
  }
  contexts.set(user, context);
  return context;
}

test.afterAll(async () => {
  for (const context of contexts.values()) await context.close();
});

for (const user of ["owner", "member", "outsider", "admin", "anonymous"] as const) {
  test(`access matrix for ${user}`, async ({ browser, baseURL }) => {
    const context = await contextFor(browser, user);
    const page = await context.newPage();
    for (const [route, cases] of Object.entries(matrix)) {
      for (const entry of cases) {
        if (entry.download) {
          await checkDownload(context, entry.url, entry.expect[user], `${user} → ${entry.url} (route ${route})`);
          continue;
        }
        if (entry.api) {
          await checkApi(context, entry.api, entry.url, entry.expect[user], `${user} → ${entry.api} ${entry.url} (route ${route})`);
          continue;
        }
        const response = await page.goto(entry.url);
        const finalPath = new URL(page.url()).pathname;
        const outcome = entry.expect[user];
        const where = `${user} → ${entry.url} (route ${route})`;
        if (outcome === "ok") {
          expect(response?.status(), where).toBe(200);
          expect(finalPath, where).toBe(entry.landsOn ?? new URL(entry.url, "http://host").pathname);
        } else if (outcome === "404") {
          expect(response?.status(), where).toBe(404);
          await expect(page.getByRole("heading", { name: "Page not found" }), where).toBeVisible();
          expect(await page.locator("main").innerText(), where).not.toMatch(/demo\/(worker|web)|tags?\b/i);
        } else if (outcome === "signin") {
          expect(finalPath, where).toBe("/signin");
        } else {
          expect(finalPath, where).toBe("/");
        }
      }
    }
    await page.close();
    expect(baseURL).toBeTruthy();
  });
}

/** Requests a download with the context's cookies, without following redirects, and checks the outcome. */
async function checkDownload(context: BrowserContext, url: string, outcome: Outcome, where: string): Promise<void> {
  const response = await context.request.get(url, { maxRedirects: 0 });
  if (outcome === "ok") {
    expect(response.status(), where).toBe(200);
    expect(response.headers()["content-disposition"], where).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.(spdx|cdx)\.json"$/);
    const body = await response.text();
    expect(() => JSON.parse(body) as unknown, where).not.toThrow();
  } else if (outcome === "404") {
    expect(response.status(), where).toBe(404);
    expect(await response.text(), where).not.toMatch(/demo\/(worker|web)|sha256:/i);
  } else if (outcome === "signin") {
    expect(response.status(), where).toBe(307);
    expect(new URL(response.headers().location ?? "", "http://host").pathname, where).toBe("/signin");
  } else {
    throw new Error(`${where}: a download cannot land on ${outcome}`);
  }
}

/** Calls an API route with the context's session cookies and no token, and checks the outcome. */
async function checkApi(context: BrowserContext, method: "GET" | "POST", url: string, outcome: Outcome, where: string): Promise<void> {
  const response = method === "GET" ? await context.request.get(url, { maxRedirects: 0 }) : await context.request.post(url, { data: {}, maxRedirects: 0 });
  if (outcome === "ok") {
    expect(response.status(), where).toBe(200);
    const text = await response.text();
    expect(() => JSON.parse(text) as unknown, where).not.toThrow();
  } else if (outcome === "401") {
    expect(response.status(), where).toBe(401);
    expect(await response.text(), where).not.toMatch(/demo\/(worker|web)|sha256:/i);
  } else {
    throw new Error(`${where}: an API route cannot answer ${outcome}`);
  }
}

test("member sees only the repository their team can read", async ({ browser }) => {
  const page = await (await contextFor(browser, "member")).newPage();
  await page.goto("/orgs/demo/repositories");
  await expect(page.locator("tr[data-repository]")).toHaveCount(1);
  await expect(page.locator('tr[data-repository="demo/web"]')).toBeVisible();
  await expect(page.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await page.close();
});

test("organization switcher lists only own organizations", async ({ browser }) => {
  const page = await (await contextFor(browser, "outsider")).newPage();
  await page.goto("/");
  const switcher = page.getByRole("list", { name: "Organizations" });
  await expect(switcher.getByRole("link")).toHaveText(["other"]);
  await page.close();
});

test("API without a session answers 401", async ({ request }) => {
  const response = await request.get("/api/not-a-route", { maxRedirects: 0 });
  expect(response.status()).toBe(401);
});

test("forged session cookie is treated as signed out", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  await context.addCookies([{ name: "next-auth.session-token", value: "forged.value.here", url: baseURL ?? "http://127.0.0.1" }]);
  const page = await context.newPage();
  await page.goto("/orgs/demo/repositories");
  expect(new URL(page.url()).pathname).toBe("/signin");
  await context.close();
});
