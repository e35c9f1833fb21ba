import { openDatabase } from "@/bin/commands/database";
import { createMigration } from "@/lib/database/migrate";

export async function runMigrate(): Promise<void> {
  const database = await openDatabase();
  process.stdout.write("Database migrations are up to date.\n");
  await database.embedded?.stop();
}

export async function runMigrateCreate(name: string): Promise<void> {
  const database = await openDatabase();
  try {
    const directory = await createMigration(database.url, name);
    process.stdout.write(directory ? `Wrote ${directory}\n` : "prisma/schema.prisma has no changes since the last migration.\n");
  } finally {
    await database.embedded?.stop();
  }
}
