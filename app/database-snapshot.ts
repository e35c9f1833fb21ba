import { getPrisma } from "@/lib/db";

/** Row count and an MD5 of every row's text, per table, keyed "schema.table". */
export type DatabaseSnapshot = Map<string, string>;

/**
 * Snapshots every application table and pg-boss's job table, so a test can
 * tell exactly which tables a call changed.
 */
export async function snapshotDatabase(): Promise<DatabaseSnapshot> {
  const prisma = getPrisma();
  const tables = await prisma.$queryRaw<{ schemaname: string; tablename: string }[]>`
    SELECT schemaname, tablename FROM pg_tables
    WHERE (schemaname = 'public' AND tablename <> '_prisma_migrations') OR (schemaname = 'pgboss' AND tablename = 'job')
    ORDER BY schemaname, tablename`;
  const snapshot: DatabaseSnapshot = new Map();
  for (const { schemaname, tablename } of tables) {
    // The names come from pg_tables, not from input, so quoting them is enough.
    const rows = await prisma.$queryRawUnsafe<{ count: number; checksum: string | null }[]>(
      `SELECT count(*)::int AS count, md5(string_agg(t::text, '|' ORDER BY t::text)) AS checksum FROM "${schemaname}"."${tablename}" t`,
    );
    const { count, checksum } = rows[0] ?? { count: 0, checksum: null };
    const key = schemaname === "public" ? tablename : `${schemaname}.${tablename}`;
    snapshot.set(key, `${count}:${checksum ?? ""}`);
  }
  return snapshot;
}

/** Lists the tables whose rows differ between two snapshots, sorted. */
export function changedTables(before: DatabaseSnapshot, after: DatabaseSnapshot): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}
