import { describe, expect, it } from "vitest";

import { checkTokenRealm, isNonPublicAddress } from "@/lib/registry/token-realm";

const REGISTRY = new URL("https://registry.example.com");

/** Resolves names from a fixed table, so no DNS query leaves the machine. */
function fakeLookup(table: Record<string, string[]>) {
  return async (hostname: string) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return addresses;
  };
}

describe("isNonPublicAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["172.31.255.255", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["::1", true],
    ["::", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:169.254.169.254", true],
    ["8.8.8.8", false],
    ["172.32.0.1", false],
    ["2606:4700::1111", false],
    ["::ffff:8.8.8.8", false],
    ["registry.example.com", false],
  ])("classifies %s", (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });
});

describe("checkTokenRealm", () => {
  const lookup = fakeLookup({
    "auth.example.com": ["93.184.216.34"],
    "internal.example.com": ["10.0.0.5"],
    "mixed.example.com": ["93.184.216.34", "fd00::5"],
  });

  it.each([
    { name: "public host", realm: "https://auth.example.com/token", registry: REGISTRY },
    { name: "registry's own host", realm: "https://registry.example.com/token", registry: REGISTRY },
    { name: "registry's own loopback host on another port", realm: "http://127.0.0.1:5001/token", registry: new URL("http://127.0.0.1:5000") },
    { name: "unresolvable host", realm: "https://nowhere.example.com/token", registry: REGISTRY },
  ])("accepts $name", async ({ realm, registry }) => {
    const url = await checkTokenRealm(realm, registry, { insecure: true, lookup });
    expect(url.href).toBe(new URL(realm).href);
  });

  it.each([
    { name: "metadata address", realm: "https://169.254.169.254/latest/meta-data", error: /non-public address 169\.254\.169\.254/ },
    { name: "private address", realm: "https://10.0.0.1/token", error: /non-public address 10\.0\.0\.1/ },
    { name: "IPv6 loopback", realm: "https://[::1]/token", error: /non-public address ::1/ },
    { name: "localhost", realm: "https://localhost/token", error: /loopback host/ },
    { name: "host resolving privately", realm: "https://internal.example.com/token", error: /non-public address 10\.0\.0\.5/ },
    { name: "host with one private address", realm: "https://mixed.example.com/token", error: /non-public address fd00::5/ },
    { name: "plain http", realm: "http://auth.example.com/token", error: /only https is allowed/ },
    { name: "other scheme", realm: "file:///etc/passwd", error: /only https is allowed/ },
    { name: "userinfo", realm: "https://user:pw@auth.example.com/token", error: /contains credentials/ },
    { name: "relative realm", realm: "/token", error: /not an absolute URL/ },
  ])("rejects $name", async ({ realm, error }) => {
    await expect(checkTokenRealm(realm, REGISTRY, { insecure: false, lookup })).rejects.toThrow(error);
  });

  it("rejects a metadata address over insecure http", async () => {
    const registry = new URL("http://registry.example.com");
    await expect(checkTokenRealm("http://169.254.169.254/token", registry, { insecure: true, lookup })).rejects.toThrow(/non-public address/);
  });

  it("keeps credentials of a rejected realm out of the message", async () => {
    await expect(checkTokenRealm("https://user:pw@auth.example.com/t", REGISTRY, { insecure: false, lookup })).rejects.not.toThrow(/pw/);
  });
});
