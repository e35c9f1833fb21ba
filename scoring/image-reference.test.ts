import { describe, expect, test } from "vitest";
import {
  formatImageReference,
  ImageReferenceError,
  imagePatternProblem,
  matchesImagePattern,
  matchesWildcard,
  normalizeImageReference,
  parseImagePattern,
  parseImageReference,
} from "./image-reference";

const hex = "3f4c5b7e9a1d2c8b6e0f4a3d5c7b9e1f2a4c6d8e0b3f5a7c9d1e3b5f7a9c0d2e";
const digest = `sha256:${hex}`;

describe("parseImageReference", () => {
  test.each([
    ["node:20-slim", "docker.io/library/node:20-slim"],
    ["node", "docker.io/library/node:latest"],
    ["bitnami/redis:7", "docker.io/bitnami/redis:7"],
    ["docker.io/node:20", "docker.io/library/node:20"],
    ["docker.io/library/node:20", "docker.io/library/node:20"],
    ["index.docker.io/library/node:20", "docker.io/library/node:20"],
    ["index.docker.io/node", "docker.io/library/node:latest"],
    ["registry-1.docker.io/bitnami/redis:7", "docker.io/bitnami/redis:7"],
    ["registry.example.com:5000/base/debian:12", "registry.example.com:5000/base/debian:12"],
    ["registry.example.com:5000/base/debian", "registry.example.com:5000/base/debian:latest"],
    ["Registry.Example.COM/base/debian:12", "registry.example.com/base/debian:12"],
    ["localhost/app", "localhost/app:latest"],
    ["localhost:5000/app:1.0", "localhost:5000/app:1.0"],
    ["[::1]:5000/app:1", "[::1]:5000/app:1"],
    ["ghcr.io/acme/team/app:v1.2_RC", "ghcr.io/acme/team/app:v1.2_RC"],
    [`node@${digest}`, `docker.io/library/node@${digest}`],
    [`node:20@${digest}`, `docker.io/library/node:20@${digest}`],
    [`registry.example.com:5000/base/debian@${digest}`, `registry.example.com:5000/base/debian@${digest}`],
    ["scratch", "docker.io/library/scratch:latest"],
  ])("normalises %s", (input, normalized) => {
    expect(normalizeImageReference(input)).toBe(normalized);
  });

  test("keeps a digest-only reference without a tag", () => {
    expect(parseImageReference(`debian@${digest}`)).toEqual({ registry: "docker.io", repository: "library/debian", tag: null, digest });
  });

  test("splits a port from the tag", () => {
    expect(parseImageReference("registry.example.com:5000/base/debian:12")).toEqual({
      registry: "registry.example.com:5000",
      repository: "base/debian",
      tag: "12",
      digest: null,
    });
  });

  test.each([
    ["", "it is empty"],
    [" node", "it contains whitespace"],
    ["node:20 ", "it contains whitespace"],
    ["node:*-slim", 'it contains "*", which only patterns may contain'],
    ["Node:20", 'the repository path component "Node" has uppercase letters, which repository paths never have; write it in lowercase'],
    ["bitnami/Redis", 'the repository path component "Redis" has uppercase letters, which repository paths never have; write it in lowercase'],
    ["node:", 'the tag "" must be 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"'],
    ["node:-rc", 'the tag "-rc" must be 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"'],
    [`node:${"a".repeat(129)}`, `the tag "${"a".repeat(129)}" must be 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`],
    ["node@sha256:abc", 'the digest "sha256:abc" must have exactly 64 lowercase hex digits after "sha256:"'],
    [`node@sha256:${hex.toUpperCase()}`, `the digest "sha256:${hex.toUpperCase()}" must have exactly 64 lowercase hex digits after "sha256:"`],
    ["node@sha256", 'the digest "sha256" must be "algorithm:encoded", such as "sha256:" and 64 lowercase hex digits'],
    [`node@${digest}@${digest}`, 'it contains more than one "@"'],
    [`@${digest}`, "it has no repository name"],
    [":20", "it has no repository name"],
    ["registry.example.com:99999/base/debian", 'the registry "registry.example.com:99999" has an invalid port; a port is a number from 0 to 65535'],
    ["registry..example.com/base/debian", 'the registry "registry..example.com" is not a valid host name'],
    ["docker.io/", "the repository path is empty"],
    ["acme//app", 'the repository path has an empty component (a leading, trailing or doubled "/")'],
    ["-node", 'the repository path component "-node" must be lowercase letters and digits separated by ".", "_", "__" or "-", starting and ending with a letter or digit'],
    [`registry.example.com/${"a".repeat(256)}`, "the repository path is longer than 255 characters"],
  ])("rejects %j", (input, problem) => {
    let thrown: unknown;
    try {
      parseImageReference(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ImageReferenceError);
    expect((thrown as ImageReferenceError).problem).toBe(problem);
    expect((thrown as ImageReferenceError).message).toBe(`Invalid image reference ${JSON.stringify(input)}: ${problem}.`);
  });

  test("formats the parts back", () => {
    expect(formatImageReference({ registry: "docker.io", repository: "library/node", tag: "20", digest })).toBe(`docker.io/library/node:20@${digest}`);
    expect(formatImageReference({ registry: "docker.io", repository: "library/node", tag: null, digest: null })).toBe("docker.io/library/node");
  });
});

describe("parseImagePattern", () => {
  test.each([
    ["*", "*"],
    ["node:*-slim", "docker.io/library/node:*-slim"],
    ["node", "docker.io/library/node"],
    ["node*", "docker.io/library/node*"],
    ["bitnami/*", "docker.io/bitnami/*"],
    ["docker.io/*", "docker.io/*"],
    ["docker.io/node:*", "docker.io/library/node:*"],
    ["index.docker.io/*", "docker.io/*"],
    ["registry-1.docker.io/library/node:*", "docker.io/library/node:*"],
    ["registry.example.com/base/*", "registry.example.com/base/*"],
    ["registry.example.com:5000/base/debian:12", "registry.example.com:5000/base/debian:12"],
    ["Registry.Example.com/base/*", "registry.example.com/base/*"],
    ["*.example.com/base/*", "*.example.com/base/*"],
    ["*:5000/base/*", "*:5000/base/*"],
    ["*:latest", "*:latest"],
    ["*/library/node", "*/library/node"],
    ["*-slim", "*-slim"],
    ["node@sha256:*", "docker.io/library/node@sha256:*"],
    ["scratch", "docker.io/library/scratch"],
  ])("normalises %s to %s", (pattern, normalized) => {
    const parsed = parseImagePattern(pattern);
    expect(parsed.normalized).toBe(normalized);
    expect(parsed.pattern).toBe(pattern);
    expect(imagePatternProblem(pattern)).toBeNull();
  });

  test("leaves the tag of a pattern without one unset", () => {
    expect(parseImagePattern("registry.example.com/base/debian")).toMatchObject({ name: "registry.example.com/base/debian", tag: null, digest: null });
  });

  test.each([
    ["", 'it is empty; write "*" to approve every image'],
    [" ", "it contains whitespace"],
    ["node :20", "it contains whitespace"],
    [
      "https://registry.example.com/base/*",
      'it starts with the URL scheme "https://"; image references name the registry host without one, such as "registry.example.com/base/*"',
    ],
    ["**", 'it contains "**", which the pattern grammar does not have; a single "*" already matches any run of characters, "/" included'],
    ["docker.io/**", 'it contains "**", which the pattern grammar does not have; a single "*" already matches any run of characters, "/" included'],
    [
      "Node:*",
      'the repository path component "Node" has uppercase letters, which repository paths never have, so the pattern can never match; write it in lowercase',
    ],
    [
      "registry.example.com/Base/*",
      'the repository path component "Base" has uppercase letters, which repository paths never have, so the pattern can never match; write it in lowercase',
    ],
    [
      "*/Library/*",
      'the repository path component "Library" has uppercase letters, which repository paths never have, so the pattern can never match; write it in lowercase',
    ],
    ["docker.io/", "the repository path is empty"],
    ["/", 'the repository path has an empty component (a leading, trailing or doubled "/")'],
    [":latest", "it has no repository name"],
    ["@sha256:*", "it has no repository name"],
    ["node!:*", 'the repository path component "node!" must be lowercase letters and digits separated by ".", "_", "__" or "-", starting and ending with a letter or digit'],
    ["node:.*", 'the tag ".*" must be 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"'],
    ["node@sha256", 'the digest "sha256" must be "algorithm:encoded", such as "sha256:" and 64 lowercase hex digits'],
    ["node@sha256:abc", 'the digest "sha256:abc" must have exactly 64 lowercase hex digits after "sha256:"'],
    ["*..example.com/base/*", 'the first component "*..example.com" is neither a valid host name nor a valid path component'],
  ])("rejects %j", (pattern, problem) => {
    expect(imagePatternProblem(pattern)).toBe(problem);
    expect(() => parseImagePattern(pattern)).toThrow(`Invalid image pattern ${JSON.stringify(pattern)}: ${problem}.`);
  });
});

describe("matchesWildcard", () => {
  test.each([
    ["", "", true],
    ["a", "a", true],
    ["a", "", false],
    ["", "a", false],
    ["a", "ab", false],
    ["*", "", true],
    ["*", "a/b:c", true],
    ["a*c", "abc", true],
    ["a*c", "ac", true],
    // The "*" stops at the first "c"; the rest, "bc", is left unmatched and nothing backtracks.
    ["a*c", "abcbc", false],
    ["a*c*", "abcbc", true],
    ["*-slim", "20-slim", true],
    ["*-slim", "20-bookworm-slim", false],
    ["*-*-slim", "20-bookworm-slim", true],
    ["*/*", "a/b/c", true],
    ["*/c", "a/b/c", false],
    ["*.example.com", "registry.example.com", true],
    ["*.example.com", "a.b.example.com", false],
  ])("%j on %j is %s", (glob, text, expected) => {
    expect(matchesWildcard(glob, text)).toBe(expected);
  });
});

describe("matchesImagePattern", () => {
  function matches(pattern: string, reference: string): boolean {
    return matchesImagePattern(parseImagePattern(pattern), parseImageReference(reference));
  }

  describe("short names", () => {
    test.each([
      ["node:*-slim", "node:20-slim", true],
      ["node:*-slim", "docker.io/library/node:20.11-slim", true],
      ["node:*-slim", "index.docker.io/library/node:lts-slim", true],
      ["node:*-slim", "node:20-bookworm-slim", false],
      ["node:*-*-slim", "node:20-bookworm-slim", true],
      ["node:*-slim", "node:20", false],
      ["node:*-slim", "bitnami/node:20-slim", false],
      ["docker.io/library/node:*-slim", "node:20-slim", true],
      ["bitnami/*", "bitnami/redis:7", true],
      ["bitnami/*", "registry-1.docker.io/bitnami/redis:7", true],
      ["bitnami/*", "redis:7", false],
      ["node", "node:20", true],
      ["node", "nodejs:20", false],
      ["node*", "nodejs:20", true],
      ["node:latest", "node", true],
      ["docker.io/*", "node:20", true],
      ["docker.io/*", "ghcr.io/acme/app:1", false],
    ])("%s on %s is %s", (pattern, reference, expected) => {
      expect(matches(pattern, reference)).toBe(expected);
    });
  });

  describe("registries with ports", () => {
    test.each([
      ["registry.example.com:5000/base/*", "registry.example.com:5000/base/debian:12", true],
      ["registry.example.com/base/*", "registry.example.com:5000/base/debian:12", false],
      ["registry.example.com:5000/base/*", "registry.example.com/base/debian:12", false],
      ["registry.example.com*/base/*", "registry.example.com:5000/base/debian:12", true],
      ["*:5000/base/*", "registry.example.com:5000/base/debian:12", true],
      ["*:latest", "registry.example.com:5000/base/debian:latest", true],
      ["*:latest", "registry.example.com:5000/base/debian", true],
      ["*:latest", "registry.example.com:5000/base/debian:12", false],
    ])("%s on %s is %s", (pattern, reference, expected) => {
      expect(matches(pattern, reference)).toBe(expected);
    });
  });

  describe("digests", () => {
    test.each([
      ["node@sha256:*", `node@${digest}`, true],
      ["node@sha256:*", "node:20", false],
      [`node@${digest}`, `node:20@${digest}`, true],
      [`node@${digest}`, `node@sha256:${"0".repeat(64)}`, false],
      ["node:20", `node:20@${digest}`, true],
      ["node", `node@${digest}`, true],
      ["node:*", `node@${digest}`, false],
      ["node:latest", `node@${digest}`, false],
    ])("%s on %s is %s", (pattern, reference, expected) => {
      expect(matches(pattern, reference)).toBe(expected);
    });
  });

  describe("tags with a * in the middle", () => {
    test.each([
      ["node:20.*-slim", "node:20.11.1-slim", true],
      ["node:20.*-slim", "node:21.0-slim", false],
      ["node:2*", "node:20", true],
      ["node:2*", "node:12", false],
      ["debian:*-slim", "debian:12-slim", true],
      ["debian:12*", "debian:12.5", true],
      ["debian:1*-slim", "debian:12-slim", true],
    ])("%s on %s is %s", (pattern, reference, expected) => {
      expect(matches(pattern, reference)).toBe(expected);
    });
  });

  describe("every tag of a repository", () => {
    test.each([
      ["registry.example.com/base/debian", "registry.example.com/base/debian:12", true],
      ["registry.example.com/base/debian", `registry.example.com/base/debian@${digest}`, true],
      ["registry.example.com/base/debian", "registry.example.com/base/debian-slim:12", false],
      ["registry.example.com/base/*", "registry.example.com/base/debian:12", true],
      ["registry.example.com/base/*", "registry.example.com/base/team/debian:12", true],
      ["registry.example.com/base/*", "registry.example.com/other/debian:12", false],
      ["registry.example.com/*", "registry.example.com/other/debian:12", true],
    ])("%s on %s is %s", (pattern, reference, expected) => {
      expect(matches(pattern, reference)).toBe(expected);
    });
  });

  describe("patterns starting with *", () => {
    test.each([
      ["*", "node:20", true],
      ["*", `registry.example.com:5000/base/debian@${digest}`, true],
      ["*", "scratch", true],
      ["*.example.com/*", "registry.example.com/base/debian:12", true],
      ["*.example.com/*", "a.b.example.com/base/debian:12", false],
      ["*/library/*", "node:20", true],
      ["*/node", "node:20", false],
      ["*/*/node", "node:20", true],
    ])("%s on %s is %s", (pattern, reference, expected) => {
      expect(matches(pattern, reference)).toBe(expected);
    });
  });

  test.each([
    ["scratch", "scratch", true],
    ["docker.io/library/debian", "scratch", false],
  ])("%s on %s is %s", (pattern, reference, expected) => {
    expect(matches(pattern, reference)).toBe(expected);
  });
});
