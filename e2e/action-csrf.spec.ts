import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { leaver, users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";
import { buildSampleImages } from "@/lib/samples/sample-images";

// A foreign origin for cross-site requests. The .invalid top-level domain never
// resolves, and nothing here connects to it: it only appears in the Origin header.
const foreignOrigin = "http://evil.invalid";

interface ManifestEntry {
  filename: string;
  exportedName: string;
  workers: Record<string, unknown>;
}

/** Reads the server actions of the production build from the manifest that `next build` writes. */
function builtActions(): { id: string; entry: ManifestEntry }[] {
  const manifest = JSON.parse(readFileSync(path.resolve(".next/server/server-reference-manifest.json"), "utf8")) as { node: Record<string, ManifestEntry> };
  return Object.entries(manifest.node).map(([id, entry]) => ({ id, entry }));
}

/** Turns a manifest worker such as `app/orgs/[org]/settings/teams/page` into a URL of the demo organization. */
function pagePath(worker: string): string {
  const route = worker
    .replace(/^app/, "")
    .replace(/\/page$/, "")
    .replace(/\/\([^)]*\)/g, "")
    .replace("[org]", "demo")
    .replace("[repo]", "web")
    .replace("[tag]", "1.0");
  return route === "" ? "/" : route;
}

/**
 * Posts a server action the way React 19's client encodes a FormData argument:
 * part "0" is the JSON argument list, whose "$K1" points at the form fields
 * sent as "_1_NAME" parts. `bound` comes first, as a page's `.bind()` puts it.
 */
async function postAction(request: APIRequestContext, url: string, actionId: string, origin: string, fields: Record<string, string>, bound: string[] = []) {
  const multipart = new FormData();
  for (const [name, value] of Object.entries(fields)) multipart.append(`_1_${name}`, value);
  // React's server decodes the arguments as soon as part "0" arrives, so it comes last, as React's client sends it.
  multipart.append("0", JSON.stringify([...bound, { ok: false, message: "" }, "$K1"]));
  return request.post(url, { headers: { "Next-Action": actionId, Origin: origin, Accept: "text/x-component" }, multipart, maxRedirects: 0 });
}

function actionId(file: string, name: string): { id: string; url: string } {
  const found = builtActions().find(({ entry }) => entry.filename === file && entry.exportedName === name);
  if (!found) throw new Error(`The build has no server action ${name} in ${file}. Run \`next build\` again.`);
  return { id: found.id, url: pagePath(Object.keys(found.entry.workers)[0] ?? "") };
}

/** Reads the demo organization's audit log and team names as the owner sees them. */
async function ownerVisibleState(page: Page): Promise<{ audit: string; teams: string[] }> {
  await page.goto("/orgs/demo/settings/audit");
  const audit = await page.locator("main").innerText();
  await page.goto("/orgs/demo/settings/teams");
  const teams = await page.locator("section[data-team]").evaluateAll((sections) => sections.map((section) => section.getAttribute("data-team") ?? ""));
  return { audit, teams };
}

let owner: BrowserContext;

test.beforeAll(async ({ browser }) => {
  owner = await browser.newContext();
  const page = await owner.newPage();
  await signIn(page, users.owner);
  await page.close();
});

test.afterAll(async () => {
  await owner.close();
});

test("every built action rejects a foreign origin", async () => {
  const actions = builtActions();
  expect(actions.length).toBeGreaterThan(0);
  const page = await owner.newPage();
  const before = await ownerVisibleState(page);

  for (const { id, entry } of actions) {
    const where = `${entry.filename} › ${entry.exportedName}`;
    const url = pagePath(Object.keys(entry.workers)[0] ?? "");
    const bound = /settings\/(policies|exceptions)\/actions\.ts$/.test(entry.filename) ? ["demo"] : [];
    for (const origin of [foreignOrigin, "null"]) {
      const response = await postAction(owner.request, url, id, origin, { org: "demo", name: "csrf-probe", email: "csrf@example.com", role: "OWNER" }, bound);
      // Next.js 16 aborts such an action before decoding its arguments and responds with 500 and an error payload.
      expect(response.status(), `${where} from ${origin}`).toBe(500);
    }
  }

  expect(await ownerVisibleState(page)).toEqual(before);
  await page.close();
});

const createTeam = () => actionId("app/orgs/[org]/settings/actions.ts", "createTeamAction");

/** Deletes a demo team through its action from the app's own origin, so the other specs see the demo organization as seeded. */
async function deleteTeam(page: Page, origin: string, name: string): Promise<void> {
  const remove = actionId("app/orgs/[org]/settings/actions.ts", "deleteTeamAction");
  await page.goto("/orgs/demo/settings/teams");
  const teamId = await page.locator(`section[data-team="${name}"] input[name="teamId"]`).first().getAttribute("value");
  expect(teamId, name).toBeTruthy();
  const deleted = await postAction(owner.request, remove.url, remove.id, origin, { org: "demo", teamId: teamId ?? "" });
  expect(deleted.status(), name).toBe(200);
  expect((await ownerVisibleState(page)).teams, name).not.toContain(name);
}

test("same-origin action runs", async ({ baseURL }) => {
  const origin = new URL(baseURL ?? "http://127.0.0.1").origin;
  const create = createTeam();
  const page = await owner.newPage();

  const created = await postAction(owner.request, create.url, create.id, origin, { org: "demo", name: "csrf-control" });
  expect(created.status()).toBe(200);
  expect((await ownerVisibleState(page)).teams).toContain("csrf-control");

  await deleteTeam(page, origin, "csrf-control");
  await page.close();
});

