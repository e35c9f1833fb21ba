import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { POST as queryAdvisoriesRoute } from "@/app/api/v1/advisories/query/route";
import { GET as openApiRoute } from "@/app/api/v1/openapi.json/route";
import { GET as policyConfigurationRoute } from "@/app/api/v1/orgs/[org]/policy-configuration/route";
import { GET as repositoriesRoute } from "@/app/api/v1/orgs/[org]/repositories/route";
import { GET as organizationsRoute } from "@/app/api/v1/orgs/route";
import { GET as findingsRoute } from "@/app/api/v1/repositories/[org]/[repo]/tags/[tag]/findings/route";
import { GET as reportRoute } from "@/app/api/v1/repositories/[org]/[repo]/tags/[tag]/report/route";
import { GET as sbomRoute } from "@/app/api/v1/repositories/[org]/[repo]/tags/[tag]/sbom/route";
import { GET as tagsRoute } from "@/app/api/v1/repositories/[org]/[repo]/tags/route";
import { createApiToken } from "@/lib/api/api-tokens";
import { buildOpenApiDocument } from "@/lib/api/openapi-document";
import { callRoute, callers, seedApi, type ApiSeed, type Caller } from "@/lib/api/testing/seed-api";
import { toSpdxDocument } from "@/lib/analysis/sbom-export";
import { getImageSbomInput } from "@/lib/data/get-image-analysis";
import { getPrisma } from "@/lib/db";
import { requestRegradeForException } from "@/lib/grading/regrade-exceptions";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { defaultPolicyConfig, parsePolicyConfig } from "@/scoring";

const prisma = getPrisma();
const tagParams = { org: "acme", repo: "api", tag: "latest" };
const tagPath = "/api/v1/repositories/acme/api/tags/latest";

/** One GET endpoint of acme/api, called with each caller's token. */
const repositoryEndpoints = [
  { name: "repositories", call: (token: string | null) => callRoute(repositoriesRoute, "/api/v1/orgs/acme/repositories", { org: "acme" }, token) },
  { name: "tags", call: (token: string | null) => callRoute(tagsRoute, "/api/v1/repositories/acme/api/tags", { org: "acme", repo: "api" }, token) },
  { name: "report", call: (token: string | null) => callRoute(reportRoute, `${tagPath}/report`, tagParams, token) },
  { name: "findings", call: (token: string | null) => callRoute(findingsRoute, `${tagPath}/findings`, tagParams, token) },
  { name: "sbom", call: (token: string | null) => callRoute(sbomRoute, `${tagPath}/sbom?format=spdx`, tagParams, token) },
];

/**
 * Expected status per caller for acme/api's endpoints. The outsider is an acme
 * member without access, so the repository list returns 200 with no rows,
 * while acme/api itself is 404 to them, as to the globex owner.
 */
const expectedStatus: Record<string, Record<Caller, number>> = {
  repositories: { owner: 200, reader: 200, outsider: 200, rival: 404, none: 401, revoked: 401, expired: 401 },
  tags: { owner: 200, reader: 200, outsider: 404, rival: 404, none: 401, revoked: 401, expired: 401 },
  report: { owner: 200, reader: 200, outsider: 404, rival: 404, none: 401, revoked: 401, expired: 401 },
  findings: { owner: 200, reader: 200, outsider: 404, rival: 404, none: 401, revoked: 401, expired: 401 },
  sbom: { owner: 200, reader: 200, outsider: 404, rival: 404, none: 401, revoked: 401, expired: 401 },
};

function schemaValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const document = buildOpenApiDocument();
  // OpenAPI's top-level keywords are not JSON Schema; declaring them lets strict mode read the document for its $refs.
  ajv.addVocabulary(["openapi", "info", "paths", "components", "security"]);
  ajv.addSchema(document, "openapi");
  return (name: string, value: unknown) => {
    const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
    if (!validate) throw new Error(`The OpenAPI document has no schema ${name}`);
    const valid = validate(value);
    return valid ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

describe("API routes", () => {
  let registry: RegistryServer;
  let seed: ApiSeed;
  const validate = schemaValidator();

  beforeAll(async () => {
    registry = await startRegistryServer();
    seed = await seedApi(prisma, registry);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  describe.each(repositoryEndpoints)("$name permission matrix", ({ name, call }) => {
    test.each([...callers])("%s", async (caller) => {
      const response = await call(seed.tokens[caller]);
      expect(response.status).toBe(expectedStatus[name]![caller]);
    });
  });

  test("guessed repository matches a missing one", async () => {
    const guessed = await callRoute(tagsRoute, "/api/v1/repositories/globex/site/tags", { org: "globex", repo: "site" }, seed.tokens.owner);
    const missing = await callRoute(tagsRoute, "/api/v1/repositories/globex/nothing/tags", { org: "globex", repo: "nothing" }, seed.tokens.owner);
    const guessedBody = await json(guessed);
    const missingBody = await json(missing);

    expect(guessed.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(guessedBody).toEqual({ error: { code: "NOT_FOUND", message: "Repository globex/site was not found." } });
    expect(missingBody).toEqual({ error: { code: "NOT_FOUND", message: "Repository globex/nothing was not found." } });
  });

  test("private repository hidden from reader", async () => {
    const response = await callRoute(reportRoute, "/api/v1/repositories/acme/private/tags/latest/report", { org: "acme", repo: "private", tag: "latest" }, seed.tokens.reader);
    expect(response.status).toBe(404);
  });

  test.each<[Caller, string]>([
    ["none", "The Authorization header is missing."],
    ["revoked", 'The token "revoked" was revoked at'],
    ["expired", 'The token "expired" expired at'],
  ])("401 for %s names the problem", async (caller, problem) => {
    const response = await callRoute(organizationsRoute, "/api/v1/orgs", {}, seed.tokens[caller]);
    const body = await json(response);
    const error = body.error as { code: string; message: string };

    expect(response.status).toBe(401);
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toContain(problem);
    expect(error.message).toContain("/settings/tokens");
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="shipshape"/);
  });

  test("missing header gets bare challenge", async () => {
    const response = await callRoute(organizationsRoute, "/api/v1/orgs", {}, null);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="shipshape"');
  });

  test.each([
    ["shp_not-a-real-token", "not valid: no active account has it"],
    ["ghp_1234567890", 'they start with "shp_"'],
  ])("401 for token %s", async (token, problem) => {
    const response = await callRoute(organizationsRoute, "/api/v1/orgs", {}, token);
    const body = await json(response);

    expect(response.status).toBe(401);
    expect((body.error as { message: string }).message).toContain(problem);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="shipshape", error="invalid_token"');
  });

  test("Basic scheme is rejected", async () => {
    const request = new NextRequest("http://127.0.0.1/api/v1/orgs", { headers: { authorization: "Basic b3duZXI6cGFzc3dvcmQ=" } });
    const response = await organizationsRoute(request, { params: Promise.resolve({}) });
    expect(response.status).toBe(401);
    expect(((await json(response)).error as { message: string }).message).toContain("not a Bearer token");
  });

  test("token use records last-used time", async () => {
    const { token, summary } = await createApiToken(seed.viewers.rival, { name: "fresh", expiresInDays: 30 });
    expect(summary.lastUsedAt).toBeNull();

    await callRoute(organizationsRoute, "/api/v1/orgs", {}, token);
    const after = await prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } });
    expect(after.lastUsedAt).toBeInstanceOf(Date);
  });

  test("organizations per user", async () => {
    const owner = await json(await callRoute(organizationsRoute, "/api/v1/orgs", {}, seed.tokens.owner));
    const outsider = await json(await callRoute(organizationsRoute, "/api/v1/orgs", {}, seed.tokens.outsider));
    const rival = await json(await callRoute(organizationsRoute, "/api/v1/orgs", {}, seed.tokens.rival));

    expect(owner).toEqual({ organizations: [{ name: "acme", repositoryCount: 2 }] });
    expect(outsider).toEqual({ organizations: [{ name: "acme", repositoryCount: 0 }] });
    expect(rival).toEqual({ organizations: [{ name: "globex", repositoryCount: 1 }] });
    expect(validate("OrganizationList", owner)).toEqual([]);
  });

  test("repositories by user", async () => {
    const owner = await json(await callRoute(repositoriesRoute, "/api/v1/orgs/acme/repositories", { org: "acme" }, seed.tokens.owner));
    const reader = await json(await callRoute(repositoriesRoute, "/api/v1/orgs/acme/repositories", { org: "acme" }, seed.tokens.reader));
    const outsider = await json(await callRoute(repositoriesRoute, "/api/v1/orgs/acme/repositories", { org: "acme" }, seed.tokens.outsider));

    expect((owner.repositories as { name: string }[]).map((row) => row.name)).toEqual(["acme/api", "acme/private"]);
    expect((reader.repositories as { name: string }[]).map((row) => row.name)).toEqual(["acme/api"]);
    expect(outsider.repositories).toEqual([]);
    expect(outsider.total).toBe(0);
    expect(validate("RepositoryList", owner)).toEqual([]);
  });

  test("repositories filter by search", async () => {
    const body = await json(await callRoute(repositoriesRoute, "/api/v1/orgs/acme/repositories?q=priv&sort=grade", { org: "acme" }, seed.tokens.owner));
    expect((body.repositories as { name: string }[]).map((row) => row.name)).toEqual(["acme/private"]);
  });

  test("tags with grades", async () => {
    const body = await json(await callRoute(tagsRoute, "/api/v1/repositories/acme/api/tags", { org: "acme", repo: "api" }, seed.tokens.reader));
    const tags = body.tags as { name: string; grade: string | null; digest: string; platforms: string[] }[];
    const stored = await prisma.tag.findFirstOrThrow({ where: { name: "latest", repository: { name: "acme/api" } } });

    expect(tags.map((tag) => tag.name)).toEqual(["latest"]);
    expect(tags[0]!.grade).toBe(stored.grade);
    expect(tags[0]!.grade).not.toBeNull();
    expect(tags[0]!.digest).toBe(stored.digest);
    expect(tags[0]!.platforms).toEqual(["linux/amd64"]);
    expect(validate("TagList", body)).toEqual([]);
  });

  test("report carries arithmetic and policies", async () => {
    const body = await json(await callRoute(reportRoute, `${tagPath}/report`, tagParams, seed.tokens.reader));
    const stored = await prisma.scoreReport.findFirstOrThrow({ where: { imageDigest: seed.apiImage }, orderBy: { createdAt: "desc" } });
    const platforms = body.platforms as { digest: string; report: Record<string, unknown> }[];
    const report = platforms[0]!.report;
    const policies = report.policies as { id: string; status: string; evidence: unknown[]; remediation: string | null }[];

    expect(body.gradedPlatform).toBe(seed.apiImage);
    expect(platforms.map((platform) => platform.digest)).toEqual([seed.apiImage]);
    expect(report.grade).toBe(stored.grade);
    expect(report.earned).toBe(stored.earned);
    expect(report.possible).toBe(stored.possible);
    expect(report.policyConfigVersion).toBe(1);
    expect(report.advisorySnapshot).toBe(stored.advisorySnapshot);
    expect(report.advisorySnapshot).not.toBeNull();
    expect(policies.map((policy) => policy.id)).toEqual((stored.results as { id: string }[]).map((result) => result.id));
    const critical = policies.find((policy) => policy.id === "no-high-profile-vulnerabilities");
    expect(critical?.status).toBe("fail");
    expect(critical?.remediation).not.toBeNull();
    expect(validate("ScoreReport", body)).toEqual([]);
  });

  test("findings list the KEV vulnerability", async () => {
    const body = await json(await callRoute(findingsRoute, `${tagPath}/findings?severity=critical,high,medium,low,none,unspecified`, tagParams, seed.tokens.owner));
    const findings = body.findings as { vulnerabilityId: string; packageName: string; fixedVersion: string | null; knownExploited: boolean; suppressed: unknown }[];

    expect(findings.map((finding) => [finding.vulnerabilityId, finding.packageName, finding.fixedVersion, finding.knownExploited, finding.suppressed])).toEqual([
      ["CVE-2018-5407", "libssl1.0", "1.0.2q-r0", true, null],
    ]);
    expect(body.image).toEqual({ digest: seed.apiImage, platform: "linux/amd64" });
    expect(validate("FindingList", body)).toEqual([]);
  });

  test("findings show suppression state", async () => {
    const acme = await prisma.organization.findUniqueOrThrow({ where: { name: "acme" } });
    const exception = await prisma.vulnerabilityException.create({
      data: { organizationId: acme.id, vulnerabilityId: "CVE-2018-5407", reason: "Not reachable in this service.", author: "owner@acme.test" },
    });
    try {
      await requestRegradeForException(prisma, acme.id, "CVE-2018-5407");
      const body = await json(await callRoute(findingsRoute, `${tagPath}/findings?suppressed=show`, tagParams, seed.tokens.owner));
      const hidden = await json(await callRoute(findingsRoute, `${tagPath}/findings?suppressed=hide`, tagParams, seed.tokens.owner));
      const findings = body.findings as { suppressed: { by: string; reason: string } | null }[];

      expect(findings.map((finding) => finding.suppressed?.by)).toEqual(["exception"]);
      expect(findings[0]!.suppressed?.reason).toBe("Not reachable in this service.");
      expect(hidden.findings).toEqual([]);
      expect(validate("FindingList", body)).toEqual([]);
    } finally {
      await prisma.vulnerabilityException.delete({ where: { id: exception.id } });
      await requestRegradeForException(prisma, acme.id, "CVE-2018-5407");
    }
  });

  test("SBOM equals the page export", async () => {
    const response = await callRoute(sbomRoute, `${tagPath}/sbom?format=spdx&platform=${seed.apiImage}`, tagParams, seed.tokens.reader);
    const input = await getImageSbomInput(seed.viewers.owner, "acme", "api", "latest", seed.apiImage);
    const body = await json(response);

    expect(response.headers.get("content-type")).toBe("application/spdx+json");
    expect(body).toEqual(JSON.parse(JSON.stringify(toSpdxDocument(input))));
  });

  test("CycloneDX SBOM by default platform", async () => {
    const response = await callRoute(sbomRoute, `${tagPath}/sbom?format=cyclonedx`, tagParams, seed.tokens.owner);
    const body = await json(response);
    expect(response.status).toBe(200);
    expect(body.bomFormat).toBe("CycloneDX");
    expect(JSON.stringify(body)).toContain("libssl1.0");
  });

  test("policy configuration round-trips", async () => {
    const response = await callRoute(policyConfigurationRoute, "/api/v1/orgs/acme/policy-configuration", { org: "acme" }, seed.tokens.outsider);
    const body = await json(response);

    expect(response.status).toBe(200);
    expect(body.version).toBe(1);
    expect(parsePolicyConfig(body.configuration)).toEqual(defaultPolicyConfig);
    expect(validate("PolicyConfigurationResponse", body)).toEqual([]);
  });

  test("policy configuration hidden from rival", async () => {
    const response = await callRoute(policyConfigurationRoute, "/api/v1/orgs/acme/policy-configuration", { org: "acme" }, seed.tokens.rival);
    expect(response.status).toBe(404);
  });

  test("advisory query returns records and KEV", async () => {
    const body = JSON.stringify({ packages: [{ ecosystem: "Alpine:v3.8", name: "openssl" }, { ecosystem: "PyPI", name: "nothing" }] });
    const response = await callRoute(queryAdvisoriesRoute, "/api/v1/advisories/query", {}, seed.tokens.rival, { method: "POST", body });
    const result = await json(response);
    const snapshot = await prisma.advisorySnapshot.findFirstOrThrow({ where: { finishedAt: { not: null } }, orderBy: { finishedAt: "desc" } });

    expect(response.status).toBe(200);
    expect((result.advisories as { id: string }[]).map((advisory) => advisory.id)).toEqual(["CVE-2018-5407"]);
    expect(result.knownExploited).toEqual(["CVE-2018-5407"]);
    expect(result.snapshotId).toBe(snapshot.id);
    expect(validate("AdvisoryQueryResult", result)).toEqual([]);
  });

  test.each<[string, string, string]>([
    ["not JSON", "{packages:", "not valid JSON"],
    ["no packages", "{}", "invalid at packages"],
    ["empty list", '{"packages": []}', "invalid at packages"],
    ["missing name", '{"packages": [{"ecosystem": "PyPI"}]}', "invalid at packages[0].name"],
    ["unknown field", '{"packages": [], "extra": 1}', "invalid at"],
    ["NUL in a name", '{"packages": [{"ecosystem": "npm", "name": "a\\u0000b"}]}', "must not contain control characters"],
    ["too many", JSON.stringify({ packages: Array.from({ length: 5001 }, (_, i) => ({ ecosystem: "PyPI", name: `p${i}` })) }), "invalid at packages"],
  ])("advisory query rejects %s", async (_case, body, message) => {
    const response = await callRoute(queryAdvisoriesRoute, "/api/v1/advisories/query", {}, seed.tokens.owner, { method: "POST", body });
    expect(response.status).toBe(400);
    expect(((await json(response)).error as { message: string }).message).toContain(message);
  });

  test("advisory query error hides body excerpt", async () => {
    const body = "shp_postedByMistake0123456789 rest of a wrong file";
    const response = await callRoute(queryAdvisoriesRoute, "/api/v1/advisories/query", {}, seed.tokens.owner, { method: "POST", body });
    expect(response.status).toBe(400);
    const message = ((await json(response)).error as { message: string }).message;
    expect(message).toContain("is not valid JSON");
    expect(message).not.toContain("posted");
  });

  test("advisory query rejects a huge body", async () => {
    const body = JSON.stringify({ packages: [{ ecosystem: "PyPI", name: "x".repeat(3 * 1024 * 1024) }] });
    const response = await callRoute(queryAdvisoriesRoute, "/api/v1/advisories/query", {}, seed.tokens.owner, { method: "POST", body });
    expect(response.status).toBe(413);
  });

  test.each<[string, () => Promise<Response>, string]>([
    ["unknown parameter", () => callRoute(repositoriesRoute, "/api/v1/orgs/acme/repositories?size=10", { org: "acme" }, seed.tokens.owner), '"size" is not supported'],
    ["bad grade", () => callRoute(repositoriesRoute, "/api/v1/orgs/acme/repositories?grade=Z", { org: "acme" }, seed.tokens.owner), '"grade" has the invalid value "Z"'],
    ["bad sort", () => callRoute(tagsRoute, "/api/v1/repositories/acme/api/tags?sort=size", { org: "acme", repo: "api" }, seed.tokens.owner), '"sort" has the invalid value "size"'],
    ["bad page", () => callRoute(tagsRoute, "/api/v1/repositories/acme/api/tags?page=0", { org: "acme", repo: "api" }, seed.tokens.owner), '"page" has the invalid value "0"'],
    ["repeated page", () => callRoute(tagsRoute, "/api/v1/repositories/acme/api/tags?page=1&page=2", { org: "acme", repo: "api" }, seed.tokens.owner), '"page" was given 2 times'],
    ["bad failing", () => callRoute(repositoriesRoute, "/api/v1/orgs/acme/repositories?failing=nope", { org: "acme" }, seed.tokens.owner), '"failing" has the invalid value "nope"'],
    ["bad severity", () => callRoute(findingsRoute, `${tagPath}/findings?severity=urgent`, tagParams, seed.tokens.owner), '"severity" has the invalid value "urgent"'],
    ["bad fixable", () => callRoute(findingsRoute, `${tagPath}/findings?fixable=maybe`, tagParams, seed.tokens.owner), '"fixable" has the invalid value "maybe"'],
    ["bad platform", () => callRoute(findingsRoute, `${tagPath}/findings?platform=amd64`, tagParams, seed.tokens.owner), '"platform" has the invalid value "amd64"'],
    ["other platform", () => callRoute(findingsRoute, `${tagPath}/findings?platform=sha256:${"0".repeat(64)}`, tagParams, seed.tokens.owner), "is not an image of acme/api:latest"],
    ["missing format", () => callRoute(sbomRoute, `${tagPath}/sbom`, tagParams, seed.tokens.owner), '"format" is missing'],
    ["bad format", () => callRoute(sbomRoute, `${tagPath}/sbom?format=swid`, tagParams, seed.tokens.owner), '"format" has the invalid value "swid"'],
    ["bad organization", () => callRoute(repositoriesRoute, "/api/v1/orgs/ACME/repositories", { org: "ACME" }, seed.tokens.owner), 'organization name "ACME"'],
    ["bad repository", () => callRoute(tagsRoute, "/api/v1/repositories/acme/a..b/tags", { org: "acme", repo: "a..b" }, seed.tokens.owner), 'repository name "a..b"'],
    ["bad tag", () => callRoute(reportRoute, "/api/v1/repositories/acme/api/tags/.x/report", { org: "acme", repo: "api", tag: ".x" }, seed.tokens.owner), 'tag ".x"'],
    ["bad encoding", () => callRoute(reportRoute, "/api/v1/repositories/acme/api/tags/%E0/report", { org: "acme", repo: "api", tag: "%E0" }, seed.tokens.owner), "not valid percent-encoding"],
  ])("400 for %s", async (_case, call, message) => {
    const response = await call();
    const body = await json(response);

    expect(response.status).toBe(400);
    expect((body.error as { code: string }).code).toBe("INVALID_INPUT");
    expect((body.error as { message: string }).message).toContain(message);
    expect(validate("Error", body)).toEqual([]);
  });

  test("missing tag is 404", async () => {
    const response = await callRoute(reportRoute, "/api/v1/repositories/acme/api/tags/nope/report", { org: "acme", repo: "api", tag: "nope" }, seed.tokens.owner);
    expect(response.status).toBe(404);
  });

  test("OpenAPI document served without token", async () => {
    const response = openApiRoute();
    const body = await json(response);
    expect(response.status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
  });
});
