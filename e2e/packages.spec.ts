import { readFile } from "node:fs/promises";

import { expect, test, type Page } from "@playwright/test";

import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The e2e server syncs the sample images, whose Debian 12 layer holds a real os-release and dpkg
// status file, and analyses them. demo/web:1.0 is one linux/amd64 manifest.
const TAG_PATH = "/repository/demo/web/tags/1.0";

test.beforeEach(async ({ page }) => {
  await signIn(page, users.owner);
});

/** Opens a tag page and reloads it until its first platform image is analysed. */
async function openAnalysedTag(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("analysis-state").first()).toHaveAttribute("data-status", "analysed", { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
}

/** Clicks a download link and returns the downloaded file's name and parsed JSON. */
async function download(page: Page, linkName: RegExp): Promise<{ fileName: string; json: unknown }> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: linkName }).click()]);
  const path = await file.path();
  return { fileName: file.suggestedFilename(), json: JSON.parse(await readFile(path, "utf8")) as unknown };
}

test("tag page shows the detected operating system", async ({ page }) => {
  await openAnalysedTag(page, TAG_PATH);

  const os = page.getByTestId("operating-system");
  await expect(os.getByTestId("os-name")).toHaveText("Debian GNU/Linux 12 (bookworm)");
  await expect(os).toContainText("advisory ecosystem Debian:12");
  // The end-of-life table gives 2026-06-10 for Debian 12, a date already past when this test was written.
  await expect(os.getByTestId("os-end-of-life")).toContainText("End of life since 2026-06-10");
});

test("packages are listed with their layer and source", async ({ page }) => {
  await openAnalysedTag(page, TAG_PATH);

  const table = page.getByRole("table", { name: /^Packages of linux\/amd64/ });
  await expect(table).toBeVisible();
  await expect(table.getByRole("columnheader")).toHaveText(["Name", "Version", "Type", "License", "Layer", "Source package"]);
  const bash = table.locator('tr[data-package="bash"]');
  await expect(bash.getByRole("cell").nth(0)).toHaveText("5.2.15-2+b8");
  await expect(bash.getByRole("cell").nth(1)).toHaveText("deb");
  await expect(bash.getByRole("cell").nth(3)).toContainText(/^1 of 2: sha256:[0-9a-f]{12}$/);
  await expect(bash.getByRole("cell").nth(4)).toHaveText("bash 5.2.15-2");
});

test("search finds a package by name", async ({ page }) => {
  await openAnalysedTag(page, TAG_PATH);

  await page.getByLabel("Name or source package").fill("bash");
  await page.getByRole("button", { name: "Filter" }).click();

  await expect(page).toHaveURL(/[?&]q=bash(&|#|$)/);
  const rows = page.locator("tr[data-package]");
  await expect(page.locator('tr[data-package="bash"]')).toBeVisible();
  for (const name of await rows.evaluateAll((elements) => elements.map((element) => element.textContent ?? ""))) {
    expect(name.toLowerCase()).toContain("bash");
  }
});

test("type filter is kept in a shared link", async ({ page }) => {
  await openAnalysedTag(page, TAG_PATH);
  const total = await page.locator("tr[data-package]").count();

  await page.getByLabel("Type").selectOption("deb");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]type=deb(&|#|$)/);

  // Opening the same URL in a fresh page shows the same filtered view.
  const shared = await page.context().newPage();
  await shared.goto(page.url());
  await expect(shared.getByLabel("Type")).toHaveValue("deb");
  await expect(shared.locator("tr[data-package]")).toHaveCount(total);
  await expect(shared.locator('tr[data-package]:not([data-package-type="deb"])')).toHaveCount(0);
  await shared.close();
});

test("search without a match says so", async ({ page }) => {
  await openAnalysedTag(page, `${TAG_PATH}?q=no-such-package-anywhere`);
  await expect(page.getByTestId("packages-empty")).toHaveText(/No packages match these filters/);
});

test("invalid filter is reported and ignored", async ({ page }) => {
  await openAnalysedTag(page, `${TAG_PATH}?type=docker`);
  await expect(page.getByTestId("package-query-problems")).toContainText('Ignored the type "docker"');
  await expect(page.locator('tr[data-package="bash"]')).toBeVisible();
});

test("both SBOM downloads list the packages", async ({ page }) => {
  await openAnalysedTag(page, TAG_PATH);

  const spdx = await download(page, /^SPDX 2\.3 JSON SBOM of linux\/amd64$/);
  expect(spdx.fileName).toMatch(/^demo-web-1\.0-linux-amd64-[0-9a-f]{12}\.spdx\.json$/);
  const spdxDocument = spdx.json as { spdxVersion: string; packages: { name: string; versionInfo?: string }[] };
  expect(spdxDocument.spdxVersion).toBe("SPDX-2.3");
  expect(spdxDocument.packages).toContainEqual(expect.objectContaining({ name: "bash", versionInfo: "5.2.15-2+b8" }));

  const cycloneDx = await download(page, /^CycloneDX 1\.6 JSON SBOM of linux\/amd64$/);
  expect(cycloneDx.fileName).toMatch(/^demo-web-1\.0-linux-amd64-[0-9a-f]{12}\.cdx\.json$/);
  const bom = cycloneDx.json as { specVersion: string; components: { name: string; version?: string; purl?: string }[] };
  expect(bom.specVersion).toBe("1.6");
  expect(bom.components).toContainEqual(expect.objectContaining({ name: "bash", version: "5.2.15-2+b8", purl: expect.stringMatching(/^pkg:deb\/debian\/bash@/) }));
});

test("SBOM route rejects a bad format or platform", async ({ page }) => {
  await openAnalysedTag(page, TAG_PATH);
  const link = await page.getByRole("link", { name: /^SPDX 2\.3 JSON SBOM/ }).getAttribute("href");
  const platform = new URL(link ?? "", "http://host").searchParams.get("platform") ?? "";

  const badFormat = await page.request.get(`${TAG_PATH}/sbom?format=xml&platform=${encodeURIComponent(platform)}`);
  expect(badFormat.status()).toBe(400);
  expect(((await badFormat.json()) as { error: { message: string } }).error.message).toBe('The format "xml" is not supported. Use format=spdx or cyclonedx.');

  const badPlatform = await page.request.get(`${TAG_PATH}/sbom?format=spdx&platform=sha256%3A${"0".repeat(64)}`);
  expect(badPlatform.status()).toBe(400);
  const message = ((await badPlatform.json()) as { error: { message: string } }).error.message;
  expect(message).toContain(`"sha256:${"0".repeat(64)}" is not an image of demo/web:1.0`);
  expect(message).toContain(`${platform} (linux/amd64)`);
});

test("multi-platform tag lists one platform's packages at a time", async ({ page }) => {
  // The page opens on linux/arm64/v8, the platform whose grade is the tag's, and shows only that platform.
  await openAnalysedTag(page, "/repository/demo/multi-arch/tags/latest");
  const amd64Table = page.getByRole("table", { name: /^Packages of linux\/amd64/ });
  const arm64Table = page.getByRole("table", { name: /^Packages of linux\/arm64\/v8/ });
  await expect(arm64Table).toBeVisible();
  await expect(amd64Table).toHaveCount(0);

  await page.getByRole("navigation", { name: "Platforms" }).locator('[data-platform-link="linux/amd64"]').click();
  await expect(page).toHaveURL(/[?&]platform=sha256%3A[0-9a-f]{64}/);
  await expect(amd64Table).toBeVisible();
  await expect(arm64Table).toHaveCount(0);
});