/**
 * Posts a server action as a form does before JavaScript loads: React's
 * progressive enhancement names the action and its bound form state in
 * "$ACTION_1:0" and "$ACTION_1:1", and the inputs are plain fields. No Next-Action header is sent.
 */
async function postForm(request: APIRequestContext, url: string, actionId: string, origin: string, fields: Record<string, string>) {
  const multipart = new FormData();
  multipart.append("$ACTION_REF_1", "");
  multipart.append("$ACTION_1:0", JSON.stringify({ id: actionId, bound: "$@1" }));
  multipart.append("$ACTION_1:1", JSON.stringify([{ ok: false, message: "" }]));
  for (const [name, value] of Object.entries(fields)) multipart.append(name, value);
  return request.post(url, { headers: { Origin: origin }, multipart, maxRedirects: 0 });
}

test("form post without JavaScript checks the origin", async ({ baseURL }) => {
  const origin = new URL(baseURL ?? "http://127.0.0.1").origin;
  const create = createTeam();
  const page = await owner.newPage();

  const rejected = await postForm(owner.request, create.url, create.id, foreignOrigin, { org: "demo", name: "csrf-form" });
  expect(rejected.status()).toBe(500);
  expect((await ownerVisibleState(page)).teams).not.toContain("csrf-form");

  const accepted = await postForm(owner.request, create.url, create.id, origin, { org: "demo", name: "csrf-form" });
  expect(accepted.status()).toBe(200);
  expect((await ownerVisibleState(page)).teams).toContain("csrf-form");

  await deleteTeam(page, origin, "csrf-form");
  await page.close();
});

test("session cookies are HttpOnly and SameSite", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, users.member);
  const cookies = await context.cookies();
  expect(cookies.some((cookie) => cookie.name.endsWith("next-auth.session-token"))).toBe(true);
  for (const cookie of cookies) {
    expect(cookie.httpOnly, cookie.name).toBe(true);
    expect(["Lax", "Strict"], cookie.name).toContain(cookie.sameSite);
  }
  await context.close();
});

test("sign-in without the CSRF token sets no session", async ({ browser }) => {
  const context = await browser.newContext();
  const response = await context.request.post("/api/auth/callback/credentials", {
    headers: { Origin: foreignOrigin },
    form: { email: users.member.email, password: users.member.password, json: "true" },
    maxRedirects: 0,
  });
  expect(response.status()).toBeLessThan(500);
  expect((await context.cookies()).some((cookie) => cookie.name.endsWith("next-auth.session-token"))).toBe(false);
  await context.close();
});

test("sign-out without the CSRF token keeps the session", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // The leaver account is the one whose sessions other specs may end.
  await signIn(page, leaver);
  await context.request.post("/api/auth/signout", { headers: { Origin: foreignOrigin }, form: { callbackUrl: "/signin" }, maxRedirects: 0 });
  await page.goto("/");
  await expect(page.getByTestId("viewer-email")).toHaveText(leaver.email);
  await context.close();
});

/**
 * Route handlers that accept a state-changing method, with how each is protected
 * against cross-site requests. A new such handler fails the test below until it is listed.
 */
const stateChangingRoutes: Record<string, string> = {
  "app/api/auth/[...nextauth]/route.ts": "next-auth's CSRF token (a cookie matched by a form field) and SameSite=Lax cookies",
  "app/api/registries/[registryId]/events/route.ts": "the registry's event token in the Authorization header or query; session cookies are ignored",
  "app/api/v1/advisories/query/route.ts": "an API token in the Authorization header; session cookies are ignored, and it changes nothing",
};

function routeFiles(directory = "app"): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const child = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...routeFiles(child));
    else if (entry.name === "route.ts") files.push(child);
  }
  return files;
}

test("state-changing route handlers are classified", () => {
  const stateChanging = routeFiles()
    .filter((file) => /export\s+(async\s+function|const)\s+(POST|PUT|PATCH|DELETE)\b|export\s*\{[^}]*\bas\s+(POST|PUT|PATCH|DELETE)\b/.test(readFileSync(file, "utf8")))
    .sort();
  expect(stateChanging).toEqual(Object.keys(stateChangingRoutes).sort());
});

test("token routes reject a cross-site post with cookies", async () => {
  for (const url of ["/api/registries/nonexistent/events", "/api/v1/advisories/query"]) {
    const response = await owner.request.post(url, { headers: { Origin: foreignOrigin }, data: { purls: [] }, maxRedirects: 0 });
    expect(response.status(), url).toBe(401);
  }
});

test("SBOM export rejects another image", async ({ browser }) => {
  // demo/web:1.0 and demo/worker:2.0 are single-platform images, so their tag digests are their image digests.
  const samples = await buildSampleImages();
  const worker = samples.tags.find((sample) => sample.repository === "demo/worker" && sample.tag === "2.0")?.digest;
  expect(worker).toBeTruthy();
  const member = await browser.newContext();
  const page = await member.newPage();
  await signIn(page, users.member);
  for (const [who, context] of [["member", member], ["owner", owner]] as const) {
    const response = await context.request.get(`/repository/demo/web/tags/1.0/sbom?format=spdx&platform=${encodeURIComponent(worker ?? "")}`, { maxRedirects: 0 });
    expect(response.status(), who).toBe(400);
    expect(await response.text(), who).not.toMatch(/demo\/worker|"packages"/);
  }
  await member.close();
});
