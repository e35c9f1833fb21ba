import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type APIRequestContext, type BrowserContext } from "@playwright/test";
import { appRoutes } from "@/e2e/app-routes";
import { users } from "@/e2e/matrix-users";
import { ssoEmail } from "@/e2e/oidc-provider";
import { ResponseRecorder } from "@/e2e/response-recorder";
import { createFragmentScanner, createSecretScanner, type Finding, type Secret } from "@/e2e/secret-scanner";
import { e2eServerFiles, type E2eServerSecrets } from "@/e2e/server-files";
import { signIn } from "@/e2e/sign-in";

/**
 * Creates every kind of secret the product handles, then visits every page as
 * the site administrator, an organization owner and a member, and sends good
 * and bad API requests. Every response and every line the server printed is
 * then searched for each secret. Only the server action response that shows a
 * new secret once may contain it.
 */

// Every page, visited by each of the three users. A route missing here fails the route test below.
const pageUrls: Record<string, string[]> = {
  "/": ["/"],
  "/signin": ["/signin"],
  "/set-password": ["/set-password?token=unknown"],
  "/orgs/[org]": ["/orgs/demo", "/orgs/bulk", "/orgs/other", "/orgs/nonexistent", "/orgs/exposure-e2e"],
  "/orgs/[org]/repositories": ["/orgs/demo/repositories", "/orgs/exposure-e2e/repositories"],
  "/repository/[org]/[repo]/general": ["/repository/demo/web/general", "/repository/demo/worker/general"],
  "/repository/[org]/[repo]/tags": ["/repository/demo/web/tags", "/repository/demo/worker/tags"],
  "/repository/[org]/[repo]/compare": ["/repository/demo/web/compare?a=1.0&b=1.1", "/repository/demo/worker/compare?a=2.0&b=no-such-tag"],
  "/repository/[org]/[repo]/tags/[tag]": ["/repository/demo/web/tags/1.0", "/repository/demo/worker/tags/2.0"],
  "/orgs/[org]/settings": ["/orgs/demo/settings"],
  "/orgs/[org]/settings/members": ["/orgs/demo/settings/members"],
  "/orgs/[org]/settings/teams": ["/orgs/demo/settings/teams"],
  "/orgs/[org]/settings/audit": ["/orgs/demo/settings/audit"],
  "/orgs/[org]/settings/policies": ["/orgs/demo/settings/policies"],
  "/orgs/[org]/settings/exceptions": ["/orgs/demo/settings/exceptions?show=all"],
  "/orgs/[org]/settings/notifications": ["/orgs/demo/settings/notifications"],
  "/orgs/[org]/settings/registry": ["/orgs/demo/settings/registry", "/orgs/exposure-e2e/settings/registry"],
  "/settings/tokens": ["/settings/tokens"],
  "/settings/notifications": ["/settings/notifications"],
  "/notifications/unsubscribe": ["/notifications/unsubscribe?token=rule.user.forged-signature"],
  "/admin": ["/admin"],
  "/admin/registries": ["/admin/registries"],
};

