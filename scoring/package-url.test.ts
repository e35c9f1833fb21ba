import { describe, expect, test } from "vitest";
import { compilePackagePatterns, formatPackageUrlWithoutVersion, parsePackageUrl } from "./package-url";

describe("parsePackageUrl", () => {
  test.each([
    ["pkg:deb/debian/curl@7.88.1-10+deb12u4?arch=amd64", { type: "deb", namespace: "debian", name: "curl", version: "7.88.1-10+deb12u4" }],
    ["pkg:npm/%40acme/widget@1.0.0", { type: "npm", namespace: "@acme", name: "widget", version: "1.0.0" }],
    ["pkg:npm/@acme/widget@1.0.0", { type: "npm", namespace: "@acme", name: "widget", version: "1.0.0" }],
    ["pkg:npm/@acme/widget", { type: "npm", namespace: "@acme", name: "widget", version: null }],
    ["pkg:pypi/requests@2.31.0", { type: "pypi", namespace: null, name: "requests", version: "2.31.0" }],
    ["pkg:golang/github.com/acme/tool/v2@v2.1.0#cmd/tool", { type: "golang", namespace: "github.com/acme/tool", name: "v2", version: "v2.1.0" }],
    ["pkg:oci/api@sha256%3Aabc?repository_url=registry.example%2Fapi", { type: "oci", namespace: null, name: "api", version: "sha256:abc" }],
    ["pkg:oci/api@sha256:abc", { type: "oci", namespace: null, name: "api", version: "sha256:abc" }],
    ["PKG:Maven/org.apache/log4j-core@2.14.1", { type: "maven", namespace: "org.apache", name: "log4j-core", version: "2.14.1" }],
    ["pkg://deb/debian/curl", { type: "deb", namespace: "debian", name: "curl", version: null }],
  ])("reads %s", (purl, parts) => {
    expect(parsePackageUrl(purl)).toEqual(parts);
  });

  test.each([["curl"], ["pkg:"], ["pkg:deb"], ["pkg:deb/"], ["pkg:npm/%E0%A4%A"], ["https://example.com/pkg"]])("rejects %j", (purl) => {
    expect(parsePackageUrl(purl)).toBeNull();
  });

  test("writes the parts without version", () => {
    const parts = parsePackageUrl("pkg:npm/%40acme/widget@1.0.0?foo=bar");
    expect(parts).not.toBeNull();
    if (parts === null) return;
    expect(formatPackageUrlWithoutVersion(parts)).toBe("pkg:npm/@acme/widget");
  });
});

describe("compilePackagePatterns", () => {
  const purl = "pkg:npm/%40acme/widget@1.2.0?foo=bar";

  test.each([
    [["pkg:npm/@acme/*"], "pkg:npm/@acme/*"],
    [["pkg:npm/@acme/widget"], "pkg:npm/@acme/widget"],
    [["pkg:npm/@acme/widget@1.2.0"], "pkg:npm/@acme/widget@1.2.0"],
    [["pkg:npm/*"], null],
    [["pkg:npm/**"], "pkg:npm/**"],
    [["pkg:deb/**", "pkg:npm/**", "pkg:npm/@acme/*"], "pkg:npm/**"],
    [["@acme/widget"], null],
    [[], null],
  ])("patterns %j: first match %j", (patterns, expected) => {
    expect(compilePackagePatterns(patterns)(purl)).toBe(expected);
  });

  test("also matches the package name when given", () => {
    expect(compilePackagePatterns(["@acme/*"])(purl, "@acme/widget")).toBe("@acme/*");
  });
});
