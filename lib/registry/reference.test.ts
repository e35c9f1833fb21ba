import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { formatReference, parseDigest, parseManifestReference, parseReference, repositoryOrg, validateRepositoryName } from "@/lib/registry/reference";

const SHA256 = `sha256:${"a".repeat(64)}`;
const SHA512 = `sha512:${"b".repeat(128)}`;

describe("parseReference", () => {
  const valid: Array<{ input: string; registry: string; repository: string; tag: string | null; digest: string | null }> = [
    { input: "alpine", registry: "docker.io", repository: "library/alpine", tag: "latest", digest: null },
    { input: "alpine:3.20", registry: "docker.io", repository: "library/alpine", tag: "3.20", digest: null },
    { input: "user/app", registry: "docker.io", repository: "user/app", tag: "latest", digest: null },
    { input: "acme/api:1.2", registry: "docker.io", repository: "acme/api", tag: "1.2", digest: null },
    { input: "docker.io/alpine", registry: "docker.io", repository: "library/alpine", tag: "latest", digest: null },
    { input: "index.docker.io/library/node:20-slim", registry: "docker.io", repository: "library/node", tag: "20-slim", digest: null },
    { input: "ghcr.io/acme/api/worker:v1", registry: "ghcr.io", repository: "acme/api/worker", tag: "v1", digest: null },
    { input: "localhost/acme/api", registry: "localhost", repository: "acme/api", tag: "latest", digest: null },
    { input: "localhost:5000/acme/api:tag", registry: "localhost:5000", repository: "acme/api", tag: "tag", digest: null },
    { input: "127.0.0.1:5000/api", registry: "127.0.0.1:5000", repository: "api", tag: "latest", digest: null },
    { input: "[::1]:5000/acme/api", registry: "[::1]:5000", repository: "acme/api", tag: "latest", digest: null },
    { input: `acme/api@${SHA256}`, registry: "docker.io", repository: "acme/api", tag: null, digest: SHA256 },
    { input: `registry.example.com/acme/api:1.0@${SHA512}`, registry: "registry.example.com", repository: "acme/api", tag: "1.0", digest: SHA512 },
    { input: "acme/a.b_c__d-e--f", registry: "docker.io", repository: "acme/a.b_c__d-e--f", tag: "latest", digest: null },
    { input: `acme/api:${"t".repeat(128)}`, registry: "docker.io", repository: "acme/api", tag: "t".repeat(128), digest: null },
    { input: "acme/api:_v1.0-rc.1", registry: "docker.io", repository: "acme/api", tag: "_v1.0-rc.1", digest: null },
  ];

  it.each(valid)("parses $input", ({ input, registry, repository, tag, digest }) => {
    const reference = parseReference(input);
    expect(reference.registry).toBe(registry);
    expect(reference.repository).toBe(repository);
    expect(reference.tag).toBe(tag);
    expect(reference.digest).toBe(digest);
  });

  const invalid: Array<{ input: string; rule: RegExp }> = [
    { input: "", rule: /empty/ },
    { input: "Acme/api", rule: /path component "Acme" must be lowercase/ },
    { input: "acme/API:1", rule: /path component "API" must be lowercase/ },
    { input: "acme//api", rule: /empty path component/ },
    { input: "acme/api/", rule: /empty path component/ },
    { input: "/acme/api", rule: /empty path component/ },
    { input: "registry.example.com/", rule: /empty/ },
    { input: "acme/-api", rule: /must start and end with a letter or digit/ },
    { input: "acme/api.", rule: /must start and end with a letter or digit/ },
    { input: "acme/a...b", rule: /separated by/ },
    { input: `acme/api:${"t".repeat(129)}`, rule: /1 to 128 characters/ },
    { input: "acme/api:", rule: /1 to 128 characters/ },
    { input: "acme/api:.hidden", rule: /not starting with/ },
    { input: "acme/api:a+b", rule: /tag "a\+b"/ },
    { input: "acme/api@sha256:abc", rule: /exactly 64 lowercase hex digits/ },
    { input: `acme/api@md5:${"a".repeat(32)}`, rule: /algorithm "md5" is not supported/ },
    { input: `acme/api@${SHA256}@${SHA256}`, rule: /more than one "@"/ },
    { input: `@${SHA256}`, rule: /repository name is missing/ },
    { input: "acme/api latest", rule: /whitespace/ },
    { input: "localhost:99999/api", rule: /invalid port "99999"/ },
    { input: "bad_host.example.com/api", rule: /not a valid host name/ },
    { input: `registry.example.com/${"a".repeat(250)}`, rule: /longer than 255/ },
  ];

  it.each(invalid)("rejects $input", ({ input, rule }) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe("INVALID_INPUT");
    expect((caught as AppError).message).toContain(`"${input}"`);
    expect((caught as AppError).message).toMatch(rule);
  });

  it("formats back to the canonical form", () => {
    expect(formatReference(parseReference("alpine"))).toBe("docker.io/library/alpine:latest");
    expect(formatReference(parseReference(`localhost:5000/acme/api:1@${SHA256}`))).toBe(`localhost:5000/acme/api:1@${SHA256}`);
    expect(formatReference(parseReference(`acme/api@${SHA256}`))).toBe(`docker.io/acme/api@${SHA256}`);
  });
});

describe("parseDigest", () => {
  it.each([
    { input: SHA256, algorithm: "sha256", encoded: "a".repeat(64) },
    { input: SHA512, algorithm: "sha512", encoded: "b".repeat(128) },
  ])("parses $algorithm", ({ input, algorithm, encoded }) => {
    const digest = parseDigest(input);
    expect(digest.algorithm).toBe(algorithm);
    expect(digest.encoded).toBe(encoded);
    expect(digest.value).toBe(input);
  });

  it.each([
    "sha256",
    `sha256:${"A".repeat(64)}`,
    `sha256:${"a".repeat(63)}`,
    `sha256:${"a".repeat(128)}`,
    `sha512:${"a".repeat(64)}`,
    `sha384:${"a".repeat(96)}`,
    `sha256:../../${"a".repeat(58)}`,
    `:${"a".repeat(64)}`,
  ])("rejects %s", (input) => {
    expect(() => parseDigest(input)).toThrow(/Invalid digest/);
  });
});

describe("parseManifestReference", () => {
  it("tells tags from digests", () => {
    expect(parseManifestReference("1.0")).toEqual({ kind: "tag", tag: "1.0" });
    expect(parseManifestReference(SHA256)).toMatchObject({ kind: "digest", digest: { value: SHA256 } });
  });

  it("rejects invalid tags", () => {
    expect(() => parseManifestReference("-bad")).toThrow(/Invalid tag "-bad"/);
  });
});

describe("validateRepositoryName", () => {
  it("accepts nested lowercase names", () => {
    expect(() => validateRepositoryName("acme/api/worker")).not.toThrow();
  });

  it.each(["", "Acme/api", "acme//api", "acme/api:1"])("rejects %j", (name) => {
    expect(() => validateRepositoryName(name)).toThrow(/Invalid repository name/);
  });
});

describe("repositoryOrg", () => {
  it.each([
    { repository: "acme/api", org: "acme" },
    { repository: "acme/api/worker", org: "acme" },
    { repository: "library/alpine", org: "library" },
    { repository: "standalone", org: "standalone" },
  ])("returns $org for $repository", ({ repository, org }) => {
    expect(repositoryOrg(repository)).toBe(org);
  });
});
