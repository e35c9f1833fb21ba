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

test.describe("malformed URLs", () => {
  test("bad percent-encoding gets a 400 with the reason", async ({ request }) => {
    for (const path of ["/api/v1/orgs/%ZZ/repositories", "/api/v1/repositories/demo/web/tags/%E0%A4%A/report"]) {
      const response = await request.get(path);
      expect(response.status(), path).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain("percent-encoded");
    }
    const page = await request.get("/repository/demo/%ZZ/tags");
    expect(page.status()).toBe(400);
    expect(await page.text()).toContain('Write "%25" for a literal "%"');
  });

  test("a NUL in an API path gets a JSON 400", async ({ request }) => {
    const response = await request.get("/api/v1/orgs/demo%00/repositories");
    expect(response.status()).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("INVALID_INPUT");
  });
});
