import { expect, test } from "@playwright/test";
import { E2E_METRICS_TOKEN } from "@/e2e/operations-token";

test.describe("operations endpoints", () => {
  test("health reports the database and the queue", async ({ request }) => {
    const response = await request.get("/api/health");
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "ok", queue: "ok" });
  });

  test("metrics need the bearer token", async ({ request }) => {
    const missing = await request.get("/api/metrics");
    expect(missing.status()).toBe(401);
    expect(missing.headers()["www-authenticate"]).toContain("Bearer");
    const wrong = await request.get("/api/metrics", { headers: { authorization: "Bearer not-the-metrics-token" } });
    expect(wrong.status()).toBe(401);
  });

  test("metrics show the synced sample organization", async ({ request }) => {
    const response = await request.get("/api/metrics", { headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` } });
    expect(response.status()).toBe(200);
    const text = await response.text();
    const repositories = /^shipshape_repositories\{organization="demo"\} (\d+)$/m.exec(text);
    expect(Number(repositories?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^shipshape_sync_runs\{organization="demo",status="succeeded"\} [1-9]/m);
    expect(text).toMatch(/^shipshape_advisories [1-9]/m);
  });
});
