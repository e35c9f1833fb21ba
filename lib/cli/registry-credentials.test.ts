import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { makeTempFolder, removeTempFolder } from "@/lib/advisories/testing/advisory-fixtures";
import { findRegistryCredentials } from "@/lib/cli/registry-credentials";

describe("findRegistryCredentials", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await makeTempFolder();
  });
  afterEach(async () => {
    await removeTempFolder(folder);
  });

  const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");

  async function fromConfig(registry: string, auths: unknown) {
    await writeFile(path.join(folder, "config.json"), JSON.stringify({ auths }));
    return findRegistryCredentials(registry, { environment: { DOCKER_CONFIG: folder } });
  }

  test.each([
    ["registry.example.com", { "registry.example.com": { auth: basic("robot", "pa:ss") } }, { username: "robot", password: "pa:ss" }],
    ["registry.example.com", { "https://registry.example.com/v1/": { auth: basic("robot", "x") } }, { username: "robot", password: "x" }],
    ["docker.io", { "https://index.docker.io/v1/": { auth: basic("hub", "token") } }, { username: "hub", password: "token" }],
    ["127.0.0.1:5000", { "127.0.0.1:5000": { username: "plain", password: "field" } }, { username: "plain", password: "field" }],
  ])("config.json entry for %s", async (registry, auths, expected) => {
    expect(await fromConfig(registry, auths)).toMatchObject(expected);
  });

  test("no entry is anonymous", async () => {
    expect(await fromConfig("other.example.com", { "registry.example.com": { auth: basic("robot", "x") } })).toBeNull();
  });

  test("missing config.json is anonymous", async () => {
    expect(await findRegistryCredentials("registry.example.com", { environment: { DOCKER_CONFIG: path.join(folder, "absent") } })).toBeNull();
  });

  test("invalid auth value", async () => {
    await expect(fromConfig("registry.example.com", { "registry.example.com": { auth: Buffer.from("nocolon").toString("base64") } })).rejects.toThrow(
      /The "auth" of registry\.example\.com in .*config\.json is not base64 of "user:password"\. Run `docker login registry\.example\.com` again/,
    );
  });

  test("invalid JSON named", async () => {
    await writeFile(path.join(folder, "config.json"), "{ not json");
    await expect(findRegistryCredentials("registry.example.com", { environment: { DOCKER_CONFIG: folder } })).rejects.toThrow(/config\.json is not valid JSON .* set DOCKER_CONFIG to another folder/);
  });

  test("flags win over environment", async () => {
    const environment = { DOCKER_CONFIG: folder, SHIPSHAPE_REGISTRY_USERNAME: "env", SHIPSHAPE_REGISTRY_PASSWORD: "env-pass" };
    expect(await findRegistryCredentials("r.example.com", { username: "flag", password: "flag-pass", environment })).toMatchObject({ username: "flag", origin: "--username" });
    expect(await findRegistryCredentials("r.example.com", { environment })).toMatchObject({ username: "env", origin: "SHIPSHAPE_REGISTRY_USERNAME" });
  });

  test("half a pair rejected", async () => {
    await expect(findRegistryCredentials("r.example.com", { environment: { SHIPSHAPE_REGISTRY_PASSWORD: "x" } })).rejects.toThrow(
      /SHIPSHAPE_REGISTRY_PASSWORD is set without SHIPSHAPE_REGISTRY_USERNAME\. Set both, or neither/,
    );
  });
});
