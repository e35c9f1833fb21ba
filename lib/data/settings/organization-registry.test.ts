import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { Viewer } from "@/lib/auth/get-viewer";
import { getPrisma } from "@/lib/db";
import { HUB_TOKEN, HUB_USER, setUpRecordedDockerHub } from "@/lib/dockerhub/testing/recorded-docker-hub";
import { parseEnv } from "@/lib/env";
import { addRegistry } from "@/lib/data/admin/manage-registries";
import { getOrganizationRegistry, organizationToSync, testOrganizationRegistry } from "@/lib/data/settings/organization-registry";

const currentHub = setUpRecordedDockerHub();
const secretsKey = randomBytes(32).toString("base64");
// The test registries and the recorded Docker Hub run on loopback.
const env = parseEnv({ SECRETS_KEY: secretsKey, PRIVATE_TARGETS_ALLOWED: "127.0.0.1,localhost" });

async function createUser(email: string, isSiteAdmin = false): Promise<Viewer> {
  const user = await getPrisma().user.create({ data: { email, isSiteAdmin } });
  return { id: user.id, email: user.email, name: null, isSiteAdmin };
}

/** Adds the recorded Docker Hub for `acme` and `other`, and makes `owner@example.com` an owner of acme only. */
async function setUp() {
  const admin = await createUser("admin@example.com", true);
  await addRegistry(
    admin,
    { kind: "DOCKERHUB", url: currentHub().registry.url, hubApiUrl: currentHub().api.url, username: HUB_USER, password: HUB_TOKEN, insecure: true, organizations: ["acme", "other"], syncIntervalMinutes: 5 },
    env,
  );
  const owner = await createUser("owner@example.com");
  const acme = await getPrisma().organization.findUniqueOrThrow({ where: { name: "acme" } });
  await getPrisma().membership.create({ data: { organizationId: acme.id, userId: owner.id, role: "OWNER" } });
  return owner;
}

describe("organization registry settings", () => {
  test("owner sees the registry without secrets", async () => {
    const owner = await setUp();
    const view = await getOrganizationRegistry(owner, "acme");

    expect(view.registry?.kind).toBe("DOCKERHUB");
    expect(view.registry?.hasPassword).toBe(true);
    expect(view.registry?.syncIntervalMinutes).toBe(5);
    expect(JSON.stringify(view)).not.toContain(HUB_TOKEN);
    expect(JSON.stringify(view)).not.toContain("sealedPassword");
    expect(JSON.stringify(view)).not.toContain("eventTokenSha256");
  });

  test("connection test lists only the owner's org", async () => {
    const owner = await setUp();
    const checks = await testOrganizationRegistry(owner, "acme", env);

    expect(checks.every((check) => check.ok)).toBe(true);
    expect(checks[2]?.message).toBe("Repositories listed per organization: acme: 2.");
  });

  test("other orgs are not found", async () => {
    const owner = await setUp();
    await expect(getOrganizationRegistry(owner, "other")).rejects.toThrow(/Organization other was not found/);
    await expect(testOrganizationRegistry(owner, "other", env)).rejects.toThrow(/was not found/);
    await expect(organizationToSync(owner, "other")).rejects.toThrow(/was not found/);
    expect(await organizationToSync(owner, "acme")).toBe("acme");
  });

  test("org without registry says so", async () => {
    const owner = await createUser("lonely@example.com");
    const organization = await getPrisma().organization.create({ data: { name: "lonely" } });
    await getPrisma().membership.create({ data: { organizationId: organization.id, userId: owner.id, role: "OWNER" } });

    expect((await getOrganizationRegistry(owner, "lonely")).registry).toBeNull();
    await expect(testOrganizationRegistry(owner, "lonely", env)).rejects.toThrow(/lonely has no registry yet/);
    await expect(organizationToSync(owner, "lonely")).rejects.toThrow(/nothing to sync/);
  });
});
