import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { importKev } from "@/lib/advisories/import-kev";
import { problemsOf } from "@/lib/advisories/snapshot-problems";
import { kevFixtureFile, makeTempFolder, osvFixtureFolder, removeTempFolder, writeFixture } from "@/lib/advisories/testing/advisory-fixtures";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { loopbackOnlyFetch, startStubServer, type StubServer } from "@/lib/registry/testing/stub-server";

const prisma = getPrisma();

interface KevEntry {
  cveID: string;
  vendorProject: string;
  knownRansomwareCampaignUse: string;
  [field: string]: unknown;
}
interface KevFixture {
  count: number;
  vulnerabilities: KevEntry[];
  [field: string]: unknown;
}

async function readKevFixture(): Promise<KevFixture> {
  return JSON.parse(await readFile(kevFixtureFile, "utf8")) as KevFixture;
}

function withEntries(catalog: KevFixture, vulnerabilities: unknown[]): object {
  return { ...catalog, count: vulnerabilities.length, vulnerabilities };
}

let folder: string | undefined;
let server: StubServer | undefined;

beforeEach(async () => {
  await resetDatabase();
  folder = await makeTempFolder();
});

afterEach(async () => {
  await removeTempFolder(folder);
  await server?.close();
  server = undefined;
});

function tempFolder(): string {
  if (folder === undefined) throw new Error("beforeEach did not create the temporary folder");
  return folder;
}

