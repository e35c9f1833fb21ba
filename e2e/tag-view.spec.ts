import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// The e2e server syncs and grades the demo organization's sample images. demo/web:1.0 runs as root without
// attestations and grades D (45 of 90 points). demo/web:1.1 carries an SBOM and max-mode provenance.
// demo/multi-arch:latest has an amd64 image that runs as nobody and an arm64/v8 image that sets no User.

const WEB_1_0 = "/repository/demo/web/tags/1.0";

test.beforeEach(async ({ page }) => {
  await signIn(page, users.owner);
});

/** Opens a tag page and reloads it until the platform image shown is analysed. */
async function openAnalysedTag(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("analysis-state")).toHaveAttribute("data-status", "analysed", { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
}

/** Fails with the rule, its help text and the elements when axe finds a serious or critical violation. */
async function expectNoSeriousViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(serious).toEqual([]);
}

test("platform switcher opens on the worst platform", async ({ page }) => {
  await page.goto("/repository/demo/multi-arch/tags/latest");

  const switcher = page.getByRole("navigation", { name: "Platforms" });
  await expect(switcher.getByRole("link")).toHaveCount(2);
  const amd64 = switcher.locator('[data-platform-link="linux/amd64"]');
  const arm64 = switcher.locator('[data-platform-link="linux/arm64/v8"]');
  await expect(amd64).toHaveAttribute("data-grade", /^[A-F]$/);
  await expect(arm64).toHaveAttribute("data-grade", /^[A-F]$/);

  // arm64/v8 runs as root, so it grades below amd64 and its grade is the tag's.
  await expect(arm64).toHaveAttribute("aria-current", "page");
  await expect(page.locator("section[data-platform]")).toHaveAttribute("data-platform", "linux/arm64/v8");
  const arm64Grade = await arm64.getAttribute("data-grade");
  await expect(page.getByTestId("tag-header").locator("[data-grade]")).toHaveAttribute("data-grade", arm64Grade ?? "");
  await expect(switcher).toContainText(`The tag's grade is its worst platform's: linux/arm64/v8 with ${arm64Grade}.`);

  await amd64.click();
  await expect(page).toHaveURL(/[?&]platform=sha256%3A[0-9a-f]{64}/);
  await expect(page.locator("section[data-platform]")).toHaveAttribute("data-platform", "linux/amd64");
  await expect(switcher.locator('[data-platform-link="linux/amd64"]')).toHaveAttribute("aria-current", "page");
  await expect(page.locator('li[data-policy="default-non-root-user"]')).toHaveAttribute("data-status", "pass");
});

test("fixes of web:1.0 include the USER line", async ({ page }) => {
  await page.goto(WEB_1_0);

  const fixes = page.getByRole("list", { name: "Fixes, most points first" }).locator("li[data-fix]");
  const points = await fixes.getByTestId("fix-points").allTextContents();
  const values = points.map((text) => Number(/\d+/.exec(text)?.[0]));
  expect(values.length).toBeGreaterThan(1);
  expect(values).toEqual([...values].sort((a, b) => b - a));

  const user = page.locator('li[data-fix="default-non-root-user"]');
  await expect(user.getByTestId("fix-points")).toHaveText("+5 points");
  await expect(user.getByTestId("fix-remediation").locator("code").first()).toContainText("USER");
  // 50 of 90 points is 55.6 %, a C.
  await expect(user.getByTestId("fix-effect")).toContainText("This change alone takes the tag from D to C");

  const attestations = page.locator('li[data-fix="supply-chain-attestations"]');
  await expect(attestations.getByTestId("fix-remediation")).toContainText("docker buildx build --sbom=true --provenance=mode=max");
});

test("score arithmetic names what it was graded with", async ({ page }) => {
  await page.goto(WEB_1_0);

  const arithmetic = page.getByRole("region", { name: "Score arithmetic" });
  await expect(arithmetic.getByTestId("score-sum")).toHaveText("45 of 90 points = 50 % → D");
  await expect(arithmetic.locator('tr[data-policy-row="default-non-root-user"]').getByRole("cell")).toHaveText(["Default non-root user", "Failed", "0", "5"]);
  // The policies spec may have saved newer configuration versions before this one runs.
  await expect(arithmetic.getByTestId("report-config-version")).toHaveText(/^version \d+$/);
  await expect(arithmetic.getByTestId("report-engine-version")).not.toBeEmpty();
  await expect(arithmetic.getByTestId("report-advisory-snapshot")).not.toBeEmpty();
});

test("layers list their build commands", async ({ page }) => {
  await openAnalysedTag(page, WEB_1_0);

  const layers = page.getByTestId("layers");
  const bottom = layers.locator('[data-layer-position="1"]');
  const top = layers.locator('[data-layer-position="2"]');
  await expect(bottom.getByTestId("layer-command")).toContainText("ADD debian-12-rootfs.tar / # buildkit");
  await expect(top.getByTestId("layer-command")).toContainText("COPY app/ /app/ # buildkit");
  await expect(layers.locator('[data-step="config"]').first()).toHaveText(/CMD \["bash"\]/);
  // The Debian layer installed the dpkg packages, and the app layer added none.
  await expect(bottom.getByTestId("layer-packages")).toContainText(/Added \d+ packages/);
  await bottom.getByTestId("layer-packages").locator("summary").click();
  await expect(bottom.getByTestId("layer-packages")).toContainText("bash");
  await expect(top.getByTestId("layer-packages")).toHaveText("Added no packages.");
});

test("history lists the push", async ({ page }) => {
  await page.goto(WEB_1_0);

  const history = page.getByRole("region", { name: "Tag history" });
  await expect(history.locator('tr[data-cause="push"]')).toHaveCount(1);
  await expect(history.locator('tr[data-cause="push"]')).toContainText("none");
  await expect(history.getByTestId("tag-digests").locator('li[data-current="true"]')).toHaveCount(1);
});

test("attestations of web:1.1 show max-mode provenance", async ({ page }) => {
  await page.goto("/repository/demo/web/tags/1.1");

  const attestations = page.getByRole("list", { name: "Attestations" });
  const provenance = attestations.locator('li[data-attestation="provenance"]');
  await expect(provenance).toHaveAttribute("data-provenance-mode", "max");
  await expect(provenance.getByTestId("provenance-mode")).toHaveText("max");
  await expect(provenance.getByTestId("provenance-builder")).toHaveText("https://ci.example.org/demo/web/builds/1.1");
  await expect(provenance.getByTestId("provenance-materials")).toContainText("pkg:docker/debian@12-slim");
  await expect(attestations.locator('li[data-attestation="sbom"]')).toContainText("https://spdx.dev/Document");

  const base = page.getByTestId("base-image-details");
  await expect(base).toHaveAttribute("data-source", "provenance");
  await expect(base).toContainText("docker.io/library/debian:12-slim");
});

test("tag view has no serious accessibility violations", async ({ page }, testInfo) => {
  await openAnalysedTag(page, WEB_1_0);
  await expectNoSeriousViolations(page);
  await page.screenshot({ path: testInfo.outputPath("tag-view.png"), fullPage: true });

  await openAnalysedTag(page, "/repository/demo/multi-arch/tags/latest");
  await expectNoSeriousViolations(page);
  await page.screenshot({ path: testInfo.outputPath("tag-view-multi-arch.png"), fullPage: true });
});
