import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { getPrisma } from "@/lib/db";
import { HUB_TOKEN, HUB_USER, setUpRecordedDockerHub } from "@/lib/dockerhub/testing/recorded-docker-hub";
import { parseEnv } from "@/lib/env";
import { addRegistry, checkRegistryConnection, listRegistries, removeRegistry, rotateEventToken, type NewRegistry } from "@/lib/data/admin/manage-registries";
import type { Viewer } from "@/lib/auth/get-viewer";
import { openSecret } from "@/lib/secrets/secret-box";
import { hashEventToken } from "@/lib/sync/push-events/receive-push-events";

const currentHub = setUpRecordedDockerHub();
const secretsKey = randomBytes(32).toString("base64");
// The recorded Docker Hub and the test registries run on loopback.
const env = parseEnv({ SECRETS_KEY: secretsKey, PRIVATE_TARGETS_ALLOWED: "127.0.0.1,localhost" });

async function createAdmin(isSiteAdmin = true): Promise<Viewer> {
  const user = await getPrisma().user.create({ data: { email: `${isSiteAdmin ? "admin" : "member"}@example.com`, isSiteAdmin } });
  return { id: user.id, email: user.email, name: null, isSiteAdmin };
}

function dockerHubInput(overrides: Partial<NewRegistry> = {}): NewRegistry {
  return {
    kind: "DOCKERHUB",
    url: currentHub().registry.url,
    hubApiUrl: currentHub().api.url,
    username: HUB_USER,
    password: HUB_TOKEN,
    insecure: true,
    organizations: ["acme"],
    syncIntervalMinutes: null,
    ...overrides,
  };
}