describe("importKev", () => {
  test("catalog file fills table", async () => {
    const { snapshot, changedCveIds } = await importKev(prisma, kevFixtureFile);

    expect(snapshot.kind).toBe("kev");
    expect(snapshot.source).toBe(kevFixtureFile);
    expect(snapshot.finishedAt).not.toBeNull();
    expect(snapshot.recordsAdded).toBe(3);
    expect(snapshot.recordsSkipped).toBe(0);
    expect(changedCveIds).toEqual(["CVE-2014-3616", "CVE-2023-32681", "CVE-2024-3847"]);

    const rows = await prisma.knownExploitedVulnerability.findMany({ orderBy: { cveId: "asc" } });
    expect(rows).toEqual([
      { cveId: "CVE-2014-3616", vendorProject: "F5", product: "nginx", dateAdded: new Date("2025-01-15T00:00:00Z"), knownRansomware: false, snapshotId: snapshot.id },
      { cveId: "CVE-2023-32681", vendorProject: "Python Software Foundation", product: "Requests", dateAdded: new Date("2025-01-12T00:00:00Z"), knownRansomware: true, snapshotId: snapshot.id },
      { cveId: "CVE-2024-3847", vendorProject: "Google", product: "Chromium", dateAdded: new Date("2025-01-10T00:00:00Z"), knownRansomware: false, snapshotId: snapshot.id },
    ]);
  });

  test("reimport replaces table contents", async () => {
    await importKev(prisma, kevFixtureFile);
    const catalog = await readKevFixture();
    const [chromium, requests] = catalog.vulnerabilities;
    const next = withEntries(catalog, [
      chromium,
      { ...requests, knownRansomwareCampaignUse: "Unknown" },
      { ...chromium, cveID: "CVE-2025-0001", vendorProject: "Example", product: "Widget", dateAdded: "2025-01-20" },
    ]);
    const file = await writeFixture(tempFolder(), "next.json", next);

    const { snapshot, changedCveIds } = await importKev(prisma, file);

    expect(snapshot.recordsAdded).toBe(1);
    expect(snapshot.recordsUpdated).toBe(1);
    expect(snapshot.recordsRemoved).toBe(1);
    expect(snapshot.recordsUnchanged).toBe(1);
    expect(changedCveIds).toEqual(["CVE-2014-3616", "CVE-2023-32681", "CVE-2025-0001"]);

    const rows = await prisma.knownExploitedVulnerability.findMany({ orderBy: { cveId: "asc" } });
    expect(rows.map((row) => row.cveId)).toEqual(["CVE-2023-32681", "CVE-2024-3847", "CVE-2025-0001"]);
    expect(rows.every((row) => row.snapshotId === snapshot.id)).toBe(true);
    expect(rows[0]?.knownRansomware).toBe(false);
  });

  test("same catalog twice is unchanged", async () => {
    await importKev(prisma, kevFixtureFile);
    const { snapshot, changedCveIds } = await importKev(prisma, kevFixtureFile);

    expect(snapshot.recordsUnchanged).toBe(3);
    expect(snapshot.recordsAdded + snapshot.recordsUpdated + snapshot.recordsRemoved).toBe(0);
    expect(changedCveIds).toEqual([]);
  });

  test("invalid entry skipped, rest imported", async () => {
    const catalog = await readKevFixture();
    const [chromium, requests, nginx] = catalog.vulnerabilities;
    const file = await writeFixture(tempFolder(), "catalog.json", withEntries(catalog, [chromium, { ...requests, dueDate: "soon" }, nginx, { ...nginx }]));

    const { snapshot } = await importKev(prisma, file);

    expect(snapshot.recordsAdded).toBe(2);
    expect(snapshot.recordsSkipped).toBe(2);
    expect(problemsOf(snapshot)).toEqual([
      { id: "CVE-2023-32681", file: "vulnerabilities[1]", reason: "invalid KEV entry: dueDate must be a date such as 2025-01-31 (the remediation deadline)" },
      { id: "CVE-2014-3616", file: "vulnerabilities[3]", reason: "repeats a CVE id listed earlier in the catalog; the first entry is kept" },
    ]);
    expect(await prisma.knownExploitedVulnerability.count()).toBe(2);
  });

  test("OSV record given as KEV is rejected", async () => {
    const file = path.join(osvFixtureFolder, "PyPI", "PYSEC-2023-74.json");

    const attempt = importKev(prisma, file);

    await expect(attempt).rejects.toThrow(AppError);
    await expect(attempt).rejects.toThrow(`${file} is not a CISA KEV catalog: title is missing (it must be a string); catalogVersion is missing`);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("wrong field type named in error", async () => {
    const catalog = await readKevFixture();
    const file = await writeFixture(tempFolder(), "catalog.json", { ...catalog, count: "three" });

    await expect(importKev(prisma, file)).rejects.toThrow(/is not a CISA KEV catalog: count must be the number of vulnerabilities\./);
  });

  test("count mismatch rejects catalog", async () => {
    await importKev(prisma, kevFixtureFile);
    const catalog = await readKevFixture();
    const file = await writeFixture(tempFolder(), "partial.json", { ...catalog, vulnerabilities: catalog.vulnerabilities.slice(0, 1) });

    await expect(importKev(prisma, file)).rejects.toThrow(`${file} is incomplete: count is 3, but vulnerabilities has 1 entry.`);
    expect(await prisma.knownExploitedVulnerability.count()).toBe(3);
    expect(await prisma.advisorySnapshot.count()).toBe(1);
  });

  test("invalid JSON rejected", async () => {
    const file = await writeFixture(tempFolder(), "catalog.json", '{"title": ');

    await expect(importKev(prisma, file)).rejects.toThrow(`${file} is not valid JSON:`);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("folder rejected as KEV", async () => {
    await expect(importKev(prisma, osvFixtureFolder)).rejects.toThrow(`${osvFixtureFolder} is a folder, not a KEV catalog.`);
  });

  test("catalog from local server", async () => {
    const body = await readFile(kevFixtureFile);
    server = await startStubServer((_request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(body);
    });

    const { snapshot } = await importKev(prisma, `${server.url}/feeds/known_exploited_vulnerabilities.json`, { fetch: loopbackOnlyFetch });

    expect(snapshot.source).toBe(`${server.url}/feeds/known_exploited_vulnerabilities.json`);
    expect(snapshot.recordsAdded).toBe(3);
    expect(await prisma.knownExploitedVulnerability.count()).toBe(3);
  });
});
