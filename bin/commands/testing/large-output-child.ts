// A process for the exit test: it writes BYTES bytes to standard output in one
// write, as a command writes a large report, and exits with code 2.
import { exitAfterOutput } from "@/bin/commands/score";

const bytes = Number(process.argv[2]);
process.stdout.write("x".repeat(bytes));
await exitAfterOutput(2);
