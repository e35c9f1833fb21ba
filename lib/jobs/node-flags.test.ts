import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { webServerArguments } from "@/bin/commands/web-server";
import { NODE_FLAGS } from "@/lib/jobs/node-flags";

const root = new URL("../../", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), "utf8");
const flags = NODE_FLAGS.join(" ");

describe("launches of bin/shipshape.ts", () => {
  it("pass the Node flags in every npm script", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    const launches = Object.entries(scripts).filter(([, command]) => command.includes("bin/shipshape.ts"));

    expect(launches.map(([name]) => name).sort()).toEqual(["demo", "migrate", "shipshape", "start", "worker"]);
    for (const [name, command] of launches) expect(`${name}: ${command}`).toContain(`tsx ${flags} bin/shipshape.ts`);
  });

  it("pass them in the file's #! line", () => {
    expect(read("bin/shipshape.ts").split("\n")[0]).toBe(`#!/usr/bin/env -S npx tsx ${flags}`);
  });

  it("pass them in the container image's entry point", () => {
    const entryPoint = read("Dockerfile")
      .split("\n")
      .find((line) => line.startsWith("ENTRYPOINT "));

    expect(entryPoint).toBe(`ENTRYPOINT ${JSON.stringify(["npx", "--no-install", "tsx", ...NODE_FLAGS, "bin/shipshape.ts"]).replaceAll(",", ", ")}`);
  });

  it("pass them to the web server, which runs the in-process worker", () => {
    const args = webServerArguments("/app/node_modules/next/dist/bin/next", { port: 3000, dev: false });

    expect(args.slice(0, NODE_FLAGS.length + 2)).toEqual([...NODE_FLAGS, "/app/node_modules/next/dist/bin/next", "start"]);
  });
});