describe("registry settings", () => {
  test("add seals the password", async () => {
    const admin = await createAdmin();
    const added = await addRegistry(admin, dockerHubInput(), env);

    const stored = await getPrisma().registry.findUniqueOrThrow({ where: { id: added.id }, include: { organizations: true } });
    expect(stored.sealedPassword).not.toContain(HUB_TOKEN);
    expect(openSecret(stored.sealedPassword ?? "", secretsKey)).toBe(HUB_TOKEN);
    expect(stored.eventTokenSha256).toBe(hashEventToken(added.eventToken));
    expect(stored.organizations.map((organization) => organization.name)).toEqual(["acme"]);
    expect(added.eventPath).toBe(`/api/registries/${added.id}/events`);
    expect(stored.syncIntervalMinutes).toBeNull();
    expect(await getPrisma().auditEvent.count({ where: { action: "registry.added" } })).toBe(1);
  });

  test("list never returns secrets", async () => {
    const admin = await createAdmin();
    const added = await addRegistry(admin, dockerHubInput(), env);
    const [listed] = await listRegistries(admin, env);

    expect(listed?.hasPassword).toBe(true);
    expect(listed?.acceptsPushEvents).toBe(true);
    const serialized = JSON.stringify(listed);
    expect(serialized).not.toContain(HUB_TOKEN);
    expect(serialized).not.toContain("v1:");
    expect(serialized).not.toContain(added.eventToken);
    expect(serialized).not.toContain(hashEventToken(added.eventToken));
  });

  test("connection test passes every check", async () => {
    const admin = await createAdmin();
    const added = await addRegistry(admin, dockerHubInput(), env);
    const checks = await checkRegistryConnection(admin, added.id, env);

    expect(checks.map((check) => [check.name, check.ok])).toEqual([
      ["reachable", true],
      ["credentials accepted", true],
      ["repositories readable", true],
    ]);
    expect(checks[2]?.message).toContain("acme: 2");
  });

  test("connection test reports a wrong token", async () => {
    const admin = await createAdmin();
    const added = await addRegistry(admin, dockerHubInput({ password: "dckr_pat_wrong" }), env);
    const checks = await checkRegistryConnection(admin, added.id, env);

    expect(checks.map((check) => [check.name, check.ok])).toEqual([
      ["reachable", true],
      ["credentials accepted", false],
    ]);
    expect(checks[1]?.message).toMatch(/rejected the access token of acme-ci/);
  });

  test("connection test reports an unreachable registry", async () => {
    const admin = await createAdmin();
    // Port 9 (discard) on loopback has no listener here, so the connection is refused.
    const added = await addRegistry(admin, { kind: "DISTRIBUTION", url: "http://127.0.0.1:9", hubApiUrl: "", username: "", password: "", insecure: true, organizations: ["acme"], syncIntervalMinutes: null }, env);
    const checks = await checkRegistryConnection(admin, added.id, env);

    expect(checks).toHaveLength(1);
    expect(checks[0]?.name).toBe("reachable");
    expect(checks[0]?.ok).toBe(false);
  });

  // Inputs are built inside the test, because the recorded servers start before each test.
  test.each([
    ["password without SECRETS_KEY", () => dockerHubInput(), parseEnv({ PRIVATE_TARGETS_ALLOWED: "127.0.0.1,localhost" }), /SECRETS_KEY is not set.*openssl rand -base64 32/],
    ["plain http without insecure", () => dockerHubInput({ insecure: false }), env, /uses plain http.*Allow plain http/],
    ["URL with credentials", () => dockerHubInput({ kind: "DISTRIBUTION", url: "https://robot:secret@registry.example.com" }), env, /must not contain credentials/],
    ["invalid URL", () => dockerHubInput({ kind: "DISTRIBUTION", url: "registry example" }), env, /"registry example" is not a valid URL/],
    ["invalid URL with a password", () => dockerHubInput({ kind: "DISTRIBUTION", url: "https://robot:typed-secret@registry example" }), env, /"https:\/\/robot:\[redacted\]@registry example" is not a valid URL/],
    ["username without password", () => dockerHubInput({ password: "" }), env, /username and the password .* together/],
    ["sync interval over 720", () => dockerHubInput({ syncIntervalMinutes: 721 }), env, /Sync interval 721 is out of range.*1 to 720/],
    ["sync interval of 0", () => dockerHubInput({ syncIntervalMinutes: 0 }), env, /Sync interval 0 is out of range/],
    ["a private registry address", () => dockerHubInput({ kind: "DISTRIBUTION", url: "http://10.0.0.5:5000", password: "", username: "" }), env, /host 10\.0\.0\.5 resolves to 10\.0\.0\.5, a private, loopback or link-local address/],
    ["a long organization", () => dockerHubInput({ organizations: ["a".repeat(300)] }), env, /is 300 characters long, but the limit is 255/],
    ["a line break in the username", () => dockerHubInput({ username: "robot\nX-Injected: 1" }), env, /The username contains the control character U\+000A at position 6/],
    ["a relative layout folder", () => dockerHubInput({ kind: "OCI_LAYOUT", url: "../../etc" }), env, /"\.\.\/\.\.\/etc" is relative/],
    ["a layout folder without index.json", () => dockerHubInput({ kind: "OCI_LAYOUT", url: "/etc" }), env, /\/etc is not an OCI image layout: it has no index\.json/],
  ])("add rejects %s", async (_case, input, caseEnv, message) => {
    const admin = await createAdmin();
    await expect(addRegistry(admin, input(), caseEnv)).rejects.toThrow(message);
    expect(await getPrisma().registry.count()).toBe(0);
  });

  test("add rejects an org of another registry", async () => {
    const admin = await createAdmin();
    await addRegistry(admin, dockerHubInput(), env);
    await expect(addRegistry(admin, dockerHubInput({ kind: "DISTRIBUTION" }), env)).rejects.toThrow(/acme already synced by another registry/);
  });

  test("rotated event token replaces the old", async () => {
    const admin = await createAdmin();
    const added = await addRegistry(admin, dockerHubInput(), env);
    const rotated = await rotateEventToken(admin, added.id);

    expect(rotated.eventToken).not.toBe(added.eventToken);
    const stored = await getPrisma().registry.findUniqueOrThrow({ where: { id: added.id } });
    expect(stored.eventTokenSha256).toBe(hashEventToken(rotated.eventToken));
    expect(await getPrisma().auditEvent.count({ where: { action: "registry.event_token_rotated" } })).toBe(1);
    await expect(rotateEventToken(admin, "no-such-registry")).rejects.toThrow(/Registry not found/);
  });

  test("non-admin gets not found", async () => {
    const member = await createAdmin(false);
    await expect(listRegistries(member, env)).rejects.toThrow(/Page not found/);
    await expect(addRegistry(member, dockerHubInput(), env)).rejects.toThrow(/Page not found/);
    await expect(rotateEventToken(member, "any")).rejects.toThrow(/Page not found/);
    await expect(removeRegistry(member, "any", env)).rejects.toThrow(/Page not found/);
  });

  test("remove keeps the organization's data and stops its syncs", async () => {
    const admin = await createAdmin();
    const added = await addRegistry(admin, dockerHubInput(), env);
    const acme = await getPrisma().organization.findUniqueOrThrow({ where: { name: "acme" } });
    await getPrisma().repository.create({ data: { organizationId: acme.id, name: "acme/web" } });

    expect(await removeRegistry(admin, added.id, env)).toEqual({ url: currentHub().registry.url, organizations: ["acme"] });

    expect(await getPrisma().registry.count()).toBe(0);
    expect(await getPrisma().organization.findUniqueOrThrow({ where: { name: "acme" } })).toMatchObject({ registryId: null });
    expect(await getPrisma().repository.count({ where: { organizationId: acme.id } })).toBe(1);
    expect(await getPrisma().auditEvent.count({ where: { action: "registry.removed", organizationId: acme.id } })).toBe(1);
    await expect(removeRegistry(admin, added.id, env)).rejects.toThrow("Registry not found. Reload the page; it may have been removed.");
  });

  test("the REGISTRY_URL registry cannot be removed on the page", async () => {
    const admin = await createAdmin();
    const configured = await getPrisma().registry.create({ data: { kind: "DISTRIBUTION", url: "http://127.0.0.1:5000" } });
    const withRegistryUrl = parseEnv({ REGISTRY_URL: "http://127.0.0.1:5000", REGISTRY_ORG: "demo", REGISTRY_INSECURE: "true" });

    expect((await listRegistries(admin, withRegistryUrl)).map((registry) => registry.fromEnvironment)).toEqual([true]);
    await expect(removeRegistry(admin, configured.id, withRegistryUrl)).rejects.toThrow(
      "http://127.0.0.1:5000 is the registry from REGISTRY_URL. Remove REGISTRY_URL and REGISTRY_ORG from the server's environment instead.",
    );
    expect(await getPrisma().registry.count()).toBe(1);
  });
});
