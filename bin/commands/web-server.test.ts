import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

import { stopDatabaseWithWebServer, stopWebServer } from "@/bin/commands/web-server";

/** Starts a Node process that stays up until a signal ends it. `onTerm` is code that handles SIGTERM itself. */
function startServerLike(onTerm: string) {
  const child = spawn(process.execPath, ["-e", `${onTerm}; setInterval(() => {}, 1000); process.send?.("ready");`], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
  return new Promise<typeof child>((resolve) => child.once("message", () => resolve(child)));
}

describe("stopWebServer", () => {
  it("waits for a server that shuts down on SIGTERM", async () => {
    const server = await startServerLike(`process.on("SIGTERM", () => setTimeout(() => process.exit(0), 200))`);

    await stopWebServer(server);

    expect(server.exitCode).toBe(0);
  });

  it("kills a server that ignores SIGTERM after the timeout", async () => {
    const server = await startServerLike(`process.on("SIGTERM", () => {})`);

    await stopWebServer(server, 300);

    expect(server.signalCode).toBe("SIGKILL");
  });

  it("returns at once for a server that already exited", async () => {
    const server = await startServerLike("");
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));

    await stopWebServer(server);

    expect(server.signalCode).toBe("SIGTERM");
  });
});

describe("stopDatabaseWithWebServer", () => {
  it("stops database once on server exit", async () => {
    const server = await startServerLike(`setTimeout(() => process.exit(3), 100)`);
    let stops = 0;
    const exitCode = new Promise<number>((resolve) => {
      stopDatabaseWithWebServer(
        server,
        async () => {
          stops += 1;
        },
        resolve,
      );
    });

    expect(await exitCode).toBe(3);
    expect(stops).toBe(1);
  });

  it("shutdown stops server before database", async () => {
    const server = await startServerLike(`process.on("SIGTERM", () => setTimeout(() => process.exit(0), 100))`);
    const events: string[] = [];
    server.on("exit", () => events.push("server exited"));
    const cleanup = stopDatabaseWithWebServer(
      server,
      async () => {
        events.push("database stopped");
      },
      (code) => events.push(`process exit ${code}`),
    );

    await cleanup();
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(events).toEqual(["server exited", "database stopped"]);
  });
});
