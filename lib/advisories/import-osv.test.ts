import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { importOsv } from "@/lib/advisories/import-osv";
import { problemsOf } from "@/lib/advisories/snapshot-problems";
import {
  buildStreamedZip,
  buildZip,
  makeTempFolder,
  osvFixtureFacts,
  osvFixtureFolder,
  readOsvFixture,
  readOsvFixtureFiles,
  removeTempFolder,
  writeFixture,
} from "@/lib/advisories/testing/advisory-fixtures";
import { findFreePort } from "@/lib/database/embedded-postgres";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { loopbackOnlyFetch, startStubServer, type StubServer } from "@/lib/registry/testing/stub-server";

const prisma = getPrisma();

/** Everything an import stores, without snapshot ids and timestamps, for comparing two imports. */
async function storedState() {
  const advisories = await prisma.advisory.findMany({ orderBy: { id: "asc" }, select: { id: true, modified: true, published: true, aliases: true, record: true } });
  const packages = await prisma.advisoryPackage.findMany({ orderBy: [{ advisoryId: "asc" }, { ecosystem: "asc" }, { name: "asc" }] });
  return { advisories, packages };
}

async function advisoryIdsFor(ecosystem: string, name: string): Promise<string[]> {
  const rows = await prisma.advisoryPackage.findMany({ where: { ecosystem, name }, orderBy: { advisoryId: "asc" } });
  return rows.map((row) => row.advisoryId);
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

describe("importOsv from files", () => {
  test("folder imports every record", async () => {
    const { snapshot, changedPackages } = await importOsv(prisma, osvFixtureFolder);

    expect(snapshot.kind).toBe("osv");
    expect(snapshot.source).toBe(osvFixtureFolder);
    expect(snapshot.finishedAt).not.toBeNull();
    expect(snapshot.recordsAdded).toBe(osvFixtureFacts.storedRecords);
    expect(snapshot.recordsUpdated).toBe(0);
    expect(snapshot.recordsRemoved).toBe(0);
    // The withdrawn record is not stored, so importing it changes nothing.
    expect(snapshot.recordsUnchanged).toBe(1);
    expect(snapshot.recordsSkipped).toBe(0);
    expect(problemsOf(snapshot)).toEqual([]);

    expect(await prisma.advisory.count()).toBe(osvFixtureFacts.storedRecords);
    expect(await prisma.advisory.count({ where: { snapshotId: snapshot.id } })).toBe(osvFixtureFacts.storedRecords);
    expect(await prisma.advisory.findUnique({ where: { id: osvFixtureFacts.withdrawnId } })).toBeNull();
    expect(await prisma.advisoryPackage.count()).toBe(osvFixtureFacts.packageRows);
    expect(changedPackages).toHaveLength(osvFixtureFacts.packagePairs);
    expect(changedPackages).toContainEqual({ ecosystem: "PyPI", name: "flask", advisoryIds: expect.arrayContaining([expect.any(String)]) });
  });

  test("folder import fills reverse index", async () => {
    await importOsv(prisma, osvFixtureFolder);

    expect(await advisoryIdsFor("Debian:11", "chromium")).toEqual(["CVE-2024-3847"]);
    expect(await advisoryIdsFor("Debian:10", "chromium")).toEqual(["CVE-2024-3847"]);
    expect(await advisoryIdsFor("Debian:10", "unixodbc")).toEqual(["CVE-2024-1013"]);
    expect(await advisoryIdsFor("Debian:7", "nginx")).toEqual(["DSA-3029-1"]);
    expect(await advisoryIdsFor("PyPI", "flask")).toEqual(["PYSEC-2018-66", "PYSEC-2019-179", "PYSEC-2023-62"]);
    // PyPI names are stored in PEP 503 form: the record spells them "Gradio".
    expect(await advisoryIdsFor("PyPI", "gradio")).toEqual(["GHSA-9v2f-6vcg-3hgv"]);
    expect(await advisoryIdsFor("PyPI", "Gradio")).toEqual([]);
    expect(await advisoryIdsFor("Alpine:v3.8", "openssl")).toEqual(["CVE-2018-5407"]);
    expect(await advisoryIdsFor("Go", "stdlib")).toEqual(["GO-2022-0493", "GO-2022-0969", "GO-2022-1144", "GO-2024-2963"]);
    expect(await advisoryIdsFor("RubyGems", "activesupport")).toEqual([]);
  });

  test("stored record keeps every field", async () => {
    await importOsv(prisma, osvFixtureFolder);

    const requests = await prisma.advisory.findUniqueOrThrow({ where: { id: "PYSEC-2023-74" } });
    expect(requests.aliases).toEqual(["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"]);
    expect(requests.modified.toISOString()).toBe("2023-06-05T01:13:00.534Z");
    expect(requests.record).toEqual(await readOsvFixture("PyPI/PYSEC-2023-74.json"));

    const golang = await prisma.advisory.findUniqueOrThrow({ where: { id: "GO-2020-0001" } });
    expect(golang.modified.toISOString()).toBe("0001-01-01T00:00:00.000Z");
  });

  test("zip archive stores same rows as folder", async () => {
    await importOsv(prisma, osvFixtureFolder);
    const fromFolder = await storedState();
    await resetDatabase();

    const archive = await writeFixture(tempFolder(), "all.zip", buildZip(await readOsvFixtureFiles()));
    const { snapshot, changedPackages } = await importOsv(prisma, archive);

    expect(snapshot.source).toBe(archive);
    expect(snapshot.recordsAdded).toBe(osvFixtureFacts.storedRecords);
    expect(snapshot.recordsUnchanged).toBe(1);
    expect(snapshot.recordsSkipped).toBe(0);
    expect(changedPackages).toHaveLength(osvFixtureFacts.packagePairs);
    expect(await storedState()).toEqual(fromFolder);
  });

  test("streamed zip stores same rows as folder", async () => {
    await importOsv(prisma, osvFixtureFolder);
    const fromFolder = await storedState();
    await resetDatabase();

    const archive = await writeFixture(tempFolder(), "all.zip", buildStreamedZip(await readOsvFixtureFiles()));
    const { snapshot } = await importOsv(prisma, archive);

    expect(snapshot.recordsAdded).toBe(osvFixtureFacts.storedRecords);
    expect(await storedState()).toEqual(fromFolder);
  });

  test("small batches store same rows", async () => {
    await importOsv(prisma, osvFixtureFolder);
    const oneBatch = await storedState();
    await resetDatabase();

    const { snapshot, changedPackages } = await importOsv(prisma, osvFixtureFolder, { batchSize: 4 });

    expect(snapshot.recordsAdded).toBe(osvFixtureFacts.storedRecords);
    expect(changedPackages).toHaveLength(osvFixtureFacts.packagePairs);
    expect(await storedState()).toEqual(oneBatch);
  });

  test("single JSON file imports one record", async () => {
    const { snapshot, changedPackages } = await importOsv(prisma, path.join(osvFixtureFolder, "Debian", "CVE-2024-3847.json"));

    expect(snapshot.recordsAdded).toBe(1);
    expect(await prisma.advisory.count()).toBe(1);
    expect(changedPackages).toEqual([
      { ecosystem: "Debian:10", name: "chromium", advisoryIds: ["CVE-2024-3847"] },
      { ecosystem: "Debian:11", name: "chromium", advisoryIds: ["CVE-2024-3847"] },
    ]);
  });

  test("reimport counts all unchanged", async () => {
    const first = await importOsv(prisma, osvFixtureFolder);
    const second = await importOsv(prisma, osvFixtureFolder);

    expect(second.snapshot.recordsUnchanged).toBe(osvFixtureFacts.records);
    expect(second.snapshot.recordsAdded).toBe(0);
    expect(second.snapshot.recordsUpdated).toBe(0);
    expect(second.snapshot.recordsRemoved).toBe(0);
    expect(second.changedPackages).toEqual([]);
    // Unchanged rows keep the snapshot that wrote them.
    expect(await prisma.advisory.count({ where: { snapshotId: first.snapshot.id } })).toBe(osvFixtureFacts.storedRecords);
  });

  test("newer modified updates record", async () => {
    const first = await importOsv(prisma, osvFixtureFolder);
    const record = await readOsvFixture("PyPI/PYSEC-2023-74.json");
    const changed = {
      ...record,
      modified: "2024-02-01T00:00:00Z",
      details: "Updated details.",
      affected: [{ package: { ecosystem: "PyPI", name: "Requests_Toolbelt" }, versions: ["1.0.0"] }],
    };
    await writeFixture(tempFolder(), "PYSEC-2023-74.json", changed);

    const second = await importOsv(prisma, tempFolder());

    expect(second.snapshot.recordsUpdated).toBe(1);
    expect(second.snapshot.recordsAdded).toBe(0);
    const stored = await prisma.advisory.findUniqueOrThrow({ where: { id: "PYSEC-2023-74" } });
    expect(stored.snapshotId).toBe(second.snapshot.id);
    expect(stored.snapshotId).not.toBe(first.snapshot.id);
    expect(stored.modified.toISOString()).toBe("2024-02-01T00:00:00.000Z");
    expect((stored.record as { details: string }).details).toBe("Updated details.");
    expect(await advisoryIdsFor("PyPI", "requests")).toEqual([]);
    expect(await advisoryIdsFor("PyPI", "requests-toolbelt")).toEqual(["PYSEC-2023-74"]);
    // Both the package it no longer names and the one it names now need re-matching.
    expect(second.changedPackages).toEqual([
      { ecosystem: "PyPI", name: "requests", advisoryIds: ["PYSEC-2023-74"] },
      { ecosystem: "PyPI", name: "requests-toolbelt", advisoryIds: ["PYSEC-2023-74"] },
    ]);
  });

  test("same or older modified is not rewritten", async () => {
    await importOsv(prisma, osvFixtureFolder);
    const record = await readOsvFixture("PyPI/PYSEC-2023-74.json");
    await writeFixture(tempFolder(), "same.json", { ...record, details: "Same time, other text." });
    await writeFixture(tempFolder(), "older/PYSEC-2023-74.json", { ...record, modified: "2020-01-01T00:00:00Z", details: "Older text." });

    const { snapshot, changedPackages } = await importOsv(prisma, tempFolder());

    expect(snapshot.recordsUnchanged).toBe(2);
    expect(snapshot.recordsUpdated).toBe(0);
    expect(changedPackages).toEqual([]);
    const stored = await prisma.advisory.findUniqueOrThrow({ where: { id: "PYSEC-2023-74" } });
    expect(stored.record).toEqual(record);
  });

  test("duplicate id in one import keeps newer", async () => {
    const record = await readOsvFixture("PyPI/PYSEC-2023-74.json");
    await writeFixture(tempFolder(), "a.json", record);
    await writeFixture(tempFolder(), "b.json", { ...record, modified: "2024-02-01T00:00:00Z" });

    const { snapshot } = await importOsv(prisma, tempFolder());

    expect(snapshot.recordsAdded).toBe(1);
    expect(snapshot.recordsUpdated).toBe(1);
    const stored = await prisma.advisory.findUniqueOrThrow({ where: { id: "PYSEC-2023-74" } });
    expect(stored.modified.toISOString()).toBe("2024-02-01T00:00:00.000Z");
  });

  test("withdrawn record is removed", async () => {
    await importOsv(prisma, osvFixtureFolder);
    const record = await readOsvFixture("PyPI/PYSEC-2023-74.json");
    await writeFixture(tempFolder(), "PYSEC-2023-74.json", { ...record, modified: "2024-02-01T00:00:00Z", withdrawn: "2024-02-01T00:00:00Z" });

    const { snapshot, changedPackages } = await importOsv(prisma, tempFolder());

    expect(snapshot.recordsRemoved).toBe(1);
    expect(await prisma.advisory.findUnique({ where: { id: "PYSEC-2023-74" } })).toBeNull();
    expect(await prisma.advisoryPackage.count({ where: { advisoryId: "PYSEC-2023-74" } })).toBe(0);
    expect(await prisma.advisory.count()).toBe(osvFixtureFacts.storedRecords - 1);
    expect(changedPackages).toEqual([{ ecosystem: "PyPI", name: "requests", advisoryIds: ["PYSEC-2023-74"] }]);
  });

  test("malformed records skipped with reasons", async () => {
    const target = tempFolder();
    for (const [name, bytes] of await readOsvFixtureFiles()) await writeFixture(target, name, bytes);
    await writeFixture(target, "broken/truncated.json", '{"id": "TRUNCATED-1", "modified": ');
    await writeFixture(target, "broken/BAD-DATE.json", { id: "BAD-DATE", modified: "yesterday" });
    await writeFixture(target, "broken/list.json", [{ id: "IN-A-LIST" }]);
    await writeFixture(target, "broken/latin1.json", Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    // Valid JSON and a valid record, but Postgres cannot store the NUL character in jsonb.
    await writeFixture(target, "broken/NUL.json", { id: "NUL-1", modified: "2024-01-01T00:00:00Z", details: "a\u0000b" });

    const { snapshot } = await importOsv(prisma, target);

    expect(snapshot.recordsSkipped).toBe(5);
    expect(snapshot.recordsAdded).toBe(osvFixtureFacts.storedRecords);
    expect(snapshot.finishedAt).not.toBeNull();
    expect(await prisma.advisory.count()).toBe(osvFixtureFacts.storedRecords);

    const problems = problemsOf(snapshot);
    expect(problems.map((problem) => [problem.id, problem.file])).toEqual([
      ["BAD-DATE", "broken/BAD-DATE.json"],
      [null, "broken/latin1.json"],
      [null, "broken/list.json"],
      [null, "broken/truncated.json"],
      ["NUL-1", "broken/NUL.json"],
    ]);
    expect(problems[0]?.reason).toMatch(/^invalid OSV record: modified must be an RFC 3339 time stamp/);
    expect(problems[1]?.reason).toMatch(/^invalid UTF-8 text/);
    expect(problems[2]?.reason).toBe("invalid OSV record: the file must hold one JSON object, not an array");
    expect(problems[3]?.reason).toMatch(/^invalid JSON: /);
    expect(problems[4]?.reason).toMatch(/^the database rejected the record: unsupported Unicode escape sequence .*\[SQLSTATE 22P05\]$/);
  });

  test("missing path raises and writes nothing", async () => {
    const missing = path.join(tempFolder(), "no-such-folder");

    const attempt = importOsv(prisma, missing);

    await expect(attempt).rejects.toThrow(AppError);
    await expect(attempt).rejects.toThrow(`Advisory source ${missing} not found. Check the path.`);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("truncated zip file leaves failed snapshot", async () => {
    const zip = buildZip(await readOsvFixtureFiles());
    const archive = await writeFixture(tempFolder(), "all.zip", zip.subarray(0, Math.floor(zip.byteLength / 2)));

    await expect(importOsv(prisma, archive, { batchSize: 5 })).rejects.toThrow(/before the end of the zip archive's central directory/);

    const snapshots = await prisma.advisorySnapshot.findMany();
    expect(snapshots).toHaveLength(1);
    const failed = snapshots[0];
    expect(failed?.finishedAt).toBeNull();
    expect(problemsOf(failed ?? { problems: [] }).at(-1)?.reason).toMatch(/^import failed: .*all\.zip ends at byte/);
    // Batches committed before the error stay, each with complete records, and carry the failed snapshot's id.
    const stored = await prisma.advisory.count();
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBe(failed?.recordsAdded);
    expect(await prisma.advisory.count({ where: { snapshotId: failed?.id } })).toBe(stored);
  });
});

describe("importOsv from URLs", () => {
  test("zip from local server", async () => {
    const zip = buildZip(await readOsvFixtureFiles());
    const authorizations: (string | undefined)[] = [];
    server = await startStubServer((request, response) => {
      authorizations.push(request.headers.authorization);
      response.setHeader("content-type", "application/zip");
      response.end(zip);
    });
    const url = server.url.replace("http://", "http://importer:s3cret@") + "/PyPI/all.zip";

    const { snapshot } = await importOsv(prisma, url, { fetch: loopbackOnlyFetch });

    expect(snapshot.recordsAdded).toBe(osvFixtureFacts.storedRecords);
    expect(snapshot.source).toBe(`${server.url}/PyPI/all.zip`);
    expect(snapshot.source).not.toContain("s3cret");
    expect(authorizations).toEqual([`Basic ${Buffer.from("importer:s3cret").toString("base64")}`]);
    expect(await prisma.advisoryPackage.count()).toBe(osvFixtureFacts.packageRows);
  });

  test("JSON record from local server", async () => {
    const record = await readOsvFixture("Debian/DSA-3029-1.json");
    server = await startStubServer((_request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(record));
    });

    const { snapshot } = await importOsv(prisma, `${server.url}/DSA-3029-1.json`, { fetch: loopbackOnlyFetch });

    expect(snapshot.recordsAdded).toBe(1);
    expect(await advisoryIdsFor("Debian:7", "nginx")).toEqual(["DSA-3029-1"]);
  });

  test("unreachable URL raises and writes nothing", async () => {
    const port = await findFreePort();

    const attempt = importOsv(prisma, `http://127.0.0.1:${port}/all.zip`, { fetch: loopbackOnlyFetch });

    await expect(attempt).rejects.toMatchObject({ code: "REGISTRY_UNREACHABLE" });
    await expect(attempt).rejects.toThrow(`Downloading http://127.0.0.1:${port}/all.zip failed: fetch failed`);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
    expect(await prisma.advisory.count()).toBe(0);
  });

  test("loopback URL not allowed is rejected", async () => {
    server = await startStubServer((_request, response) => {
      response.end("{}");
    });

    const attempt = importOsv(prisma, `${server.url}/all.zip`, { fetch: loopbackOnlyFetch, privateTargetsAllowed: [] });

    await expect(attempt).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(attempt).rejects.toThrow("add 127.0.0.1 to PRIVATE_TARGETS_ALLOWED in the server's environment and restart it");
    expect(server.requests).toHaveLength(0);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("HTTP 404 raises not found", async () => {
    server = await startStubServer((_request, response) => {
      response.statusCode = 404;
      response.end("no such object");
    });

    const attempt = importOsv(prisma, `${server.url}/Nope/all.zip`, { fetch: loopbackOnlyFetch });

    await expect(attempt).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(attempt).rejects.toThrow(/the server responded with HTTP 404 Not Found/);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("declared size over limit raises", async () => {
    const zip = buildZip(await readOsvFixtureFiles());
    server = await startStubServer((_request, response) => {
      response.setHeader("content-length", String(zip.byteLength));
      response.end(zip);
    });

    const attempt = importOsv(prisma, `${server.url}/all.zip`, { fetch: loopbackOnlyFetch, maxDownloadBytes: 10_000 });

    await expect(attempt).rejects.toMatchObject({ code: "TOO_LARGE" });
    await expect(attempt).rejects.toThrow(/larger than the limit of 10000 bytes/);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("undeclared size over limit fails import", async () => {
    const files = await readOsvFixtureFiles();
    // A 4 MB stored entry after the records, so the limit is passed long after the first part of the body.
    files.set("zz-filler.txt", new Uint8Array(4 * 1024 * 1024));
    const zip = buildZip(files, 0);
    server = await startStubServer((_request, response) => {
      // write() before end() makes Node send the body chunked, without content-length,
      // so the size is known only once the limit is passed.
      response.write(zip);
      response.end();
    });

    const attempt = importOsv(prisma, `${server.url}/all.zip`, { fetch: loopbackOnlyFetch, maxDownloadBytes: 1_000_000 });

    await expect(attempt).rejects.toMatchObject({ code: "TOO_LARGE" });
    const failed = await prisma.advisorySnapshot.findFirstOrThrow();
    expect(failed.finishedAt).toBeNull();
    expect(problemsOf(failed).at(-1)?.reason).toMatch(/^import failed: Downloading .* stopped: the body is larger than the limit of 1000000 bytes/);
  });

  test("connection cut mid-body fails import", async () => {
    const zip = buildZip(await readOsvFixtureFiles());
    server = await startStubServer((_request, response) => {
      response.setHeader("content-length", String(zip.byteLength));
      response.write(zip.subarray(0, 20_000), () => response.socket?.destroy());
    });

    const attempt = importOsv(prisma, `${server.url}/all.zip`, { fetch: loopbackOnlyFetch });

    await expect(attempt).rejects.toMatchObject({ code: "REGISTRY_UNREACHABLE" });
    await expect(attempt).rejects.toThrow(/failed after \d+ bytes/);
    const failed = await prisma.advisorySnapshot.findFirstOrThrow();
    expect(failed.finishedAt).toBeNull();
    // The records read before the cut were still in the first batch, so none was written.
    expect(await prisma.advisory.count()).toBe(0);
  });

  test("server silent before headers times out", async () => {
    server = await startStubServer(() => {
      // Never responds.
    });

    const attempt = importOsv(prisma, `${server.url}/all.zip`, { fetch: loopbackOnlyFetch, timeoutMs: 200 });

    await expect(attempt).rejects.toMatchObject({ code: "TIMEOUT" });
    await expect(attempt).rejects.toThrow(/timed out: the server sent nothing for 200 ms/);
    expect(await prisma.advisorySnapshot.count()).toBe(0);
  });

  test("server stalled mid-body times out", async () => {
    const zip = buildZip(await readOsvFixtureFiles());
    server = await startStubServer((_request, response) => {
      response.setHeader("content-length", String(zip.byteLength));
      response.write(zip.subarray(0, 20_000));
    });

    const attempt = importOsv(prisma, `${server.url}/all.zip`, { fetch: loopbackOnlyFetch, timeoutMs: 200 });

    await expect(attempt).rejects.toMatchObject({ code: "TIMEOUT" });
    const failed = await prisma.advisorySnapshot.findFirstOrThrow();
    expect(failed.finishedAt).toBeNull();
    expect(problemsOf(failed).at(-1)?.reason).toMatch(/^import failed: Downloading .* timed out/);
  });
});
