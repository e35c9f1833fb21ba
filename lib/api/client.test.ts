import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { POST as queryAdvisoriesRoute } from "@/app/api/v1/advisories/query/route";
import { GET as policyConfigurationRoute } from "@/app/api/v1/orgs/[org]/policy-configuration/route";
import { fetchPolicyConfiguration, queryAdvisories } from "@/lib/api/client";
import { startRouteServer, type RouteServer } from "@/lib/api/testing/route-server";
import { seedApi, type ApiSeed } from "@/lib/api/testing/seed-api";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { matchImages } from "@/lib/grading/match-images";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { defaultPolicyConfig } from "@/scoring";
import { advisoryNamesFor, matchPackages, type InstalledPackage } from "@/scoring/advisories";
import { orderingForEcosystem } from "@/scoring/versions/version-ordering";

const prisma = getPrisma();

/** Returns a loopback port with nothing listening on it: bound, read, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs a client call expected to fail and returns its AppError. */
async function failure(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("API client", () => {
  let registry: RegistryServer;
  let server: RouteServer;
  let seed: ApiSeed;
  let owner: string;

  beforeAll(async () => {
    registry = await startRegistryServer();
    seed = await seedApi(prisma, registry);
    owner = seed.tokens.owner!;
    server = await startRouteServer([
      { method: "GET", path: "/api/v1/orgs/{org}/policy-configuration", handler: policyConfigurationRoute },
      { method: "POST", path: "/api/v1/advisories/query", handler: queryAdvisoriesRoute },
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await registry?.stop();
  });

  test("fetches the current policy configuration", async () => {
    const acme = await prisma.organization.findUniqueOrThrow({ where: { name: "acme" } });
    const saved = { ...defaultPolicyConfig, version: 2, policies: { ...defaultPolicyConfig.policies, "default-non-root-user": { weight: 0 } } };
    await prisma.policyConfiguration.create({ data: { organizationId: acme.id, version: 2, config: JSON.parse(JSON.stringify(saved)), author: "owner@acme.test" } });

    try {
      const result = await fetchPolicyConfiguration(`${server.url}/`, owner, "acme");
      expect(result.version).toBe(2);
      expect(result.configuration).toEqual(saved);
    } finally {
      await prisma.policyConfiguration.deleteMany({ where: { organizationId: acme.id, version: 2 } });
    }
  });

  test("advisories match like the server", async () => {
    const stored = await prisma.imagePackage.findMany({ where: { imageDigest: seed.apiImage, ecosystem: { not: null } } });
    const installed: InstalledPackage[] = stored.map((pkg) => ({ ecosystem: pkg.ecosystem!, name: pkg.name, sourceName: pkg.sourceName ?? undefined, version: pkg.version, purl: pkg.purl }));
    const names = installed.flatMap((pkg) => advisoryNamesFor(pkg).map((name) => ({ ecosystem: pkg.ecosystem, name })));

    const advisories = await queryAdvisories(server.url, owner, names);
    const local = matchPackages(installed, advisories.records, orderingForEcosystem);
    const serverMatch = (await matchImages(prisma, [seed.apiImage])).get(seed.apiImage)!;

    expect(advisories.records.map((record) => record.id)).toEqual(["CVE-2018-5407"]);
    expect([...advisories.knownExploited]).toEqual(["CVE-2018-5407"]);
    expect(advisories.snapshotId).not.toBeNull();
    expect(advisories.unreadable).toEqual([]);
    expect(local.findings.map((finding) => [finding.purl, finding.vulnerabilityId, finding.fixedVersion])).toEqual(
      serverMatch.findings.map((finding) => [finding.purl, finding.vulnerabilityId, finding.fixedVersion]),
    );
    expect(local.findings).toHaveLength(1);
  });

  test("advisories in several batches", async () => {
    const names = [{ ecosystem: "Alpine:v3.8", name: "openssl" }, ...Array.from({ length: 4500 }, (_, i) => ({ ecosystem: "PyPI", name: `package-${i}` }))];
    const advisories = await queryAdvisories(server.url, owner, names);
    expect(advisories.records.map((record) => record.id)).toEqual(["CVE-2018-5407"]);
  });

  test("revoked token names the fix", async () => {
    const error = await failure(fetchPolicyConfiguration(server.url, seed.tokens.revoked!, "acme"));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toContain(`${server.url}/api/v1/orgs/acme/policy-configuration returned HTTP 401`);
    expect(error.message).toContain("was revoked");
    expect(error.message).not.toContain(seed.tokens.revoked!);
  });

  test("unknown organization is 404", async () => {
    const error = await failure(fetchPolicyConfiguration(server.url, owner, "globex"));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toContain("returned HTTP 404: Organization globex was not found.");
    expect(error.message).toContain("Check the organization name");
  });

  test("unreachable server names the URL", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await failure(queryAdvisories(url, owner, [{ ecosystem: "PyPI", name: "requests" }]));
    expect(error.code).toBe("SERVER_UNREACHABLE");
    expect(error.message).toContain(`Could not reach the Shipshape server at ${url}/api/v1/advisories/query: ECONNREFUSED`);
  });

  test("HTML response is not JSON", async () => {
    const error = await failure(fetchPolicyConfiguration(`${server.url}/not-json`, owner, "acme"));
    expect(error.code).toBe("SERVER_ERROR");
    expect(error.message).toContain(`The response from ${server.url}/not-json/api/v1/orgs/acme/policy-configuration is not valid JSON`);
  });

  test("plain-text 404 is not JSON", async () => {
    const error = await failure(fetchPolicyConfiguration(`${server.url}/elsewhere`, owner, "acme"));
    expect(error.code).toBe("SERVER_ERROR");
    expect(error.message).toContain("is HTTP 404 without a JSON error");
  });

  test.each([
    ["not a URL", "shipshape.example.com", "is not a valid URL"],
    ["wrong scheme", "ftp://127.0.0.1/", "does not use http or https"],
  ])("rejects server URL: %s", async (_case, url, message) => {
    const error = await failure(fetchPolicyConfiguration(url, owner, "acme"));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain(message);
  });

  test("rejects credentials in the URL", async () => {
    const url = `http://user:secret@127.0.0.1:${await closedPort()}`;
    const error = await failure(fetchPolicyConfiguration(url, owner, "acme"));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain("contains a user name or password");
    expect(error.message).not.toContain("secret");
  });
});
