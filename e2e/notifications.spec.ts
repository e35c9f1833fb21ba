import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { users } from "@/e2e/matrix-users";
import { signIn } from "@/e2e/sign-in";

interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** Returns the date `days` from today in UTC, in the YYYY-MM-DD form a date input takes. */
function dateInDays(days: number): string {
  return new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

// The worker's notification pass runs once a minute and sends a burst one pass after it ends.
test.setTimeout(5 * 60 * 1000);

test("owner creates rules and a webhook, and sees its delivery", async ({ page }) => {
  const received: ReceivedRequest[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(200, { "content-type": "text/plain" }).end("received by the e2e receiver");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  try {
    await signIn(page, users.owner);

    // A personal rule, from the link in the header.
    await page.getByRole("link", { name: "Notifications", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Your notifications" })).toBeVisible();
    const ownForm = page.getByRole("form", { name: "Create a rule" });
    await ownForm.getByLabel("Organization", { exact: true }).selectOption("demo");
    await ownForm.getByLabel("Repository", { exact: true }).selectOption("demo/web");
    await ownForm.getByLabel("Grade drops", { exact: true }).selectOption("C");
    await ownForm.getByRole("button", { name: "Create rule" }).click();
    await expect(ownForm.getByRole("status")).toHaveText("Rule created.");
    const ownRules = page.getByRole("list", { name: "Your rules" });
    await expect(ownRules).toContainText("demo/web: A tag's grade drops, grade drops below C only (immediately)");

    // A webhook: a bad URL is named with its fix, then the receiver's URL is accepted.
    await page.goto("/orgs/demo/settings/notifications");
    await expect(page.getByRole("link", { name: "Notifications", exact: true }).last()).toHaveAttribute("aria-current", "page");
    const webhookForm = page.getByRole("form", { name: "Create a webhook" });
    await webhookForm.getByLabel("Webhook name").fill("e2e receiver");
    await webhookForm.getByLabel("Webhook URL").fill("ftp://hooks.example.com/shipshape");
    await webhookForm.getByRole("button", { name: "Create webhook" }).click();
    await expect(webhookForm.getByRole("status")).toHaveText(
      'The webhook URL "ftp://hooks.example.com/shipshape" uses ftp, but webhooks must use http or https. Enter an http:// or https:// URL.',
    );
    // React resets a form after its action runs, so both fields are entered again.
    await webhookForm.getByLabel("Webhook name").fill("e2e receiver");
    await webhookForm.getByLabel("Webhook URL").fill(receiverUrl);
    await webhookForm.getByRole("button", { name: "Create webhook" }).click();
    await expect(webhookForm.getByRole("status")).toContainText("Webhook e2e receiver created.");
    const secret = /copy it to the receiver: ([0-9a-f]{64})$/.exec((await webhookForm.getByRole("status").textContent()) ?? "")?.[1];
    expect(secret).toBeDefined();
    await expect(page.locator('li[data-webhook="e2e receiver"]')).toContainText("Active");

    // A webhook rule for exception expiry only.
    const ruleForm = page.getByRole("form", { name: "Create a webhook rule" });
    await ruleForm.getByLabel("Webhook", { exact: true }).selectOption({ label: "e2e receiver" });
    await ruleForm.getByLabel("A tag's grade drops").uncheck();
    await ruleForm.getByLabel("An exception expires within 7 days, or has expired").check();
    await ruleForm.getByRole("button", { name: "Create webhook rule" }).click();
    await expect(ruleForm.getByRole("status")).toHaveText("Webhook rule created.");
    await expect(page.getByRole("list", { name: "Team and webhook rules" })).toContainText("Webhook e2e receiver · Every repository: An exception expires within 7 days, or has expired (immediately)");

    // An exception that expires in 3 days makes the event; its CVE is in no image, so no grade moves.
    await page.goto("/orgs/demo/settings/exceptions");
    const exceptionForm = page.getByRole("form", { name: "Add an exception" });
    await exceptionForm.getByLabel("Vulnerability id").fill("CVE-2024-987654");
    await exceptionForm.getByLabel("Reason").fill("Notification test: this CVE is in no image.");
    await exceptionForm.getByLabel("Expiry date").fill(dateInDays(3));
    await exceptionForm.getByRole("button", { name: "Add exception" }).click();
    await expect(exceptionForm.getByRole("status")).toContainText("Exception for CVE-2024-987654 added.");

    // The delivery shows up in the log with the receiver's response.
    await page.goto("/orgs/demo/settings/notifications");
    const log = page.getByRole("table", { name: "Webhook deliveries" });
    await expect(async () => {
      await page.reload();
      await expect(log.locator("tbody tr").first()).toContainText("SENT", { timeout: 1000 });
    }).toPass({ timeout: 4 * 60 * 1000, intervals: [5000] });
    const row = log.locator("tbody tr").first();
    await expect(row).toContainText("e2e receiver");
    await expect(row).toContainText("HTTP 200");
    await expect(row).toContainText("received by the e2e receiver");

    const delivery = received.find((request) => request.body.includes("CVE-2024-987654"));
    expect(delivery).toBeDefined();
    const timestamp = delivery!.headers["x-shipshape-timestamp"] as string;
    const signature = `sha256=${createHmac("sha256", secret!).update(`${timestamp}.${delivery!.body}`).digest("hex")}`;
    expect(delivery!.headers["x-shipshape-signature"]).toBe(signature);
    const body = JSON.parse(delivery!.body) as { organization: string; events: { kind: string; title: string; link: string }[] };
    expect(body.organization).toBe("demo");
    const event = body.events.find((candidate) => candidate.title.includes("CVE-2024-987654"));
    expect(event?.kind).toBe("exception-expiry");
    expect(event?.title).toBe(`The exception for CVE-2024-987654 (every repository of demo) expires on ${dateInDays(3)}`);
    expect(event?.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/orgs\/demo\/repositories$/);
  } finally {
    // Later specs see the organization as it was: the exception, webhook and rule are removed.
    await page.goto("/orgs/demo/settings/exceptions");
    const row = page.locator('tr[data-exception="CVE-2024-987654"]');
    if ((await row.count()) > 0) {
      page.once("dialog", (dialog) => void dialog.accept());
      await row.getByRole("button", { name: "Revoke" }).click();
      await expect(row).toHaveCount(0);
    }
    await page.goto("/orgs/demo/settings/notifications");
    const webhook = page.locator('li[data-webhook="e2e receiver"]');
    if ((await webhook.count()) > 0) {
      page.once("dialog", (dialog) => void dialog.accept());
      await webhook.getByRole("button", { name: "Delete" }).click();
      await expect(webhook).toHaveCount(0);
    }
    await page.goto("/settings/notifications");
    for (const button of await page.getByRole("list", { name: "Your rules" }).getByRole("button", { name: "Delete" }).all()) await button.click();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});

test("unsubscribe page rejects forged link", async ({ page }) => {
  // No session: the page is public, and a forged token changes nothing.
  await page.goto("/notifications/unsubscribe?token=rule.user.forged-signature");
  await expect(page).toHaveURL(/\/notifications\/unsubscribe\?token=/);
  await expect(page.getByRole("heading", { name: "Unsubscribe" })).toBeVisible();
  await expect(page.locator("main").getByRole("alert")).toHaveText("This unsubscribe link is invalid or its rule no longer exists. Manage your rules under your notification settings after signing in.");
  await expect(page.getByRole("button", { name: "Unsubscribe" })).toHaveCount(0);
});