interface ApiRequest {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The values the API requests need, known only once the secrets exist. */
interface ApiValues {
  accessToken: string;
  configuredEventPath: string;
  addedEventPath: string;
  addedEventToken: string;
  environment: E2eServerSecrets;
}

const pushEvent = JSON.stringify({
  events: [{ action: "push", target: { mediaType: "application/vnd.oci.image.manifest.v1+json", repository: "exposure-e2e/app", tag: "1.0", digest: `sha256:${"c".repeat(64)}` } }],
});

/** Good and bad requests to every route that is not a page. A route missing here fails the route test below. */
function apiRequests(values: ApiValues): Record<string, ApiRequest[]> {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const withToken = bearer(values.accessToken);
  const json = { ...withToken, "content-type": "application/json" };
  return {
    "/api/v1/orgs": [
      { method: "GET", url: "/api/v1/orgs", headers: withToken },
      { method: "GET", url: "/api/v1/orgs" },
      { method: "GET", url: "/api/v1/orgs", headers: bearer(`shp_${randomBytes(32).toString("base64url")}`) },
      // Secrets sent where they do not belong must not be echoed or logged.
      { method: "GET", url: "/api/v1/orgs", headers: bearer(values.environment.METRICS_TOKEN) },
      { method: "GET", url: "/api/v1/orgs", headers: bearer(values.environment.NEXTAUTH_SECRET) },
      { method: "GET", url: "/api/v1/orgs", headers: { authorization: `Basic ${Buffer.from(`owner:${values.accessToken}`).toString("base64")}` } },
      { method: "GET", url: "/api/v1/orgs", headers: bearer(`${values.accessToken}x`) },
    ],
    "/api/v1/orgs/[org]/repositories": [
      { method: "GET", url: "/api/v1/orgs/demo/repositories", headers: withToken },
      { method: "GET", url: "/api/v1/orgs/nonexistent/repositories", headers: withToken },
      { method: "GET", url: "/api/v1/orgs/demo/repositories?limit=-1&cursor=%00", headers: withToken },
    ],
    "/api/v1/orgs/[org]/policy-configuration": [
      { method: "GET", url: "/api/v1/orgs/demo/policy-configuration", headers: withToken },
      { method: "GET", url: "/api/v1/orgs/%E0%A4%A/policy-configuration", headers: withToken },
    ],
    "/api/v1/repositories/[org]/[repo]/tags": [
      { method: "GET", url: "/api/v1/repositories/demo/web/tags", headers: withToken },
      { method: "GET", url: "/api/v1/repositories/demo/no-such-repository/tags", headers: withToken },
    ],
    "/api/v1/repositories/[org]/[repo]/tags/[tag]/report": [
      { method: "GET", url: "/api/v1/repositories/demo/worker/tags/2.0/report", headers: withToken },
      { method: "GET", url: "/api/v1/repositories/demo/web/tags/no-such-tag/report", headers: withToken },
    ],
    "/api/v1/repositories/[org]/[repo]/tags/[tag]/findings": [
      { method: "GET", url: "/api/v1/repositories/demo/worker/tags/2.0/findings", headers: withToken },
      { method: "GET", url: "/api/v1/repositories/demo/web/tags/1.0/findings?platform=sha256:bad", headers: withToken },
    ],
    "/api/v1/repositories/[org]/[repo]/tags/[tag]/sbom": [
      { method: "GET", url: "/api/v1/repositories/demo/web/tags/1.0/sbom", headers: withToken },
      { method: "GET", url: "/api/v1/repositories/demo/web/tags/1.0/sbom?format=unknown", headers: withToken },
    ],
    "/api/v1/advisories/query": [
      { method: "POST", url: "/api/v1/advisories/query", headers: json, body: JSON.stringify({ packages: [{ ecosystem: "npm", name: "lodash" }] }) },
      { method: "POST", url: "/api/v1/advisories/query", headers: json, body: JSON.stringify({ packages: "all" }) },
      { method: "POST", url: "/api/v1/advisories/query", headers: json, body: "{not json" },
      // A client that posts the wrong file: the error must not repeat the credentials in it.
      { method: "POST", url: "/api/v1/advisories/query", headers: json, body: `{"token": "${values.accessToken}", "metrics": "${values.environment.METRICS_TOKEN}"` },
      // A secret as a bare JSON value is where V8's parse error quotes the input.
      { method: "POST", url: "/api/v1/advisories/query", headers: json, body: `{"packages": ${values.accessToken}}` },
      { method: "POST", url: "/api/v1/advisories/query", headers: json, body: `{"packages": ${values.environment.NEXTAUTH_SECRET}}` },
    ],
    "/api/v1/openapi.json": [{ method: "GET", url: "/api/v1/openapi.json" }],
    "/api/registries/[registryId]/events": [
      { method: "POST", url: values.addedEventPath, headers: bearer(values.addedEventToken), body: pushEvent },
      { method: "POST", url: `${values.addedEventPath}?token=${values.addedEventToken}`, body: pushEvent },
      { method: "POST", url: values.configuredEventPath, headers: bearer(values.environment.REGISTRY_EVENT_TOKEN), body: pushEvent },
      { method: "POST", url: values.addedEventPath, headers: bearer(values.addedEventToken), body: "{not json" },
      { method: "POST", url: values.addedEventPath, headers: bearer(values.addedEventToken), body: `{"events": "${values.accessToken}"}` },
      { method: "POST", url: values.addedEventPath, headers: bearer(values.addedEventToken), body: `{"events": ${values.environment.SECRETS_KEY}}` },
      // The token's "shp_" start makes V8 quote it, where a value starting with a digit is read as a number and not quoted.
      { method: "POST", url: values.addedEventPath, headers: bearer(values.addedEventToken), body: `{"events": ${values.accessToken}}` },
      { method: "POST", url: values.addedEventPath, headers: bearer(values.environment.REGISTRY_EVENT_TOKEN), body: pushEvent },
      { method: "POST", url: `${values.configuredEventPath}?token=${values.addedEventToken}`, body: pushEvent },
      { method: "POST", url: values.addedEventPath, body: pushEvent },
      { method: "POST", url: "/api/registries/no-such-registry/events", headers: bearer(values.addedEventToken), body: pushEvent },
    ],
    "/api/metrics": [
      { method: "GET", url: "/api/metrics", headers: bearer(values.environment.METRICS_TOKEN) },
      { method: "GET", url: "/api/metrics", headers: bearer(values.accessToken) },
      { method: "GET", url: "/api/metrics" },
    ],
    "/api/health": [{ method: "GET", url: "/api/health" }],
    "/api/auth/[...nextauth]": [
      { method: "GET", url: "/api/auth/providers" },
      { method: "GET", url: "/api/auth/session" },
      { method: "GET", url: "/api/auth/csrf" },
      { method: "GET", url: "/api/auth/signin/oidc" },
      { method: "GET", url: `/api/auth/callback/oidc?code=${values.accessToken}&state=forged` },
    ],
    "/repository/[org]/[repo]/tags/[tag]/sbom": [
      { method: "GET", url: "/repository/demo/web/tags/1.0/sbom?format=spdx" },
      { method: "GET", url: "/repository/demo/worker/tags/2.0/sbom?format=cyclonedx" },
      { method: "GET", url: "/repository/demo/web/tags/1.0/sbom?format=unknown" },
    ],
  };
}

test("scanner finds planted secret forms", () => {
  const scan = createSecretScanner([
    { name: "token", value: "shp_plantedTokenValue0123456789" },
    { name: "key", value: Buffer.from("thirty-two bytes of planted key!").toString("base64") },
  ]);
  const forms = (text: string) => scan(text, "planted").map((finding) => `${finding.secret}: ${finding.form}`);
  expect(forms("a shp_plantedTokenValue0123456789 b")).toContain("token: the value");
  expect(forms("bearer plantedTokenValue0123456789")).toEqual(["token: the value after shp_"]);
  expect(forms(Buffer.from("shp_plantedTokenValue0123456789").toString("hex").toUpperCase())).toEqual(["token: hex of the value"]);
  expect(forms(Buffer.from("thirty-two bytes of planted key!").toString("hex"))).toEqual(["key: hex of the decoded base64"]);
  expect(forms(encodeURIComponent(Buffer.from("thirty-two bytes of planted key!").toString("base64")))).toContain("key: the value, percent-encoded");
  expect(forms("shp_plantedTokenValue012345678 is one character short")).toEqual([]);

  const scanFragments = createFragmentScanner([{ name: "token", value: "shp_plantedTokenValue0123456789" }]);
  expect(scanFragments('Unexpected token, ..."TokenValue"... is not valid JSON', "planted")).toHaveLength(1);
  expect(scanFragments('Unexpected token, ..."TokenValu"... is not valid JSON', "planted")).toEqual([]);
});

// Creating the secrets, visiting every page three times and waiting for the worker's log lines takes minutes.
test.setTimeout(8 * 60 * 1000);

test("no secret in pages, responses or log", async ({ browser, baseURL, playwright }) => {
  const port = Number(new URL(baseURL!).port);
  const files = e2eServerFiles(port);
  const environment = JSON.parse(await readFile(files.secrets, "utf8")) as E2eServerSecrets;
  const recorder = new ResponseRecorder();
  const contexts: BrowserContext[] = [];
  const newContext = async (label: string) => {
    const context = await browser.newContext();
    await recorder.watch(context, label);
    contexts.push(context);
    return context;
  };

  const receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(200, { "content-type": "text/plain" }).end("received"));
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/exposure-hook`;

  const typedSecrets = {
    registryPassword: `registry-password-${randomBytes(12).toString("hex")}`,
    registryUrlPassword: `url-password-${randomBytes(12).toString("hex")}`,
    wrongPassword: `wrong-password-${randomBytes(12).toString("hex")}`,
    unknownAccountPassword: `unknown-account-password-${randomBytes(12).toString("hex")}`,
  };

  const admin = await newContext("admin");
  const owner = await newContext("owner");
  const member = await newContext("member");
  const anonymous = await newContext("anonymous");
  const api = await playwright.request.newContext({ baseURL });

  try {
    // Failed sign-ins: a wrong password for a real account and one for an unknown account.
    const signInPage = await anonymous.newPage();
    const failedSignIns = [
      { email: users.owner.email, password: typedSecrets.wrongPassword },
      { email: "nobody-exposure@example.com", password: typedSecrets.unknownAccountPassword },
    ];
    for (const { email, password } of failedSignIns) {
      await signInPage.goto("/signin");
      await signInPage.getByLabel("E-mail").fill(email);
      await signInPage.getByLabel("Password").fill(password);
      await signInPage.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(signInPage.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText("The e-mail or password is incorrect.");
    }

    // Single sign-on through the e2e OpenID Connect provider: the server's token request carries OIDC_CLIENT_SECRET.
    await signInPage.goto("/signin");
    await signInPage.getByRole("button", { name: "Sign in with Test SSO" }).click();
    await signInPage.locator('input[name="login"]').fill("exposure-sso");
    await signInPage.locator('input[name="password"]').fill("any-password");
    await signInPage.getByRole("button", { name: /sign-in/i }).click();
    await signInPage.getByRole("button", { name: /continue/i }).click();
    await expect(signInPage.getByTestId("viewer-email")).toHaveText(ssoEmail("exposure-sso"));

    // The site administrator adds a registry with a password, after a URL with credentials in it is rejected.
    const adminPage = await admin.newPage();
    await signIn(adminPage, users.admin);
    await adminPage.goto("/admin/registries");
    const configured = adminPage.locator("section[data-registry^='http://127.0.0.1:']");
    const configuredEventPath = (await configured.locator("code").textContent()) ?? "";
    expect(configuredEventPath).toMatch(/^\/api\/registries\/[^/]+\/events$/);
    // A path keeps this registry apart from the one the registries spec adds at the bare localhost URL.
    const registryUrl = `${((await configured.getAttribute("data-registry")) ?? "").replace("127.0.0.1", "localhost")}/exposure-e2e`;
    const form = adminPage.getByRole("form", { name: "Add a registry" });
    const fillRegistry = async (url: string) => {
      await form.getByLabel("URL (a folder for an OCI image layout; empty for Docker Hub)").fill(url);
      await form.getByLabel("Organizations to sync, comma-separated").fill("exposure-e2e");
      await form.getByLabel("Username").fill("exposure-robot");
      await form.getByLabel("Password or access token").fill(typedSecrets.registryPassword);
      await form.getByLabel("Allow plain http").check();
      await form.getByRole("button", { name: "Add registry" }).click();
    };
    await fillRegistry(registryUrl.replace("http://", `http://exposure-robot:${typedSecrets.registryUrlPassword}@`));
    await expect(form.getByRole("status")).toContainText("must not contain credentials");
    await fillRegistry(registryUrl.replace("http://", `http://exposure-robot:${typedSecrets.registryUrlPassword}@`).replace("localhost", "local host"));
    await expect(form.getByRole("status")).toContainText("is not a valid URL");
    const added = await recorder.allowSecretsIn(["push event token"], async () => {
      await fillRegistry(registryUrl);
      await expect(form.getByRole("status")).toContainText("Its push event token is shown only now:");
      return (await form.getByRole("status").textContent()) ?? "";
    });
    const addedEventToken = /shown only now: ([0-9a-f]{48})/.exec(added)?.[1] ?? "";
    const addedEventPath = /(\/api\/registries\/[^/\s]+\/events)/.exec(added)?.[1] ?? "";
    expect(addedEventToken).not.toBe("");
    const addedSection = adminPage.locator(`section[data-registry='${registryUrl}']`);
    await expect(addedSection).toContainText("exposure-robot, password stored");
    // The registry serves nothing under this path, so the test and the sync fail, and their errors are scanned too.
    await addedSection.getByRole("button", { name: "Test connection" }).click();
    await expect(addedSection.getByRole("form", { name: `Test the connection to ${registryUrl}` }).getByRole("status")).toContainText("✗");
    await addedSection.getByRole("button", { name: "Sync now" }).click();
    await expect(addedSection.getByRole("form", { name: `Sync ${registryUrl} now` }).getByRole("status")).toContainText("Sync queued for exposure-e2e.");
    await expect(addedSection.locator("tr[data-sync-status]").first()).not.toHaveAttribute("data-sync-status", /QUEUED|RUNNING/, { timeout: 60_000 });

    // The owner creates a webhook with its signing secret and a personal access token.
    const ownerPage = await owner.newPage();
    await signIn(ownerPage, users.owner);
    await ownerPage.goto("/orgs/demo/settings/notifications");
    const webhookForm = ownerPage.getByRole("form", { name: "Create a webhook" });
    const webhookStatus = await recorder.allowSecretsIn(["webhook signing secret"], async () => {
      await webhookForm.getByLabel("Webhook name").fill("exposure receiver");
      await webhookForm.getByLabel("Webhook URL").fill(receiverUrl);
      await webhookForm.getByRole("button", { name: "Create webhook" }).click();
      await expect(webhookForm.getByRole("status")).toContainText("Webhook exposure receiver created.");
      return (await webhookForm.getByRole("status").textContent()) ?? "";
    });
    const webhookSecret = /copy it to the receiver: ([0-9a-f]{64})$/.exec(webhookStatus)?.[1] ?? "";
    expect(webhookSecret).not.toBe("");

    await ownerPage.goto("/settings/tokens");
    const tokenForm = ownerPage.getByRole("form", { name: "Create a token" });
    const accessToken = await recorder.allowSecretsIn(["personal access token"], async () => {
      await tokenForm.getByLabel("Name").fill("exposure scan");
      await tokenForm.getByRole("button", { name: "Create token" }).click();
      await expect(ownerPage.getByTestId("new-token")).toHaveText(/^shp_/);
      return (await ownerPage.getByTestId("new-token").textContent()) ?? "";
    });

    const secrets: Secret[] = [
      { name: "NEXTAUTH_SECRET", value: environment.NEXTAUTH_SECRET },
      { name: "SECRETS_KEY", value: environment.SECRETS_KEY },
      { name: "METRICS_TOKEN", value: environment.METRICS_TOKEN },
      { name: "OIDC_CLIENT_SECRET", value: environment.OIDC_CLIENT_SECRET },
      { name: "REGISTRY_EVENT_TOKEN", value: environment.REGISTRY_EVENT_TOKEN },
      { name: "DATABASE_URL password", value: environment.DATABASE_PASSWORD },
      ...(environment.REGISTRY_PASSWORD ? [{ name: "REGISTRY_PASSWORD", value: environment.REGISTRY_PASSWORD }] : []),
      { name: "registry password", value: typedSecrets.registryPassword },
      { name: "password in a registry URL", value: typedSecrets.registryUrlPassword },
      { name: "push event token", value: addedEventToken },
      { name: "webhook signing secret", value: webhookSecret },
      { name: "personal access token", value: accessToken },
      { name: "wrong sign-in password", value: typedSecrets.wrongPassword },
      { name: "sign-in password of an unknown account", value: typedSecrets.unknownAccountPassword },
    ];

    // Every page as each user, with the secrets in place.
    const memberPage = await member.newPage();
    await signIn(memberPage, users.member);
    let pagesVisited = 0;
    for (const page of [adminPage, ownerPage, memberPage]) {
      for (const url of Object.values(pageUrls).flat()) {
        await page.goto(url);
        pagesVisited += 1;
      }
    }

    // The API and the other routes, with the owner's session cookie on the requests that are not token-authenticated.
    let apiRequestsSent = 0;
    const requestsByRoute = apiRequests({ accessToken, configuredEventPath, addedEventPath, addedEventToken, environment });
    for (const [route, requests] of Object.entries(requestsByRoute)) {
      for (const request of requests) {
        const client: APIRequestContext = route.startsWith("/api/v1") || route.startsWith("/api/registries") || route === "/api/metrics" ? api : owner.request;
        // A Buffer is sent as it is, where Playwright would encode a string as a JSON string for a JSON content type.
        const data = request.body === undefined ? undefined : Buffer.from(request.body);
        const response = await client.fetch(request.url, { method: request.method, headers: request.headers, data, maxRedirects: 0 });
        await recorder.recordApi(response, request.method, route);
        apiRequestsSent += 1;
      }
    }
    expect(appRoutes().sort()).toEqual([...Object.keys(pageUrls), ...Object.keys(requestsByRoute)].sort());

    // The worker runs the sync that the push events queued, and its failure must be in the log before the scan reads it.
    await adminPage.goto("/admin/registries");
    await expect(addedSection.locator("tr[data-sync-status]").first()).not.toHaveAttribute("data-sync-status", /QUEUED|RUNNING/, { timeout: 60_000 });

    const scan = createSecretScanner(secrets);
    // The e2e server's fixed values (METRICS_TOKEN, OIDC_CLIENT_SECRET, the database password) share words with ordinary log text.
    const fixedValues = new Set([environment.METRICS_TOKEN, environment.OIDC_CLIENT_SECRET, environment.DATABASE_PASSWORD]);
    const scanFragments = createFragmentScanner(secrets.filter((secret) => !fixedValues.has(secret.value)));
    const leaks: Finding[] = [];
    const shownOnce = new Map<string, number>();
    for (const response of recorder.responses) {
      const text = `${response.headers}\n\n${response.body}`;
      for (const finding of scan(text, response.where)) {
        if (response.allowedSecrets.includes(finding.secret)) shownOnce.set(finding.secret, (shownOnce.get(finding.secret) ?? 0) + 1);
        else leaks.push(finding);
      }
      // The request clients send secrets on purpose, so their responses must not repeat even a part of one.
      if (response.fromApiClient) leaks.push(...scanFragments(response.body, response.where));
    }
    const logLines = (await readFile(files.log, "utf8")).split("\n");
    logLines.forEach((line, index) => {
      const where = `server log line ${index + 1}: ${line.slice(0, 300)}`;
      leaks.push(...scan(line, where), ...scanFragments(line, where));
    });

    // The responses that show a new secret once contain it, so the scan does find a value where one is.
    for (const name of ["push event token", "webhook signing secret", "personal access token"]) {
      expect.soft(shownOnce.get(name) ?? 0, `responses showing the new ${name}`).toBeGreaterThan(0);
    }
    expect(leaks.map((leak) => `${leak.secret} (${leak.form}) in ${leak.where}`)).toEqual([]);
    // The log file has the server's lines, because the requests rejected above are logged at info level.
    expect(logLines.some((line) => line.includes('"msg":"API request rejected"'))).toBe(true);

    test.info().annotations.push({
      type: "scanned",
      description: `${pagesVisited} page visits, ${recorder.responses.length} responses (${recorder.requestsFailed} browser requests failed) of which ${apiRequestsSent} API requests, ${logLines.length} log lines, ${secrets.length} secrets`,
    });
    console.log(test.info().annotations.at(-1)?.description);
  } finally {
    // Later specs see the organization and the owner's tokens as they were. The added registry stays because no page removes registries.
    const cleanup = await owner.newPage();
    await cleanup.goto("/orgs/demo/settings/notifications");
    const webhook = cleanup.locator('li[data-webhook="exposure receiver"]');
    if ((await webhook.count()) > 0) {
      cleanup.once("dialog", (dialog) => void dialog.accept());
      await webhook.getByRole("button", { name: "Delete" }).click();
      await expect(webhook).toHaveCount(0);
    }
    await cleanup.goto("/settings/tokens");
    const token = cleanup.locator('tr[data-token="exposure scan"]');
    if ((await token.count()) > 0 && !(await token.textContent())?.includes("Revoked")) {
      cleanup.once("dialog", (dialog) => void dialog.accept());
      await token.getByRole("button", { name: "Revoke" }).click();
      await expect(token).toContainText("Revoked");
    }
    for (const context of contexts) await context.close();
    await api.dispose();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
