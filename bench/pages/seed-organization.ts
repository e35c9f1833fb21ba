// Seeds the benchmark organization "bench" that the page benchmarks share.
import { createHash } from "node:crypto";
import type { Viewer } from "@/lib/auth/get-viewer";
import type { PrismaClient } from "@/lib/db";
import { policyIds } from "@/scoring";

const TEAM_READ_SHARE = 5; // The member's team reads every 5th repository.
const OTHER_TEAMS = 20;
const OTHER_MEMBERS = 200;

/**
 * Seeds the organization "bench" with REPOSITORIES repositories of varied names,
 * grades, failing policies and push times, 2% of them deleted. Its users are an
 * owner and a member in a team that reads every 5th repository. Other teams and
 * members keep the permission tables from being trivially small.
 */
export async function seedOrganization(prisma: PrismaClient, repositoryCount: number) {
  const random = seededRandom("bench-pages");
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const organization = await prisma.organization.create({ data: { name: "bench" } });
  const owner = await prisma.user.create({ data: { email: "owner@bench.test" } });
  const member = await prisma.user.create({ data: { email: "member@bench.test" } });
  const others = Array.from({ length: OTHER_MEMBERS }, (_, index) => ({ id: `bench-user-${index}`, email: `user-${index}@bench.test` }));
  await prisma.user.createMany({ data: others });
  await prisma.membership.createMany({
    data: [
      { organizationId: organization.id, userId: owner.id, role: "OWNER" },
      { organizationId: organization.id, userId: member.id, role: "MEMBER" },
      ...others.map((user) => ({ organizationId: organization.id, userId: user.id, role: "MEMBER" as const })),
    ],
  });

  const words = ["api", "web", "worker", "billing", "auth", "search", "gateway", "cache", "queue", "mailer", "reports", "admin", "mobile", "payments", "ledger", "images", "media", "proxy", "scheduler", "metrics"];
  const gradeWeights: [string | null, number][] = [["A", 15], ["B", 25], ["C", 20], ["D", 15], ["E", 10], ["F", 10], [null, 5]];
  const percentRange: Record<string, [number, number]> = { A: [90.01, 100], B: [70.01, 90], C: [50.01, 70], D: [30.01, 50], E: [10.01, 30], F: [0, 10] };
  const now = Date.now();
  const repositories = Array.from({ length: repositoryCount }, (_, index) => {
    let roll = random() * 100;
    const grade = gradeWeights.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? null;
    const [low, high] = grade === null ? [0, 0] : percentRange[grade]!;
    // Worse grades fail more policies: from none for most A repositories to five for F.
    const failingCount = grade === null ? 0 : Math.min(policyIds.length, "ABCDEF".indexOf(grade) + Math.floor(random() * 2));
    const shuffled = policyIds.map((id) => ({ id, key: random() })).sort((a, b) => a.key - b.key);
    const failingPolicies = shuffled.slice(0, failingCount).map((entry) => entry.id);
    return {
      id: `bench-repository-${index}`,
      organizationId: organization.id,
      name: `bench/${pick(words)}-${pick(words)}-${String(index).padStart(5, "0")}`,
      grade,
      percent: grade === null ? null : low + random() * (high - low),
      failingPolicies,
      lastPushedAt: grade === null && random() < 0.5 ? null : new Date(now - Math.floor(random() * 365 * 24 * 3600 * 1000)),
      tagCount: 1 + Math.floor(random() * 50),
      deletedAt: random() < 0.02 ? new Date(now) : null,
    };
  });
  for (let start = 0; start < repositories.length; start += 1000) {
    await prisma.repository.createMany({ data: repositories.slice(start, start + 1000) });
  }

  const team = await prisma.team.create({ data: { organizationId: organization.id, name: "readers" } });
  await prisma.teamMember.create({ data: { teamId: team.id, userId: member.id } });
  const granted = repositories.filter((_, index) => index % TEAM_READ_SHARE === 0);
  await prisma.repositoryPermission.createMany({ data: granted.map((repository) => ({ teamId: team.id, repositoryId: repository.id, permission: "READ" as const })) });

  for (let teamIndex = 0; teamIndex < OTHER_TEAMS; teamIndex++) {
    const other = await prisma.team.create({ data: { organizationId: organization.id, name: `team-${teamIndex}` } });
    const teamMembers = others.filter((_, index) => index % OTHER_TEAMS === teamIndex);
    await prisma.teamMember.createMany({ data: teamMembers.map((user) => ({ teamId: other.id, userId: user.id })) });
    const teamRepositories = repositories.filter(() => random() < 0.1);
    await prisma.repositoryPermission.createMany({ data: teamRepositories.map((repository) => ({ teamId: other.id, repositoryId: repository.id, permission: pick(["READ", "WRITE", "ADMIN"] as const) })) });
  }

  const viewer = (user: { id: string; email: string }): Viewer => ({ id: user.id, email: user.email, name: null, isSiteAdmin: false });
  const memberReadable = granted.filter((repository) => repository.deletedAt === null).length;
  return { organizationId: organization.id, owner: viewer(owner), member: viewer(member), memberReadable };
}

/**
 * Returns a seeded source of numbers in [0, 1), so every run seeds the same data.
 * Each number is the first 32 bits of the SHA-256 of the seed and a counter.
 */
export function seededRandom(seed: string): () => number {
  let counter = 0;
  return () => {
    counter += 1;
    return createHash("sha256").update(`${seed}#${counter}`).digest().readUInt32BE(0) / 2 ** 32;
  };
}
