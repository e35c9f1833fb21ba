import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { POST as queryAdvisoriesRoute } from "@/app/api/v1/advisories/query/route";
import { GET as policyConfigurationRoute } from "@/app/api/v1/orgs/[org]/policy-configuration/route";
import { type CommandIo, scoreCommand, type ScoreOptions } from "@/bin/commands/score";
import { startRouteServer, type RouteServer } from "@/lib/api/testing/route-server";
import { type ApiSeed, seedApi } from "@/lib/api/testing/seed-api";
import type { JsonScoreReport } from "@/lib/cli/score-report-json";
import { openTemporaryStore, type LocalStore } from "@/lib/cli/local-store";
import { getPrisma } from "@/lib/db";
import { gradeImages } from "@/lib/grading/grade-images";
import { latestReports } from "@/lib/grading/refresh-grades";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { defaultPolicyConfig, type PolicyResult } from "@/scoring";

const prisma = getPrisma();

describe("shipshape score --server", () => {
  let registry: RegistryServer;
  let server: RouteServer;
  let seed: ApiSeed;
  let store: LocalStore;
  let image: string;

  beforeAll(async () => {
    registry = await startRegistryServer();
    seed = await seedApi(prisma, registry);
    server = await startRouteServer([
      { method: "GET", path: "/api/v1/orgs/{org}/policy-configuration", handler: policyConfigurationRoute },
      { method: "POST", path: "/api/v1/advisories/query", handler: queryAdvisoriesRoute },
    ]);
    // The server's acme runs configuration version 2, which turns off the non-root policy; the dashboard re-grades under it.
    const acme = await prisma.organization.findUniqueOrThrow({ where: { name: "acme" } });
    const saved = { ...defaultPolicyConfig, version: 2, policies: { ...defaultPolicyConfig.policies, "default-non-root-user": { weight: 0 } } };
    await prisma.policyConfiguration.create({ data: { organizationId: acme.id, version: 2, config: JSON.parse(JSON.stringify(saved)), author: "owner@acme.test" } });
    await gradeImages(prisma, [seed.apiImage]);
    // The command line's own database, separate from the server's.
    store = await openTemporaryStore();
    image = `${new URL(registry.url).host}/acme/api:latest`;
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await server?.close();
    await registry?.stop();
  });

  async function score(options: Partial<ScoreOptions>, environment: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CommandIo = {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      environment,
      stdoutIsTerminal: false,
      stderrIsTerminal: false,
      openStore: async () => ({ prisma: store.prisma, close: async () => {} }),
    };
    const code = await scoreCommand(image, { format: "json", sarifLocation: "Dockerfile", baseRegistries: [], ...options }, io);
    return { code, stdout: out.join(""), stderr: err.join("") };
  }

  test("grade equals the dashboard's", async () => {
    const outcome = await score({ server: server.url, org: "acme" }, { SHIPSHAPE_TOKEN: seed.tokens.owner! });
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    const report = JSON.parse(outcome.stdout) as JsonScoreReport;
    const dashboard = (await latestReports(prisma, [seed.apiImage])).get(seed.apiImage)!;

    expect(report.policyConfigVersion).toBe(2);
    expect(dashboard.policyConfigVersion).toBe(2);
    const platform = report.platforms[0]!;
    expect({ grade: platform.grade, earned: platform.earned, possible: platform.possible }).toEqual({ grade: dashboard.grade, earned: dashboard.earned, possible: dashboard.possible });
    const dashboardPolicies = (dashboard.results as unknown as PolicyResult[]).map(({ id, status, points, summary }) => ({ id, status, points, summary }));
    expect(platform.policies.map(({ id, status, points, summary }) => ({ id, status, points, summary }))).toEqual(dashboardPolicies);
    // The finding, and its KEV mark, came from the server's advisories.
    expect(platform.vulnerabilities.map((finding) => [finding.id, finding.packageName, finding.knownExploited])).toEqual([["CVE-2018-5407", "libssl1.0", true]]);
  });

  test.each<[string, Partial<ScoreOptions>, Record<string, string>, string]>([
    ["no organization", { server: "SERVER" }, { SHIPSHAPE_TOKEN: "TOKEN" }, "needs --org ORG"],
    ["no token", { server: "SERVER", org: "acme" }, {}, "needs an API token"],
    ["with --config", { server: "SERVER", org: "acme", config: "shipshape.yml" }, { SHIPSHAPE_TOKEN: "TOKEN" }, "--server and --config shipshape.yml are both set"],
    ["an organization alone", { org: "acme" }, {}, "--org acme is set without --server"],
    ["a revoked token", { server: "SERVER", org: "acme" }, { SHIPSHAPE_TOKEN: "REVOKED" }, "revoked"],
  ])("%s is rejected", async (_case, options, environment, message) => {
    const resolved = { ...options, server: options.server === "SERVER" ? server.url : options.server };
    const tokens: Record<string, string> = { TOKEN: seed.tokens.owner!, REVOKED: seed.tokens.revoked! };
    const env = Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, tokens[value] ?? value]));
    const outcome = await score(resolved, env);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe("");
    expect(outcome.stderr).toContain(message);
    expect(outcome.stderr).not.toContain(seed.tokens.owner!);
  });
});
