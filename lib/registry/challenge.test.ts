import { describe, expect, it } from "vitest";

import { findChallenge, parseWwwAuthenticate, type AuthChallenge } from "@/lib/registry/challenge";

describe("parseWwwAuthenticate", () => {
  const cases: Array<{ name: string; header: string; expected: AuthChallenge[] }> = [
    {
      name: "bearer with realm, service and scope",
      header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      expected: [
        {
          scheme: "bearer",
          params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/alpine:pull" },
          token68: null,
        },
      ],
    },
    {
      name: "basic realm",
      header: 'Basic realm="Registry Realm"',
      expected: [{ scheme: "basic", params: { realm: "Registry Realm" }, token68: null }],
    },
    {
      name: "comma inside quotes",
      header: 'Bearer realm="https://h/token",scope="repository:a/b:pull,push"',
      expected: [{ scheme: "bearer", params: { realm: "https://h/token", scope: "repository:a/b:pull,push" }, token68: null }],
    },
    {
      name: "escaped quote and backslash",
      header: String.raw`Basic realm="say \"hi\" \\ there"`,
      expected: [{ scheme: "basic", params: { realm: 'say "hi" \\ there' }, token68: null }],
    },
    {
      name: "spaces around separators and mixed case",
      header: 'BEARER  Realm = "https://h/t" ,  Service=reg.example.com',
      expected: [{ scheme: "bearer", params: { realm: "https://h/t", service: "reg.example.com" }, token68: null }],
    },
    {
      name: "two challenges joined by a comma",
      header: 'Bearer realm="https://h/t",service="s", Basic realm="r"',
      expected: [
        { scheme: "bearer", params: { realm: "https://h/t", service: "s" }, token68: null },
        { scheme: "basic", params: { realm: "r" }, token68: null },
      ],
    },
    {
      name: "scheme without parameters then another",
      header: 'Negotiate, Basic realm="r"',
      expected: [
        { scheme: "negotiate", params: {}, token68: null },
        { scheme: "basic", params: { realm: "r" }, token68: null },
      ],
    },
    {
      name: "token68",
      header: "Negotiate abc/+def==, Basic realm=r",
      expected: [
        { scheme: "negotiate", params: {}, token68: "abc/+def==" },
        { scheme: "basic", params: { realm: "r" }, token68: null },
      ],
    },
    {
      name: "empty list elements",
      header: ' , Basic realm="r",, ',
      expected: [{ scheme: "basic", params: { realm: "r" }, token68: null }],
    },
    {
      name: "empty quoted value",
      header: 'Bearer realm="https://h/t",scope=""',
      expected: [{ scheme: "bearer", params: { realm: "https://h/t", scope: "" }, token68: null }],
    },
  ];

  it.each(cases)("parses $name", ({ header, expected }) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  it.each([
    { name: "unterminated quote", header: 'Bearer realm="https://h/t', error: /quoted string is not terminated/ },
    { name: "missing value", header: 'Bearer realm="a",service=', error: /expected a token or a quoted string/ },
    { name: "missing comma", header: 'Bearer realm="a" service="b"', error: /expected "," between parameters/ },
    { name: "duplicate parameter", header: 'Bearer realm="a",realm="b"', error: /parameter "realm" appears twice/ },
    { name: "leading separator", header: '="x"', error: /expected an auth scheme/ },
  ])("rejects $name", ({ header, error }) => {
    expect(() => parseWwwAuthenticate(header)).toThrow(error);
  });

  it("finds a challenge by scheme", () => {
    const challenges = parseWwwAuthenticate('Basic realm="r", Bearer realm="https://h/t"');
    expect(findChallenge(challenges, "Bearer")?.params.realm).toBe("https://h/t");
    expect(findChallenge(challenges, "digest")).toBeNull();
  });
});
