import { describe, expect, it } from "vitest";

import { parseNextLink } from "@/lib/registry/link-header";

const BASE = "https://registry.example.com/v2/_catalog?n=2";

describe("parseNextLink", () => {
  it.each([
    { name: "distribution's form", header: '</v2/_catalog?last=b&n=2>; rel="next"', expected: "https://registry.example.com/v2/_catalog?last=b&n=2" },
    { name: "unquoted rel", header: "</v2/_catalog?last=b&n=2>; rel=next", expected: "https://registry.example.com/v2/_catalog?last=b&n=2" },
    { name: "absolute target", header: '<https://registry.example.com/v2/acme/api/tags/list?last=1.0>; rel="next"', expected: "https://registry.example.com/v2/acme/api/tags/list?last=1.0" },
    { name: "relative path target", header: '<_catalog?last=c>; rel="next"', expected: "https://registry.example.com/v2/_catalog?last=c" },
    { name: "next among other links", header: '</v2/_catalog?n=2>; rel="first", </v2/_catalog?last=d&n=2>; rel="next"', expected: "https://registry.example.com/v2/_catalog?last=d&n=2" },
    { name: "several relation types", header: '</v2/_catalog?last=e>; rel="prefetch NEXT"', expected: "https://registry.example.com/v2/_catalog?last=e" },
    { name: "extra parameters", header: '</v2/_catalog?last=f>; title="page, two"; rel="next"; type="application/json"', expected: "https://registry.example.com/v2/_catalog?last=f" },
    { name: "comma in target", header: '</v2/_catalog?last=a,b>; rel="next"', expected: "https://registry.example.com/v2/_catalog?last=a,b" },
  ])("resolves $name", ({ header, expected }) => {
    expect(parseNextLink(header, BASE)?.href).toBe(expected);
  });

  it.each([
    { name: "absent header", header: null },
    { name: "empty header", header: "  " },
    { name: "only a previous link", header: '</v2/_catalog?n=2>; rel="prev"' },
    { name: "second rel ignored", header: '</v2/_catalog?last=x>; rel="prev"; rel="next"' },
  ])("returns null for $name", ({ header }) => {
    expect(parseNextLink(header, BASE)).toBeNull();
  });

  it.each([
    { name: "unquoted value with a slash", header: '</v2/_catalog?last=f>; type=application/json; rel="next"', error: /expected ";"/ },
    { name: "missing angle brackets", header: '/v2/_catalog?last=b; rel="next"', error: /expected "<"/ },
    { name: "unclosed target", header: '</v2/_catalog?last=b; rel="next"', error: /expected ">"/ },
    { name: "unterminated quote", header: '</v2/_catalog?last=b>; rel="next', error: /not terminated/ },
    { name: "invalid URL", header: '<http://[bad>; rel="next"', error: /not a valid URL/ },
  ])("rejects $name", ({ header, error }) => {
    expect(() => parseNextLink(header, BASE)).toThrow(error);
  });
});
