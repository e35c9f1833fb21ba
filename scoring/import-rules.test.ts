import { ESLint } from "eslint";
import { describe, expect, test } from "vitest";

// The build runs ESLint first; these cases prove its rule keeps scoring/ free of I/O and frameworks.
const eslint = new ESLint({ cwd: new URL("..", import.meta.url).pathname });

async function restrictedImportErrors(source: string, filePath = "scoring/probe.ts"): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === "no-restricted-imports" || message.ruleId === "no-restricted-globals").map((message) => message.message);
}

describe("scoring import rule", () => {
  test.each([
    ['import next from "next";'],
    ['import { useState } from "react";'],
    ['import { PrismaClient } from "@prisma/client";'],
    ['import { readFileSync } from "node:fs";'],
    ['import { createServer } from "node:net";'],
    ['import { request } from "undici";'],
    ['import { getPrisma } from "@/lib/db";'],
  ])("rejects %s", async (source) => {
    const errors = await restrictedImportErrors(`${source}\nexport const used = 1;\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/scoring\//);
  });

  test("rejects global fetch", async () => {
    const errors = await restrictedImportErrors('export const load = () => fetch("http://127.0.0.1/");\n');
    expect(errors).toHaveLength(1);
  });

  test("allows zod in scoring", async () => {
    expect(await restrictedImportErrors('import { z } from "zod";\nexport const schema = z.string();\n')).toEqual([]);
  });

  test("allows node:fs outside scoring", async () => {
    expect(await restrictedImportErrors('import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n', "lib/probe.ts")).toEqual([]);
  });
});
