// Generated OSV records for the benchmarks: copies of the real npm record
// GHSA-fhjf-83wg-r2j9 (affected below 1.3.2), each with its own id and package.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { PrismaClient } from "@/lib/db";

export interface RecordTemplate {
  id: string;
  modified: string;
  aliases: string[];
  affected: { package: { name: string } }[];
}

/** An installed version below the template's fix, so every package it names is affected. */
export const AFFECTED_VERSION = "1.3.1";

/** Reads the real record the generated ones copy. */
export async function readRecordTemplate(): Promise<RecordTemplate> {
  const { osvFixtureFolder } = await import("@/lib/advisories/testing/advisory-fixtures");
  return JSON.parse(await readFile(path.join(osvFixtureFolder, "npm", "GHSA-fhjf-83wg-r2j9.json"), "utf8")) as RecordTemplate;
}

/**
 * Returns a copy of the template as JSON, with id BENCH-N and the package name given.
 * `aliases` replaces the template's CVE alias, so copies of one package stay separate findings.
 */
export function generatedRecord(template: RecordTemplate, index: number, packageName: string, options: { modified?: string; aliases?: string[] } = {}): string {
  const record = structuredClone(template);
  record.id = `BENCH-${String(index).padStart(7, "0")}`;
  record.modified = options.modified ?? template.modified;
  if (options.aliases) record.aliases = options.aliases;
  record.affected[0]!.package.name = packageName;
  return JSON.stringify(record);
}

/** Stores npm packages of the given names at AFFECTED_VERSION on an image row that exists, as the analyser would. */
export async function storeNpmPackages(prisma: PrismaClient, digest: string, names: string[]): Promise<void> {
  await prisma.imagePackage.createMany({
    data: names.map((name) => ({
      imageDigest: digest,
      type: "npm",
      name,
      version: AFFECTED_VERSION,
      purl: `pkg:npm/${name}@${AFFECTED_VERSION}`,
      licenseDeclared: ["MIT"],
      license: "MIT",
      path: `/app/node_modules/${name}/package.json`,
      ecosystem: "npm",
      matchNames: [name],
    })),
  });
}
