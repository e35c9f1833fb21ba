import { openDatabase } from "@/bin/commands/database";
import { generatePassword, upsertUser } from "@/lib/auth/accounts";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * Creates (or promotes) a site administrator. The password is read from
 * standard input when it is piped in; on a terminal or with
 * --generate-password one is generated and printed once. Setting a password
 * here ends the account's existing sessions.
 */
export async function runAdminCreate(options: { email: string; ownerOf?: string; generatePassword?: boolean }): Promise<void> {
  const organizations = (options.ownerOf ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  const invalid = organizations.find((name) => !/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/.test(name));
  if (invalid !== undefined) throw new AppError("INVALID_INPUT", `"${invalid}" is not an organization name: use one lowercase path component, as acme in acme/api.`);

  const generated = options.generatePassword === true || process.stdin.isTTY === true;
  const password = generated ? generatePassword() : (await readStandardInput()).replace(/\r?\n$/, "");
  if (!generated && password.length === 0) {
    throw new AppError("INVALID_INPUT", "Standard input held no password. Pipe one in (echo PASSWORD | shipshape admin create …), or pass --generate-password.");
  }
  if (/[\r\n]/.test(password)) throw new AppError("INVALID_INPUT", "The password on standard input spans several lines. Pipe in one line.");
  const database = await openDatabase();
  try {
    const prisma = getPrisma();
    const user = await upsertUser(prisma, { email: options.email, password, isSiteAdmin: true });
    process.stdout.write(`Site administrator ${user.email} is ready.\n`);
    for (const name of organizations) {
      const existing = await prisma.organization.findUnique({ where: { name } });
      const organization = existing ?? (await prisma.organization.create({ data: { name } }));
      if (!existing) process.stdout.write(`Created organization ${name}; set REGISTRY_ORG to sync its repositories.\n`);
      await prisma.membership.upsert({
        where: { organizationId_userId: { organizationId: organization.id, userId: user.id } },
        update: { role: "OWNER" },
        create: { organizationId: organization.id, userId: user.id, role: "OWNER" },
      });
      process.stdout.write(`${user.email} owns organization ${name}.\n`);
    }
    if (generated) process.stdout.write(`Password (shown once): ${password}\n`);
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
