import { expect, test } from "@playwright/test";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

/**
 * The e2e server runs Debian's registry for REGISTRY_URL; this spec adds the
 * same registry under its `localhost` name for an organization without
 * repositories, so its sync has nothing to fetch.
 */

test("admin adds, tests and syncs a registry", async ({ page }) => {
  await signIn(page, users.admin);
  await page.goto("/admin/registries");
  const configured = page.locator("section[data-registry^='http://127.0.0.1:']");
  await expect(configured).toHaveCount(1);
  const registryUrl = (await configured.getAttribute("data-registry")) ?? "";
  const localhostUrl = registryUrl.replace("127.0.0.1", "localhost");

  const form = page.getByRole("form", { name: "Add a registry" });
  await form.getByLabel("URL (a folder for an OCI image layout; empty for Docker Hub)").fill(localhostUrl);
  await form.getByLabel("Organizations to sync, comma-separated").fill("registry-e2e");
  await form.getByLabel("Sync every (minutes; empty for SYNC_INTERVAL_MINUTES)").fill("30");
  await form.getByLabel("Allow plain http").check();
  await form.getByRole("button", { name: "Add registry" }).click();
  const added = form.getByRole("status");
  await expect(added).toContainText("Registry added. Its push event token is shown only now:");
  await expect(added).toContainText("/api/registries/");
  const addedText = (await added.textContent()) ?? "";
  const firstToken = /shown only now: ([0-9a-f]{48})/.exec(addedText)?.[1] ?? "";
  const eventPath = /(\/api\/registries\/[^/\s]+\/events)/.exec(addedText)?.[1] ?? "";
  expect(firstToken).not.toBe("");

  const section = page.locator(`section[data-registry='${localhostUrl}']`);
  await expect(section).toBeVisible();
  await expect(section).toContainText("registry-e2e");
  await expect(section).toContainText("anonymous");
  await expect(section).toContainText("every 30 minutes");

  await section.getByRole("button", { name: "Test connection" }).click();
  const checks = section.getByRole("form", { name: `Test the connection to ${localhostUrl}` }).getByRole("status");
  await expect(checks).toContainText("✓ reachable");
  await expect(checks).toContainText("✓ credentials accepted");
  await expect(checks).toContainText("✓ repositories readable: Repositories listed per organization: registry-e2e: 0.");

  // Push events: the token authorizes an event for the registry's organization, and a replaced token stops working.
  const event = { events: [{ action: "push", target: { mediaType: "application/vnd.oci.image.manifest.v1+json", repository: "registry-e2e/app", tag: "1.0", digest: `sha256:${"b".repeat(64)}` } }] };
  const accepted = await page.request.post(eventPath, { data: event, headers: { authorization: `Bearer ${firstToken}` } });
  expect(accepted.status()).toBe(202);
  expect(((await accepted.json()) as { queued: string[] }).queued).toEqual(["registry-e2e/app"]);
  page.once("dialog", (dialog) => void dialog.accept());
  await section.getByRole("button", { name: "Replace push event token" }).click();
  const rotated = section.getByRole("form", { name: `Replace the push event token of ${localhostUrl}` }).getByRole("status");
  await expect(rotated).toContainText("New push event token, shown only now:");
  const secondToken = /shown only now: ([0-9a-f]{48})/.exec((await rotated.textContent()) ?? "")?.[1] ?? "";
  expect((await page.request.post(eventPath, { data: event, headers: { authorization: `Bearer ${firstToken}` } })).status()).toBe(401);
  expect((await page.request.post(eventPath, { data: event, headers: { authorization: `Bearer ${secondToken}` } })).status()).toBe(202);

  await section.getByRole("button", { name: "Sync now" }).click();
  await expect(section.getByRole("form", { name: `Sync ${localhostUrl} now` }).getByRole("status")).toContainText("Sync queued for registry-e2e.");
  // The page refreshes itself while the sync is queued or running.
  // The push event above queued a sync of one repository; this is the organization's ("all").
  await expect(section.locator("tr[data-sync-status='SUCCEEDED']:has(td:text-is('all'))")).toHaveCount(1, { timeout: 30_000 });

  // The REGISTRY_URL registry comes from the environment, so only the added one can be removed here.
  await expect(configured.getByRole("button", { name: "Remove registry" })).toHaveCount(0);
  page.once("dialog", (dialog) => void dialog.accept());
  await section.getByRole("button", { name: "Remove registry" }).click();
  await expect(section).toHaveCount(0);
  await expect(configured).toHaveCount(1);
});

test("registry form rejects bad input", async ({ page }) => {
  await signIn(page, users.admin);
  await page.goto("/admin/registries");
  const form = page.getByRole("form", { name: "Add a registry" });
  const urlField = form.getByLabel("URL (a folder for an OCI image layout; empty for Docker Hub)");

  /** Fills the form, submits it, and checks the message and that the rejected input is still in the fields to correct. */
  async function submit(fields: { url: string; organizations: string; username?: string; password?: string }, expected: string) {
    await urlField.fill(fields.url);
    await form.getByLabel("Organizations to sync, comma-separated").fill(fields.organizations);
    await form.getByLabel("Username").fill(fields.username ?? "");
    await form.getByLabel("Password or access token").fill(fields.password ?? "");
    await form.getByRole("button", { name: "Add registry" }).click();
    await expect(form.getByRole("status")).toContainText(expected);
    await expect(urlField).toHaveValue(fields.url);
  }

  await submit({ url: "http://registry.invalid", organizations: "registry-bad", username: "robot", password: "robot-password" }, 'Registry URL "http://registry.invalid" uses plain http.');
  await expect(form.getByRole("status")).not.toContainText("robot-password");
  await submit({ url: "https://registry.invalid", organizations: "demo" }, "demo already synced by another registry.");
  await expect(page.locator("section[data-registry='https://registry.invalid']")).toHaveCount(0);
});

test("owner tests and syncs the org's registry", async ({ page }) => {
  await signIn(page, users.owner);
  await page.goto("/orgs/demo/settings/registry");
  await expect(page.getByRole("link", { name: "Registry" })).toBeVisible();
  const connection = page.getByRole("region", { name: "Registry connection" });
  await expect(connection).toContainText("OCI Distribution");
  await expect(connection).toContainText("anonymous");

  await connection.getByRole("button", { name: "Test connection" }).click();
  const checks = connection.getByRole("form", { name: "Test the registry connection" }).getByRole("status");
  await expect(checks).toContainText("✓ reachable");
  await expect(checks).toContainText("✓ repositories readable: Repositories listed per organization: demo: 4.");

  const finishedBefore = await connection.locator("tr[data-sync-status='SUCCEEDED']").count();
  await connection.getByRole("button", { name: "Sync now" }).click();
  await expect(connection.getByRole("form", { name: "Sync now" }).getByRole("status")).toContainText("Sync queued for demo.");
  await expect(connection.locator("tr[data-sync-status='SUCCEEDED']")).toHaveCount(finishedBefore + 1, { timeout: 30_000 });
});

test("non-administrators get 404 for registries", async ({ page }) => {
  await signIn(page, users.owner);
  const response = await page.goto("/admin/registries");
  expect(response?.status()).toBe(404);
});
