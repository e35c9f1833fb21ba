import { beforeEach, describe, expect, test } from "vitest";
import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { findRepository } from "@/lib/data/find-repository";
import { listOrganizations } from "@/lib/data/list-organizations";
import { listRepositories } from "@/lib/data/list-repositories";
import { addMember, removeMember } from "@/lib/data/settings/members";
import { addTeamMember, removeTeamMember, setDefaultPermission, setTeamPermission } from "@/lib/data/settings/teams";
import { addOrganizationOwner, listAllOrganizations } from "@/lib/data/admin/manage-organizations";
import { getPrisma } from "@/lib/db";

const prisma = getPrisma();

function viewerOf(user: { id: string; email: string }): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin: false };
}

/** Two organizations: acme (repositories api and web, owner and member) and globex (its own owner). */
async function seed() {
  const acme = await prisma.organization.create({ data: { name: "acme" } });
  const globex = await prisma.organization.create({ data: { name: "globex" } });
  const api = await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/api" } });
  const web = await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/web" } });
  const globexRepository = await prisma.repository.create({ data: { organizationId: globex.id, name: "globex/site" } });
  const owner = await upsertUser(prisma, { email: "owner@acme.test", password: "owner-password-1" });
  const member = await upsertUser(prisma, { email: "member@acme.test", password: "member-password-1" });
  const rival = await upsertUser(prisma, { email: "owner@globex.test", password: "rival-password-1" });
  await prisma.membership.createMany({
    data: [
      { organizationId: acme.id, userId: owner.id, role: "OWNER" },
      { organizationId: acme.id, userId: member.id, role: "MEMBER" },
      { organizationId: globex.id, userId: rival.id, role: "OWNER" },
    ],
  });
  const team = await prisma.team.create({ data: { organizationId: acme.id, name: "api-readers" } });
  const globexTeam = await prisma.team.create({ data: { organizationId: globex.id, name: "site" } });
  return { acme, globex, api, web, globexRepository, owner: viewerOf(owner), member: viewerOf(member), rival: viewerOf(rival), team, globexTeam };
}

