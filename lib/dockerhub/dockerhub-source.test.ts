import { describe, expect, test } from "vitest";
import { getPrisma } from "@/lib/db";
import { DockerHubSource } from "@/lib/dockerhub/dockerhub-source";
import { HUB_TOKEN, HUB_USER, hubTags, imageDigest, setUpRecordedDockerHub } from "@/lib/dockerhub/testing/recorded-docker-hub";
import { syncOrganization } from "@/lib/sync/sync-organization";

const currentHub = setUpRecordedDockerHub();

function source(options: { password?: string } = {}) {
  return new DockerHubSource({
    namespaces: ["acme"],
    apiUrl: currentHub().api.url,
    registryUrl: currentHub().registry.url,
    username: HUB_USER,
    password: options.password ?? HUB_TOKEN,
    insecure: true,
    retries: 0,
  });
}

/** Skips analysis, which these tests do not cover. */
const analyzeLater = async () => {};

describe("Docker Hub source", () => {
  test("syncs an org from the Hub API", async () => {
    const run = await syncOrganization(getPrisma(), source(), "acme", { analyzeLater });

    expect(run.errors).toEqual([]);
    expect(run.status).toBe("SUCCEEDED");
    expect(run.repositoriesSeen).toBe(2);
    const tags = await getPrisma().tag.findMany({ select: { name: true, digest: true, lastPushedAt: true, repository: { select: { name: true } } }, orderBy: [{ repository: { name: "asc" } }, { name: "asc" }] });
    const expected = Object.entries(hubTags).flatMap(([repository, list]) => list.map((tag) => ({ repository, name: tag.name, pushed: new Date(tag.pushed).toISOString() })));
    expect(tags.map((tag) => ({ repository: tag.repository.name, name: tag.name, pushed: tag.lastPushedAt.toISOString() }))).toEqual(expected);
    for (const tag of tags) expect(tag.digest).toBe(imageDigest);

    // One login, then the JWT on every Hub API request.
    expect(currentHub().behaviour.logins).toBe(1);
    const apiGets = currentHub().api.requests.filter((request) => request.method === "GET");
    for (const request of apiGets) expect(request.headers.authorization).toBe("Bearer jwt-1");
    expect(apiGets.map((request) => request.path)).toContain("/v2/namespaces/acme/repositories?page=2&page_size=1");

    // Registry tokens are requested for each repository's pull scope.
    const tokenScopes = currentHub().registry.requests.filter((request) => request.path.startsWith("/token")).map((request) => new URL(request.path, currentHub().registry.url).searchParams.get("scope"));
    // The token for the `/v2/` ping has no scope.
    expect(new Set(tokenScopes.filter((scope) => scope !== null))).toEqual(new Set(["repository:acme/api:pull", "repository:acme/web:pull"]));
  });

  test("unchanged tags cost only HEAD requests", async () => {
    await syncOrganization(getPrisma(), source(), "acme", { analyzeLater });
    const before = currentHub().registry.requests.length;
    await syncOrganization(getPrisma(), source(), "acme", { analyzeLater });

    const manifestRequests = currentHub().registry.requests.slice(before).filter((request) => request.path.includes("/manifests/"));
    expect(manifestRequests.length).toBe(3);
    for (const request of manifestRequests) expect(request.method).toBe("HEAD");
  });

  test("expired JWT is refreshed once", async () => {
    currentHub().behaviour.expiredJwts.add("jwt-1");
    const run = await syncOrganization(getPrisma(), source(), "acme", { analyzeLater });

    expect(run.status).toBe("SUCCEEDED");
    expect(currentHub().behaviour.logins).toBe(2);
  });

  test("JWT rejected after refresh fails clearly", async () => {
    currentHub().behaviour.rejectAllJwts = true;
    const run = await syncOrganization(getPrisma(), source(), "acme", { analyzeLater });

    expect(run.status).toBe("FAILED");
    const errors = run.errors as { message: string }[];
    expect(errors[0]?.message).toMatch(/Docker Hub rejected a fresh JWT of acme-ci/);
    expect(currentHub().behaviour.logins).toBe(2);
  });

  test("wrong access token names the account", async () => {
    const hubSource = source({ password: "dckr_pat_wrong" });
    const failure = hubSource.ping().then(
      () => null,
      (error: unknown) => error as Error,
    );
    const error = await failure;
    expect(error?.message).toMatch(/Docker Hub rejected the access token of acme-ci \(HTTP 401/);
    expect(error?.message).not.toContain("dckr_pat_wrong");
  });

  test("foreign next link is not followed", async () => {
    currentHub().behaviour.foreignNextLink = true;
    const run = await syncOrganization(getPrisma(), source(), "acme", { analyzeLater });

    expect(run.status).toBe("FAILED");
    expect((run.errors as { message: string }[])[0]?.message).toMatch(/points to http:\/\/169\.254\.169\.254.*not followed/);
  });

  test("exhausted rate limit pauses the sync", async () => {
    currentHub().behaviour.registryRemaining = 0;
    const hubSource = source();
    const run = await syncOrganization(getPrisma(), hubSource, "acme", { analyzeLater, concurrency: 1 });

    const pausedUntil = hubSource.pausedUntil();
    expect(pausedUntil).not.toBeNull();
    // The `w=21600` window of the ratelimit-remaining header, counted from the response.
    expect(pausedUntil!.getTime()).toBeGreaterThan(Date.now() + 21_000 * 1000);
    expect(run.status).not.toBe("SUCCEEDED");
    const messages = (run.errors as { message: string }[]).map((error) => error.message).join("\n");
    expect(messages).toMatch(/rate limit of acme-ci is exhausted until/);
    expect(messages).toMatch(/1 repositories were left for the next sync/);

    // Nothing more is sent until the window resets.
    const sent = currentHub().registry.requests.length + currentHub().api.requests.length;
    await expect(hubSource.headManifest("acme/api", "1.0")).rejects.toThrow(/exhausted until/);
    expect(currentHub().registry.requests.length + currentHub().api.requests.length).toBe(sent);
  });
});
