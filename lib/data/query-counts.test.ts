import { beforeEach, describe, expect, test } from "vitest";
import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { countQueries } from "@/lib/database/testing/count-queries";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { digestOf, seedSingleTag } from "@/lib/database/testing/seed-images";
import { getOrgOverview } from "@/lib/data/get-org-overview";
import { getRepositoryOverview } from "@/lib/data/get-repository-overview";
import { listRepositories } from "@/lib/data/list-repositories";
import { listTags } from "@/lib/data/list-tags";
import { getPrisma } from "@/lib/db";

const prisma = getPrisma();
const grades = ["A", "B", "C", "D", "E", "F", null] as const;

/**
 * Seeds organization acme with `repositories` repositories of `tags` graded tags
 * each, readable by a member through a team, and returns the owner and the member.
 */
async function seed(repositories: number, tags: number): Promise<{ owner: Viewer; member: Viewer }> {
  const acme = await prisma.organization.create({ data: { name: "acme" } });
  const ownerUser = await upsertUser(prisma, { email: "owner@acme.test", password: "owner-password-1" });
  const memberUser = await upsertUser(prisma, { email: "member@acme.test", password: "member-password-1" });
  await prisma.membership.createMany({
    data: [
      { organizationId: acme.id, userId: ownerUser.id, role: "OWNER" },
      { organizationId: acme.id, userId: memberUser.id, role: "MEMBER" },
    ],
  });
  const team = await prisma.team.create({ data: { organizationId: acme.id, name: "readers" } });
  await prisma.teamMember.create({ data: { teamId: team.id, userId: memberUser.id } });

  for (let index = 0; index < repositories; index += 1) {
    const name = `acme/service-${String(index).padStart(3, "0")}`;
    const grade = grades[index % grades.length]!;
    const repository = await prisma.repository.create({ data: { organizationId: acme.id, name, grade, percent: grade === null ? null : 50, tagCount: tags } });
    await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: repository.id, permission: "READ" } });
    for (let tag = 0; tag < tags; tag += 1) {
      await seedSingleTag(prisma, repository.id, `1.${tag}`, digestOf(`${name} 1.${tag}`), {
        image: { analysis: "ANALYSED" },
        tag: { grade, percent: grade === null ? null : 50, lastPushedAt: new Date(Date.UTC(2026, 0, 1 + tag)) },
      });
    }
  }
  const viewer = (user: { id: string; email: string }): Viewer => ({ id: user.id, email: user.email, name: null, isSiteAdmin: false });
  return { owner: viewer(ownerUser), member: viewer(memberUser) };
}

/** Counts the statements of each page's data function for one seed. */
async function countPages(repositories: number, tags: number) {
  await resetDatabase();
  const { owner, member } = await seed(repositories, tags);
  const now = new Date("2026-12-05T12:00:00Z");
  return {
    "repository list, owner": await countQueries(() => listRepositories(owner, "acme")),
    "repository list, member": await countQueries(() => listRepositories(member, "acme")),
    "repository list, filtered": await countQueries(() => listRepositories(member, "acme", { search: "service", grades: ["B"] })),
    "org overview": await countQueries(() => getOrgOverview(member, "acme", { now })),
    "General tab": await countQueries(() => getRepositoryOverview(member, "acme", "service-001")),
    "tag list": await countQueries(() => listTags(member, "acme", "service-001")),
  };
}

describe("list pages", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  // A query per row would make the larger seed send more statements.
  test("statement counts do not grow with rows", async () => {
    const small = await countPages(3, 2);
    const large = await countPages(30, 12);
    for (const [page, count] of Object.entries(small)) {
      expect(count, page).toBeGreaterThan(0);
      expect(large[page as keyof typeof large], page).toBe(count);
    }
  });
});
