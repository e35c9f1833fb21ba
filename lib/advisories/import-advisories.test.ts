import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { importAdvisories } from "@/lib/advisories/import-advisories";
import { problemsOf } from "@/lib/advisories/snapshot-problems";
import {
  buildZip,
  kevFixtureFile,
  makeTempFolder,
  osvFixtureFacts,
  osvFixtureFolder,
  readOsvFixtureFiles,
  removeTempFolder,
  writeFixture,
} from "@/lib/advisories/testing/advisory-fixtures";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

const prisma = getPrisma();
let folder: string | undefined;

beforeEach(async () => {
  await resetDatabase();
  folder = await makeTempFolder();
});

afterEach(async () => {
  await removeTempFolder(folder);
});

function tempFolder(): string {
  if (folder === undefined) throw new Error("beforeEach did not create the temporary folder");
  return folder;
}

describe("importAdvisories", () => {
  test("KEV catalog detected", async () => {
    const result = await importAdvisories(prisma, kevFixtureFile);

    expect(result.kind).toBe("kev");
    expect(result.snapshot.kind).toBe("kev");
    expect(await prisma.knownExploitedVulnerability.count()).toBe(3);
    expect(await prisma.advisory.count()).toBe(0);
  });

  test("OSV folder, zip and file detected", async () => {
    const archive = await writeFixture(tempFolder(), "all.zip", buildZip(await readOsvFixtureFiles()));
    const sources = [osvFixtureFolder, archive, path.join(osvFixtureFolder, "npm", "GHSA-f89g-whpf-6q9m.json")];

    for (const source of sources) {
      const result = await importAdvisories(prisma, source);
      expect(result.kind, source).toBe("osv");
      expect(result.snapshot.kind, source).toBe("osv");
    }
    expect(await prisma.advisory.count()).toBe(osvFixtureFacts.storedRecords);
    expect(await prisma.knownExploitedVulnerability.count()).toBe(0);
  });

  test("zip archive with another name detected", async () => {
    const archive = await writeFixture(tempFolder(), "osv-export.bin", buildZip(await readOsvFixtureFiles()));

    const result = await importAdvisories(prisma, archive);

    expect(result.kind).toBe("osv");
    expect(result.snapshot.recordsAdded).toBe(osvFixtureFacts.storedRecords);
  });

  test("invalid JSON file skipped as OSV record", async () => {
    const file = await writeFixture(tempFolder(), "broken.json", "this is\nnot json\n");

    const result = await importAdvisories(prisma, file);

    expect(result.kind).toBe("osv");
    expect(result.snapshot.recordsSkipped).toBe(1);
    expect(problemsOf(result.snapshot)[0]?.file).toBe("broken.json");
    expect(problemsOf(result.snapshot)[0]?.reason).toMatch(/^invalid JSON: [^\n]+$/);
  });

  test("missing path names path", async () => {
    const missing = path.join(tempFolder(), "advisories", "all.zip");

    const attempt = importAdvisories(prisma, missing);

    await expect(attempt).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(attempt).rejects.toThrow(`Advisory source ${missing} not found. Check the path. Give an OSV all.zip archive`);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("relative path resolved in messages", async () => {
    await expect(importAdvisories(prisma, "no-such-advisories.zip")).rejects.toThrow(`Advisory source ${path.resolve("no-such-advisories.zip")} not found.`);
  });

  test("unsupported file names path", async () => {
    const file = await writeFixture(tempFolder(), "notes.txt", "plain text, not advisories");

    const attempt = importAdvisories(prisma, file);

    await expect(attempt).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(attempt).rejects.toThrow(`${file} is not a zip, folder or JSON file. Give an OSV all.zip archive, a folder of OSV .json files`);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("unsupported URL scheme rejected", async () => {
    await expect(importAdvisories(prisma, "ftp://127.0.0.1/all.zip")).rejects.toThrow("ftp://127.0.0.1/all.zip uses an unsupported URL scheme.");
  });

  test("invalid option rejected", async () => {
    const attempt = importAdvisories(prisma, osvFixtureFolder, { batchSize: 0 });

    await expect(attempt).rejects.toThrow(AppError);
    await expect(attempt).rejects.toThrow("The import option batchSize is 0, but it must be a positive integer.");
  });
});