describe("repository access", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("owner reads every repository", async () => {
    const { owner } = await seed();
    const { repositories } = await listRepositories(owner, "acme");
    expect(repositories.map((repository) => repository.name)).toEqual(["acme/api", "acme/web"]);
  });

  test("member without grants reads nothing", async () => {
    const { member } = await seed();
    expect((await listRepositories(member, "acme")).repositories).toEqual([]);
    await expect(findRepository(member, "acme", "api")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("team grant gives read on one repository", async () => {
    const { owner, member, team, api } = await seed();
    await addTeamMember(owner, "acme", { teamId: team.id, userId: member.id });
    await setTeamPermission(owner, "acme", { teamId: team.id, repositoryId: api.id, permission: "READ" });
    expect((await listRepositories(member, "acme")).repositories.map((repository) => repository.name)).toEqual(["acme/api"]);
    await expect(findRepository(member, "acme", "web")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("removal from the team applies on the next request", async () => {
    const { owner, member, team, api } = await seed();
    await addTeamMember(owner, "acme", { teamId: team.id, userId: member.id });
    await setTeamPermission(owner, "acme", { teamId: team.id, repositoryId: api.id, permission: "READ" });
    expect((await findRepository(member, "acme", "api")).name).toBe("acme/api");

    await removeTeamMember(owner, "acme", { teamId: team.id, userId: member.id });

    await expect(findRepository(member, "acme", "api")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("removal from the organization ends team grants", async () => {
    const { owner, member, team, api } = await seed();
    await addTeamMember(owner, "acme", { teamId: team.id, userId: member.id });
    await setTeamPermission(owner, "acme", { teamId: team.id, repositoryId: api.id, permission: "ADMIN" });
    await removeMember(owner, "acme", { userId: member.id });
    await expect(findRepository(member, "acme", "api")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await listOrganizations(member)).toEqual([]);
    expect(await prisma.teamMember.count({ where: { userId: member.id } })).toBe(0);
  });

  test("default permission lets every member read", async () => {
    const { owner, member } = await seed();
    await setDefaultPermission(owner, "acme", { permission: "READ" });
    expect((await listRepositories(member, "acme")).repositories).toHaveLength(2);
  });

  test("other organization is not found", async () => {
    const { rival } = await seed();
    await expect(listRepositories(rival, "acme")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(findRepository(rival, "acme", "api")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listOrganizations(rival)).map((organization) => organization.name)).toEqual(["globex"]);
  });
});

describe("settings changes across organizations", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("member cannot change settings", async () => {
    const { member, team, api } = await seed();
    await expect(setTeamPermission(member, "acme", { teamId: team.id, repositoryId: api.id, permission: "ADMIN" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await prisma.repositoryPermission.count()).toBe(0);
  });

  test("another organization's team id is rejected", async () => {
    const { owner, globexTeam, api } = await seed();
    await expect(setTeamPermission(owner, "acme", { teamId: globexTeam.id, repositoryId: api.id, permission: "READ" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await prisma.repositoryPermission.count()).toBe(0);
  });

  test("another organization's repository id is rejected", async () => {
    const { owner, team, globexRepository } = await seed();
    await expect(setTeamPermission(owner, "acme", { teamId: team.id, repositoryId: globexRepository.id, permission: "READ" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await prisma.repositoryPermission.count()).toBe(0);
  });

  test("owner of one organization cannot act on another", async () => {
    const { rival, member } = await seed();
    await expect(removeMember(rival, "acme", { userId: member.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await prisma.membership.count({ where: { userId: member.id } })).toBe(1);
  });

  test("last owner cannot be removed", async () => {
    const { owner } = await seed();
    await expect(removeMember(owner, "acme", { userId: owner.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  test("new member gets a set-password token and an audit event", async () => {
    const { owner, acme } = await seed();
    const added = await addMember(owner, "acme", { email: "New.Person@Acme.test", role: "MEMBER" });
    expect(added.email).toBe("new.person@acme.test");
    expect(added.newAccount).toBe(true);
    expect(added.passwordToken?.token).toMatch(/^[\w-]{40,}$/);
    const events = await prisma.auditEvent.findMany({ where: { organizationId: acme.id } });
    expect(events.map((event) => [event.action, event.target, event.actorId])).toEqual([["member.added", "new.person@acme.test", owner.id]]);
  });
});

describe("site administration", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("only site administrators list all organizations", async () => {
    const { owner } = await seed();
    await expect(listAllOrganizations(owner)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const admin = await upsertUser(prisma, { email: "admin@example.com", password: "site-admin-password-1", isSiteAdmin: true });
    const organizations = await listAllOrganizations({ ...viewerOf(admin), isSiteAdmin: true });
    expect(organizations.map((organization) => organization.name)).toEqual(["acme", "globex"]);
    expect(organizations[0]?.owners).toEqual(["owner@acme.test"]);
  });

  test("site administrator adds an owner to a new organization", async () => {
    await seed();
    const admin = await upsertUser(prisma, { email: "admin@example.com", password: "site-admin-password-1", isSiteAdmin: true });
    const added = await addOrganizationOwner({ ...viewerOf(admin), isSiteAdmin: true }, { organization: "initech", email: "boss@initech.test" });
    expect(added.passwordToken).not.toBeNull();
    const boss = await prisma.user.findUniqueOrThrow({ where: { email: "boss@initech.test" } });
    expect((await listRepositories(viewerOf(boss), "initech")).repositories).toEqual([]);
  });
});

describe("adding existing accounts", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("another organization's pending account gets no link", async () => {
    const { owner, rival } = await seed();
    const invited = await addMember(owner, "acme", { email: "pending@example.com", role: "OWNER" });
    expect(invited.passwordToken).not.toBeNull();
    const tokensBefore = await prisma.passwordToken.count();

    const hijack = await addMember(rival, "globex", { email: "pending@example.com", role: "MEMBER" });

    expect(hijack.passwordToken).toBeNull();
    expect(hijack.newAccount).toBe(false);
    expect(await prisma.passwordToken.count()).toBe(tokensBefore);
  });
});
