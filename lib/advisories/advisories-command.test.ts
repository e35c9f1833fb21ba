import path from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { describeImport, importAdvisorySources, runAdvisoriesImport } from "@/bin/commands/advisories";
import { kevFixtureFile, makeTempFolder, osvFixtureFacts, osvFixtureFolder, removeTempFolder, writeFixture } from "@/lib/advisories/testing/advisory-fixtures";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";

const prisma = getPrisma();
let folder: string | undefined;

beforeEach(async () => {
  await resetDatabase();
  folder = await makeTempFolder();
});

afterEach(async () => {
  await removeTempFolder(folder);
  vi.restoreAllMocks();
});

function tempFolder(): string {
  if (folder === undefined) throw new Error("beforeEach did not create the temporary folder");
  return folder;
}

async function runImports(sources: string[]): Promise<{ succeeded: boolean; lines: string[] }> {
  const lines: string[] = [];
  const succeeded = await importAdvisorySources(prisma, sources, (line) => lines.push(line));
  return { succeeded, lines };
}

describe("importAdvisorySources", () => {
  test("prints one line per import", async () => {
    const { succeeded, lines } = await runImports([osvFixtureFolder, kevFixtureFile]);

    expect(succeeded).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe("  0 images re-graded from stored packages");
    expect(lines[3]).toBe("  0 images re-graded from stored packages");
    expect(lines[0]).toMatch(
      new RegExp(`^${escape(osvFixtureFolder)}: OSV records imported in \\d+ ms: 44 added, 0 updated, 0 removed, 1 unchanged, 0 skipped; ${osvFixtureFacts.packagePairs} packages changed$`),
    );
    expect(lines[2]).toMatch(new RegExp(`^${escape(kevFixtureFile)}: KEV catalog imported in \\d+ ms: 3 added, 0 updated, 0 removed, 0 unchanged, 0 skipped; 3 CVEs changed$`));
  });

  test("prints ten problems and the rest as a count", async () => {
    for (let index = 0; index < 12; index += 1) await writeFixture(tempFolder(), `BROKEN-${String(index).padStart(2, "0")}.json`, "{");

    const { succeeded, lines } = await runImports([tempFolder()]);

    expect(succeeded).toBe(true);
    expect(lines[0]).toContain("0 added, 0 updated, 0 removed, 0 unchanged, 12 skipped");
    expect(lines.slice(1, 11)).toHaveLength(10);
    expect(lines[1]).toMatch(/^ {2}skipped BROKEN-00\.json: invalid JSON: /);
    expect(lines[10]).toMatch(/^ {2}skipped BROKEN-09\.json: invalid JSON: /);
    expect(lines[11]).toMatch(/^ {2}… and 2 more skipped; snapshot \S+ lists the first 1000 in its problems$/);
    expect(lines).toHaveLength(13);
  });

  test("failed source reported, others still imported", async () => {
    const missing = path.join(tempFolder(), "missing.zip");

    const { succeeded, lines } = await runImports([missing, kevFixtureFile]);

    expect(succeeded).toBe(false);
    expect(lines[0]).toBe(`${missing}: import failed: Advisory source ${missing} not found. Check the path. Give an OSV all.zip archive, a folder of OSV .json files, one OSV .json record, CISA's KEV catalog JSON, or an http(s) URL of one of these files.`);
    expect(lines[1]).toContain("KEV catalog imported");
    expect(lines[2]).toBe("  0 images re-graded from stored packages");
    expect(await prisma.knownExploitedVulnerability.count()).toBe(3);
  });

  test("failed URL source printed without its password", async () => {
    const { succeeded, lines } = await runImports(["https://mirror:mirror-password-1@mirror example.com/all.zip"]);

    expect(succeeded).toBe(false);
    expect(lines[0]).toMatch(/^https:\/\/mirror:\[redacted\]@mirror example\.com\/all\.zip: import failed: https:\/\/mirror:\[redacted\]@mirror example\.com\/all\.zip is not a valid URL/);
    expect(lines.join("\n")).not.toContain("mirror-password-1");
  });

  test("empty folder gets a warning", async () => {
    const { lines } = await runImports([tempFolder()]);

    expect(lines).toEqual([expect.stringContaining("0 added"), `  warning: ${tempFolder()} contains no records. Check that it is an OSV all.zip, a folder of OSV .json files or a KEV catalog.`, "  0 images re-graded from stored packages"]);
  });
});

describe("describeImport", () => {
  test("record id and file both shown", () => {
    const startedAt = new Date("2025-01-01T00:00:00Z");
    const lines = describeImport({
      kind: "osv",
      changedPackages: [{ ecosystem: "PyPI", name: "flask", advisoryIds: ["PYSEC-2023-62"] }],
      snapshot: {
        id: "snapshot-1",
        source: "/data/all.zip",
        kind: "osv",
        startedAt,
        finishedAt: new Date(startedAt.getTime() + 1500),
        recordsAdded: 1,
        recordsUpdated: 0,
        recordsRemoved: 0,
        recordsSkipped: 1,
        recordsUnchanged: 0,
        problems: [{ id: "BAD-1", file: "BAD-1.json", reason: "invalid OSV record: modified is missing" }],
      },
    });

    expect(lines).toEqual([
      "/data/all.zip: OSV records imported in 1500 ms: 1 added, 0 updated, 0 removed, 0 unchanged, 1 skipped; 1 package changed",
      "  skipped BAD-1 (BAD-1.json): invalid OSV record: modified is missing",
    ]);
  });
});

// Last in the file: runAdvisoriesImport disconnects the shared Prisma client when it ends.
describe("runAdvisoriesImport", () => {
  function stubProcess() {
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const output: string[] = [];
    const errors: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    }) as typeof process.stderr.write);
    return { exit, output, errors };
  }

  test("exits 0 when every import succeeds", async () => {
    const { exit, output } = stubProcess();

    await runAdvisoriesImport([kevFixtureFile]);

    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
    expect(output).toEqual([expect.stringMatching(/KEV catalog imported in \d+ ms: 3 added.*\n$/), "  0 images re-graded from stored packages\n"]);
  });

  test("exits 1 when an import fails", async () => {
    const { exit, output, errors } = stubProcess();
    const missing = path.join(tempFolder(), "missing");

    await runAdvisoriesImport([missing, kevFixtureFile]);

    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
    expect(errors).toEqual([expect.stringMatching(/^.*missing: import failed: Advisory source .* not found\./)]);
    expect(output[0]).toContain("KEV catalog imported");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
