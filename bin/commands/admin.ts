import { openDatabase } from "@/bin/commands/database";
import { generatePassword, upsertUser } from "@/lib/auth/accounts";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * Creates (or promotes) a site administrator. The password is read from
 * standard input when it is piped in; otherwise one is generated and printed once.
 */
export async function runAdminCreate(options: { email: string; ownerOf?: string }): Promise<void> {
  const piped = !process.stdin.isTTY ? (await readStandardInput()).replace(/\r?\n$/, "") : "";
  const password = piped.length > 0 ? piped : generatePassword();
  const database = await openDatabase();
  try {
    const prisma = getPrisma();
    const user = await upsertUser(prisma, { email: options.email, password, isSiteAdmin: true });
    process.stdout.write(`Site administrator ${user.email} is ready.\n`);
    for (const name of (options.ownerOf ?? "").split(",").map((entry) => entry.trim()).filter(Boolean)) {
      const organization = await prisma.organization.upsert({ where: { name }, update: {}, create: { name } });
      await prisma.membership.upsert({
        where: { organizationId_userId: { organizationId: organization.id, userId: user.id } },
        update: { role: "OWNER" },
        create: { organizationId: organization.id, userId: user.id, role: "OWNER" },
      });
      process.stdout.write(`${user.email} owns organization ${name}.\n`);
    }
    if (piped.length === 0) process.stdout.write(`Password (shown once): ${password}\n`);
  } finally {
    await getPrisma().$disconnect();
    await database.embedded?.stop();
  }
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).byteLength;
    if (size > 4096) throw new AppError("INVALID_INPUT", "The password on standard input is longer than 4096 bytes. Pipe in the password alone.");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
