import type { PrismaClient } from "@/lib/db";

/** An ecosystem and package name as advisories file them: `{ ecosystem: "Debian:12", name: "openssl" }`. */
export interface AdvisoryPackageName {
  ecosystem: string;
  name: string;
}

/** Stored advisories that name some of the packages, with which package names each was filed under. */
export interface StoredAdvisories {
  /** One row per advisory and package name it was found under. */
  references: { advisoryId: string; ecosystem: string; name: string }[];
  /** Each advisory once, with its OSV record as imported. */
  rows: { id: string; record: unknown; published: Date | null }[];
}

/** Package names per query, so the OR list stays well under Postgres' limit of 65,535 bind parameters. */
const PAIRS_PER_QUERY = 500;

/** Loads the stored advisories filed under any of the ecosystems and package names, through the reverse index. */
export async function findAdvisoriesByPackage(prisma: PrismaClient, names: readonly AdvisoryPackageName[]): Promise<StoredAdvisories> {
  const references: StoredAdvisories["references"] = [];
  for (let start = 0; start < names.length; start += PAIRS_PER_QUERY) {
    const slice = names.slice(start, start + PAIRS_PER_QUERY).map(({ ecosystem, name }) => ({ ecosystem, name }));
    references.push(...(await prisma.advisoryPackage.findMany({ where: { OR: slice }, select: { advisoryId: true, ecosystem: true, name: true } })));
  }

  const ids = [...new Set(references.map((reference) => reference.advisoryId))];
  const rows = ids.length === 0 ? [] : await prisma.advisory.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" }, select: { id: true, record: true, published: true } });
  return { references, rows };
}
