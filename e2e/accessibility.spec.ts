import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousViolations } from "@/e2e/axe-check";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

// Axe checks of the pages that no other spec checks. Other specs already check the demo overview
// (overview.spec.ts), the demo repository list (repository-list.spec.ts), the General tab and the tags
// list of demo/web (repository-pages.spec.ts), the tag views of demo/web:1.0 and
// demo/multi-arch:latest (tag-view.spec.ts) and the comparison page (compare.spec.ts).

interface PageCase {
  label: string;
  path: string;
  /** The page's level-1 heading, which is visible once the page has rendered. */
  heading: string;
  /** Waits for content that appears after the first render, such as charts or a finished analysis. */
  ready?: (page: Page) => Promise<void>;
}

async function openAndCheck(page: Page, entry: PageCase): Promise<void> {
  await page.goto(entry.path);
  await expect(page.getByRole("heading", { name: entry.heading, level: 1 })).toBeVisible();
  await entry.ready?.(page);
  await expectNoSeriousViolations(page);
}

/** Reloads until `check` passes, for content the in-process worker produces after the sync. */
async function reloadUntil(page: Page, check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 60_000 });
}

const signedOutPages: PageCase[] = [
  { label: "sign-in page", path: "/signin", heading: "Sign in to Shipshape" },
  { label: "set-password page", path: "/set-password?token=unknown", heading: "Set your password" },
];

const ownerPages: PageCase[] = [
  { label: "home page", path: "/", heading: "Organizations" },
  {
    label: "bulk overview",
    path: "/orgs/bulk",
    heading: "bulk",
    ready: async (page) => {
      await expect(page.getByTestId("grade-distribution").locator("svg").first()).toBeVisible();
      await expect(page.getByRole("img", { name: /Repositories per grade at the end of each day/ }).locator("svg").first()).toBeVisible();
    },
  },
  {
    label: "paged repository list",
    path: "/orgs/bulk/repositories?page=2",
    heading: "bulk",
    ready: async (page) => {
      await expect(page.getByRole("navigation", { name: "Pages of the repository list" })).toBeVisible();
    },
  },
  {
    label: "General tab with findings",
    path: "/repository/demo/worker/general",
    heading: "demo/worker",
    // A repository's first grade is recorded when its latest tag is graded, which can follow the sync.
    ready: (page) => reloadUntil(page, () => expect(page.getByTestId("grade-history-list").locator("tbody tr").first()).toBeVisible({ timeout: 1_000 })),
  },
  {
    label: "tags list of worker",
    path: "/repository/demo/worker/tags",
    heading: "demo/worker",
    ready: async (page) => {
      await expect(page.locator("tr[data-tag]").first()).toBeVisible();
    },
  },
  {
    label: "tag view with findings",
    path: "/repository/demo/worker/tags/2.0",
    heading: "demo/worker:2.0",
    ready: (page) => reloadUntil(page, () => expect(page.getByTestId("analysis-state")).toHaveAttribute("data-status", "analysed", { timeout: 1_000 })),
  },
  { label: "members settings", path: "/orgs/demo/settings/members", heading: "Settings" },
  { label: "teams settings", path: "/orgs/demo/settings/teams", heading: "Settings" },
  { label: "audit log", path: "/orgs/demo/settings/audit", heading: "Settings" },
  { label: "exceptions settings", path: "/orgs/demo/settings/exceptions", heading: "Settings" },
  { label: "all exceptions", path: "/orgs/demo/settings/exceptions?show=all", heading: "Settings" },
  { label: "policies settings", path: "/orgs/demo/settings/policies", heading: "Settings" },
  { label: "not-found page", path: "/orgs/nonexistent", heading: "Page not found" },
];

test.describe("signed out", () => {
  for (const entry of signedOutPages) {
    test(`${entry.label} passes axe`, async ({ page }) => {
      await openAndCheck(page, entry);
    });
  }
});

test.describe("owner", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, users.owner);
  });

  for (const entry of ownerPages) {
    test(`${entry.label} passes axe`, async ({ page }) => {
      await openAndCheck(page, entry);
    });
  }
});

test("administration page passes axe", async ({ page }) => {
  await signIn(page, users.admin);
  await openAndCheck(page, { label: "administration page", path: "/admin", heading: "Site administration" });
});
