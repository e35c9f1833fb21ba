#!/usr/bin/env -S npx tsx --max-semi-space-size=2
import { Command, InvalidArgumentError } from "commander";
import { runAdminCreate } from "@/bin/commands/admin";
import { runAdvisoriesImport } from "@/bin/commands/advisories";
import { runDemo } from "@/bin/commands/demo";
import { runMigrate, runMigrateCreate } from "@/bin/commands/migrate";
import { addCliCommands } from "@/bin/commands/score-commands";
import { runSecretsRotate } from "@/bin/commands/secrets";
import { runStart } from "@/bin/commands/start";
import { runSync } from "@/bin/commands/sync";
import { runWorker } from "@/bin/commands/worker";
import { AppError, publicMessage } from "@/lib/errors";
import { invalidLogLevelMessage, logger, logToStandardError } from "@/lib/log";

const program = new Command("shipshape")
  .description("Grades every image tag of a container registry from A to F.")
  .showHelpAfterError("Run `shipshape help COMMAND` for the options of a command.");

const migrate = program.command("migrate").description("Apply the database migrations that DATABASE_URL has not seen (an embedded database when unset).");
migrate.action(runMigrate);
migrate
  .command("create")
  .description("Write a new migration from the changes to prisma/schema.prisma (for developers).")
  .argument("<name>", "migration name: lowercase letters, digits and underscores")
  .action(runMigrateCreate);

const admin = program.command("admin").description("Manage site administrators.");
admin
  .command("create")
  .description("Create a site administrator, or make an existing account one. Pipe the password in on standard input, or one is generated and printed once.")
  .requiredOption("--email <email>", "the administrator's e-mail address")
  .option("--owner-of <organizations>", "comma-separated organizations to make this account an owner of, e.g. acme,platform (created when missing)")
  .option("--generate-password", "generate a password and print it once instead of reading standard input")
  .action(runAdminCreate);

const advisories = program.command("advisories").description("Manage the vulnerability advisories that installed packages are matched against.");
advisories
  .command("import")
  .description("Import OSV records (an all.zip archive, a folder of .json files or one .json record) or CISA's KEV catalog JSON, and print each import's counts and up to 10 skipped records. Exits 1 when any import fails.")
  .argument("<sources...>", "paths or http(s) URLs; credentials in a URL are sent as HTTP Basic auth and never stored")
  .option("--store <dir>", "write into the local advisory store in this folder (created when missing) for `shipshape score --advisories DIR`, instead of the server's database")
  .action(runAdvisoriesImport);

const secrets = program.command("secrets").description("Manage the secrets stored sealed in the database.");
secrets
  .command("rotate")
  .description("Seal every stored registry password and webhook secret under SECRETS_KEY, opening them with SECRETS_KEY or a key in SECRETS_KEY_PREVIOUS. Changes nothing when any cannot be opened.")
  .action(runSecretsRotate);

program.command("worker").description("Run a job worker: scheduled and requested syncs and grading.").action(runWorker);

program
  .command("start")
  .description("Apply migrations and start the web server (with an in-process worker unless WEB_WORKER=false).")
  .option("--dev", "run the Next.js development server instead of the production build")
  .action(runStart);

program
  .command("sync")
  .description("Sync the configured organizations once, in this process, and print each sync run.")
  .action(runSync);

program
  .command("demo")
  .description("Start the dashboard on generated sample images, or on REGISTRY_URL when it is set.")
  .option("--port <port>", "HTTP port", parsePort)
  .option("--dev", "run the Next.js development server instead of the production build")
  .action(runDemo);

addCliCommands(program);

// Servers log to standard output, as container platforms expect. Every other
// command prints its result there, so its log lines go to standard error.
const SERVER_COMMANDS = new Set(["worker", "start", "demo"]);
program.hook("preAction", (_program, actionCommand) => {
  // Checked before any command runs, because a typo such as "warning" would otherwise log at info unnoticed.
  const invalidLevel = invalidLogLevelMessage();
  if (invalidLevel !== null) throw new AppError("INVALID_INPUT", invalidLevel);
  let topLevel = actionCommand;
  while (topLevel.parent !== null && topLevel.parent !== program) topLevel = topLevel.parent;
  if (!SERVER_COMMANDS.has(topLevel.name())) logToStandardError();
});

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`"${value}" is not a port number from 1 to 65535.`);
  return port;
}

program.parseAsync().catch((error: unknown) => {
  // An AppError's message is written for the operator already; anything else is logged in full first.
  if (error instanceof AppError) {
    process.stderr.write(`shipshape: ${error.message}\n`);
  } else {
    logger.error({ err: error }, "command failed");
    process.stderr.write(`shipshape: ${publicMessage(error)} (${error instanceof Error ? error.message : String(error)})\n`);
  }
  process.exit(1);
});
