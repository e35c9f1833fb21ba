import type { Viewer } from "@/lib/auth/get-viewer";
import { upsertUser } from "@/lib/auth/accounts";
import type { PrismaClient } from "@/lib/db";

/** Returns the viewer of a stored user, not a site administrator. */
export function viewerOf(user: { id: string; email: string }): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin: false };
}

/**
 * Seeds organizations acme and globex, repository acme/api, the acme owner, an
 * acme member without grants and the owner of globex, and returns their viewers.
 * `registryId` connects acme to a stored registry.
 */
export async function seedAcmeRepository(prisma: PrismaClient, options: { registryId?: string } = {}) {
  const acme = await prisma.organization.create({ data: { name: "acme", registryId: options.registryId ?? null } });
  const globex = await prisma.organization.create({ data: { name: "globex" } });
  const api = await prisma.repository.create({ data: { organizationId: acme.id, name: "acme/api" } });

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
  return { acme, globex, api, owner: viewerOf(owner), member: viewerOf(member), rival: viewerOf(rival) };
}
