import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compareCommand, type CommandIo, type CompareOptions, scoreCommand, type ScoreOptions } from "@/bin/commands/score";
import { importAdvisories } from "@/lib/advisories/import-advisories";
import { makeTempFolder, removeTempFolder } from "@/lib/advisories/testing/advisory-fixtures";
import { type LocalStore, openLocalStore } from "@/lib/cli/local-store";
import { attestationsOf, buildAlpineImage, packDockerOciArchive, packTar, skopeoCopy, writeLayout } from "@/lib/cli/testing/cli-images";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { ALPINE_OPENSSL_RECORD, alpineLayer, apkRecord, pushAndSync, reportsOf, vulnerableAlpineRecords } from "@/lib/grading/testing/alpine-images";
import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import { type RegistryServer, startRegistryServer } from "@/lib/registry/testing/registry-server";
import type { BuiltImage } from "@/lib/samples/image-builder";
import type { JsonScoreReport } from "@/lib/cli/score-report-json";
import type { JsonCompareReport } from "@/lib/cli/compare-scores";
import { loadPolicyConfig } from "@/lib/cli/load-policy-config";
import { gradeImages } from "@/lib/grading/grade-images";
import { buildIndex } from "@/lib/samples/image-builder";
import { type PolicyResult, policyIds } from "@/scoring";

const run = promisify(execFile);
const repositoryRoot = path.resolve(import.meta.dirname, "../..");
const credentials = { username: "ci", password: "s3cret-pass" };

/** Output of one command run, with its exit code. */
interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

describe("shipshape score and compare", () => {
  let folder: string;
  let store: LocalStore;
  let registry: RegistryServer;
  let plainRegistry: RegistryServer;
  let safe: BuiltImage;
  let vulnerable: BuiltImage;
  let layout: string;
  let dockerConfig: string;
  const validateScore = schemaValidator("score-report.schema.json");
  const validateCompare = schemaValidator("compare-report.schema.json");

  beforeAll(async () => {
    folder = await makeTempFolder();
    // As root, the store's Postgres runs as an unprivileged user, which must be able to enter the folder.
    await chmod(folder, 0o755);
    safe = await buildAlpineImage([apkRecord("musl", "1.1.19-r10", "musl")], "app");
    vulnerable = await buildAlpineImage(vulnerableAlpineRecords);
    layout = path.join(folder, "layout");
    await writeLayout(layout, [
      { repository: "acme/api", tag: "1.0", image: safe },
      { repository: "acme/api", tag: "2.0", image: vulnerable },
    ]);
    await skopeoCopy(layout, "acme/api:2.0", `docker-archive:${path.join(folder, "legacy.tar")}:acme/api:2.0`);
    await skopeoCopy(layout, "acme/api:2.0", `oci:${path.join(folder, "bare")}:2.0`);
    await packDockerOciArchive(path.join(folder, "bare"), path.join(folder, "oci-save.tar"), "acme/api:2.0");

    const arm64 = await buildAlpineImage([apkRecord("musl", "1.1.19-r10", "musl")], "app", "arm64");
    // Its own amd64 image, because the store keeps attestations by platform image digest for later runs.
    const attested = await buildAlpineImage(vulnerableAlpineRecords, "nobody");
    const index = buildIndex([{ image: attested, attestations: attestationsOf(attested) }, { image: arm64 }], { mediaTypes: "oci", reference: { repository: "acme/multi", tag: "1.0" } });
    await writeLayout(path.join(folder, "multi"), [{ repository: "acme/multi", tag: "1.0", image: index }]);

    registry = await startRegistryServer({ htpasswd: credentials });
    plainRegistry = await startRegistryServer();
    for (const bytes of vulnerable.blobs.values()) await pushBlob(registry, "acme/api", bytes, credentials);
    await pushManifest(registry, "acme/api", "2.0", vulnerable.manifest.bytes, vulnerable.manifest.mediaType, credentials);
    dockerConfig = path.join(folder, "docker");
    await writeDockerConfig(dockerConfig, credentials.password);

    store = await openLocalStore(path.join(folder, "store"), { create: true });
    await importAdvisories(store.prisma, ALPINE_OPENSSL_RECORD);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await registry?.stop();
    await plainRegistry?.stop();
    await removeTempFolder(folder);
  });

  function registryReference(server: RegistryServer, tag: string): string {
    return `${new URL(server.url).host}/acme/api:${tag}`;
  }

  async function writeDockerConfig(directory: string, password: string): Promise<void> {
    await mkdir(directory, { recursive: true });
    const auth = Buffer.from(`${credentials.username}:${password}`).toString("base64");
    await writeFile(path.join(directory, "config.json"), JSON.stringify({ auths: { [new URL(registry.url).host]: { auth } } }));
  }

  function io(overrides: Partial<CommandIo> = {}): CommandIo & { out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      environment: { DOCKER_CONFIG: dockerConfig },
      stdoutIsTerminal: false,
      stderrIsTerminal: false,
      openStore: async () => ({ prisma: store.prisma, close: async () => {} }),
      ...overrides,
    };
  }

  const defaults: ScoreOptions = { format: "json", sarifLocation: "Dockerfile", baseRegistries: [], advisories: "store" };

  async function score(image: string, options: Partial<ScoreOptions> = {}, overrides: Partial<CommandIo> = {}): Promise<Outcome> {
    const streams = io(overrides);
    const code = await scoreCommand(image, { ...defaults, ...options }, streams);
    return { code, stdout: streams.out.join(""), stderr: streams.err.join("") };
  }

  async function scoreJson(image: string, options: Partial<ScoreOptions> = {}): Promise<JsonScoreReport> {
    const outcome = await score(image, options);
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    const report = JSON.parse(outcome.stdout) as JsonScoreReport;
    expect(validateScore(report), JSON.stringify(validateScore.errors)).toBe(true);
    return report;
  }

  /** The parts of a report that must not depend on how the image was given. */
  function essentials(report: JsonScoreReport) {
    const platform = report.platforms[0]!;
    return {
      grade: report.grade,
      earned: platform.earned,
      possible: platform.possible,
      policies: platform.policies.map(({ id, status, points }) => ({ id, status, points })),
      vulnerabilities: platform.vulnerabilities.map((vulnerability) => `${vulnerability.id} ${vulnerability.packageName} ${vulnerability.fixedVersion}`),
      packages: platform.packages.map((pkg) => `${pkg.name}@${pkg.version}`),
    };
  }

  test("every input kind gives one report", async () => {
    const fromLayout = await scoreJson(`oci:${layout}:2.0`);
    expect(essentials(fromLayout)).toMatchObject({
      grade: "D",
      earned: 45,
      possible: 90,
      vulnerabilities: ["CVE-2018-5407 libssl1.0 1.0.2q-r0"],
      packages: ["libssl1.0@1.0.2o-r2", "musl@1.1.19-r10"],
    });
    expect(fromLayout.platforms[0]!.analysis.advisoriesImported).toBe(true);

    const others = [`oci:${path.join(folder, "bare")}:2.0`, `oci:${path.join(folder, "bare")}`, `docker-archive:${path.join(folder, "legacy.tar")}`, `docker-archive:${path.join(folder, "oci-save.tar")}`, registryReference(registry, "2.0")];
    for (const image of others) {
      const report = await scoreJson(image);
      expect(essentials(report), image).toEqual(essentials(fromLayout));
      expect(report.image.input).toBe(image);
    }
  });

  test("grade equals the dashboard's", async () => {
    const prisma = getPrisma();
    await resetDatabase();
    await importAdvisories(prisma, ALPINE_OPENSSL_RECORD);
    const synced = await pushAndSync(prisma, plainRegistry, "acme/api", alpineLayer(vulnerableAlpineRecords));
    const [stored] = await reportsOf(prisma, synced.manifest.digest);

    const report = await scoreJson(registryReference(plainRegistry, "latest"));
    const platform = report.platforms[0]!;
    expect(platform.digest).toBe(stored!.imageDigest);
    expect(report.grade).toBe(stored!.grade);
    expect(platform.earned).toBe(stored!.earned);
    expect(platform.possible).toBe(stored!.possible);
    const storedResults = (stored!.results as unknown as PolicyResult[]).map(({ id, status, points, summary }) => ({ id, status, points, summary }));
    expect(platform.policies.map(({ id, status, points, summary }) => ({ id, status, points, summary }))).toEqual(storedResults);

    // The same configuration through --config and through the dashboard's grading.
    const configFile = path.join(folder, "equal.yml");
    await writeFile(configFile, `version: 4\npolicies:\n${policyIds.map((id) => `  ${id}: { weight: ${id === "default-non-root-user" ? 60 : 10} }`).join("\n")}\n`);
    const config = await loadPolicyConfig(configFile);
    await gradeImages(prisma, [synced.manifest.digest], { config });
    const regraded = (await reportsOf(prisma, synced.manifest.digest)).at(-1)!;
    const configured = await scoreJson(registryReference(plainRegistry, "latest"), { config: configFile });
    expect(regraded.policyConfigVersion).toBe(4);
    expect(configured.policyConfigVersion).toBe(4);
    expect(configured.grade).toBe(regraded.grade);
    expect(configured.platforms[0]!.earned).toBe(regraded.earned);
    expect(configured.platforms[0]!.possible).toBe(regraded.possible);
    expect(configured.grade).not.toBe(report.grade);
  });

  test("multi-platform index with attestations", async () => {
    const sbomFile = path.join(folder, "multi.spdx.json");
    const report = await scoreJson(`oci:${path.join(folder, "multi")}:1.0`, { sbom: "spdx", sbomFile, quiet: true });
    expect(report.platforms.map((platform) => platform.platform)).toEqual(["linux/amd64", "linux/arm64"]);
    const attestationStatus = report.platforms.map((platform) => platform.policies.find((policy) => policy.id === "supply-chain-attestations")!.status);
    expect(attestationStatus).toEqual(["pass", "fail"]);
    expect(report.grade).toBe(report.platforms.map((platform) => platform.grade).sort().at(-1));

    const amd64 = JSON.parse(await readFile(path.join(folder, "multi.linux-amd64.spdx.json"), "utf8")) as { packages: { name: string }[] };
    const arm64 = JSON.parse(await readFile(path.join(folder, "multi.linux-arm64.spdx.json"), "utf8")) as { packages: { name: string }[] };
    expect(amd64.packages.map((pkg) => pkg.name)).toContain("libssl1.0");
    expect(arm64.packages.map((pkg) => pkg.name)).not.toContain("libssl1.0");
  });

  test("config file changes the weights", async () => {
    const config = path.join(folder, "shipshape.yml");
    const weights = { "no-fixable-critical-high": 0, "no-high-profile-vulnerabilities": 0, "supply-chain-attestations": 0, "no-unapproved-base-images": 0, "no-outdated-base-images": 0, "default-non-root-user": 10, "no-agpl-v3-licenses": 10 };
    await writeFile(config, `version: 7\npolicies:\n${Object.entries(weights).map(([id, weight]) => `  ${id}: { weight: ${weight} }`).join("\n")}\n`);
    const report = await scoreJson(`oci:${layout}:2.0`, { config });
    expect(report.policyConfigVersion).toBe(7);
    expect(report.platforms[0]!.possible).toBe(20);
    expect(report.grade).toBe("D");
  });

  test("no advisories means no data", async () => {
    const empty = await makeTempFolder();
    await chmod(empty, 0o755);
    const emptyStore = await openLocalStore(path.join(empty, "store"), { create: true });
    try {
      const outcome = await score(`oci:${layout}:2.0`, {}, { openStore: async () => ({ prisma: emptyStore.prisma, close: async () => {} }) });
      const report = JSON.parse(outcome.stdout) as JsonScoreReport;
      const statuses = Object.fromEntries(report.platforms[0]!.policies.map((policy) => [policy.id, policy.status]));
      expect(statuses["no-fixable-critical-high"]).toBe("no-data");
      expect(statuses["no-high-profile-vulnerabilities"]).toBe("no-data");
      expect(report.platforms[0]!.analysis.advisoriesImported).toBe(false);
    } finally {
      await emptyStore.close();
      await removeTempFolder(empty);
    }
  }, 60_000);

  test("text output and colours", async () => {
    const plain = await score(`oci:${layout}:2.0`, { format: "text" });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("Grade D");
    expect(plain.stdout).toContain("Score: 45 of 90 points = 50.0 %, grade D");
    expect(plain.stdout).toContain("FAIL    Default non-root user (0/5)");
    expect(plain.stdout).toContain("CVE-2018-5407 medium: libssl1.0 1.0.2o-r2, fixed in 1.0.2q-r0");
    expect(plain.stdout).toContain("Fixes, most points first:");
    expect(plain.stdout).not.toContain("\u001b[");

    const coloured = await score(`oci:${layout}:2.0`, { format: "text" }, { stdoutIsTerminal: true });
    expect(coloured.stdout).toContain("\u001b[31mD\u001b[0m");

    const noColor = await score(`oci:${layout}:2.0`, { format: "text" }, { stdoutIsTerminal: true, environment: { NO_COLOR: "1" } });
    expect(noColor.stdout).not.toContain("\u001b[");
  });

  test("markdown output", async () => {
    const outcome = await score(`oci:${layout}:2.0`, { format: "markdown", failUnder: "B" });
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toMatch(/^### Shipshape grade: D\n/);
    expect(outcome.stdout).toContain("> **Gate failed:** The grade D is below B (--fail-under B).");
    expect(outcome.stdout).toContain("| Default non-root user | ❌ fail | 0/5 |");
    expect(outcome.stdout).toContain("| CVE-2018-5407 | medium | libssl1.0 | 1.0.2o-r2 | 1.0.2q-r0 |");
  });

  test("SARIF has one result per finding", async () => {
    const output = path.join(folder, "report.sarif");
    const outcome = await score(`oci:${layout}:2.0`, { format: "sarif", output, sarifLocation: "build/Dockerfile" });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe("");
    const log = JSON.parse(await readFile(output, "utf8")) as SarifLog;
    assertSarifStructure(log);
    const results = log.runs[0]!.results;
    expect(results.map((result) => result.ruleId).sort()).toEqual(["CVE-2018-5407", "shipshape/default-non-root-user", "shipshape/supply-chain-attestations"]);
    const vulnerability = results.find((result) => result.ruleId === "CVE-2018-5407")!;
    expect(vulnerability.level).toBe("warning");
    expect(vulnerability.locations[0]!.physicalLocation.artifactLocation.uri).toBe("build/Dockerfile");
  });

  test("SBOM files", async () => {
    const spdxFile = path.join(folder, "sbom.spdx.json");
    expect((await score(`oci:${layout}:2.0`, { sbom: "spdx", sbomFile: spdxFile })).code).toBe(0);
    const spdx = JSON.parse(await readFile(spdxFile, "utf8")) as { spdxVersion: string; packages: { name: string }[] };
    expect(spdx.spdxVersion).toBe("SPDX-2.3");
    expect(spdx.packages.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(["libssl1.0", "musl"]));

    const cdxFile = path.join(folder, "sbom.cdx.json");
    expect((await score(`oci:${layout}:2.0`, { sbom: "cyclonedx", sbomFile: cdxFile })).code).toBe(0);
    const cdx = JSON.parse(await readFile(cdxFile, "utf8")) as { bomFormat: string; specVersion: string; components: { name: string }[] };
    expect(cdx.bomFormat).toBe("CycloneDX");
    expect(cdx.specVersion).toBe("1.6");
    expect(cdx.components.map((component) => component.name)).toEqual(expect.arrayContaining(["libssl1.0", "musl"]));
  });

  test.each([
    [{ failUnder: "A" as const }, 2, /The grade D is below A/],
    [{ failUnder: "D" as const }, 0, null],
    [{ failOn: ["default-non-root-user" as const] }, 2, /The policy default-non-root-user fails on linux\/amd64/],
    [{ failOn: ["no-agpl-v3-licenses" as const, "no-unapproved-base-images" as const] }, 0, null],
  ])("gate %o exits %i", async (options, code, reason) => {
    const outcome = await score(`oci:${layout}:2.0`, options);
    expect(outcome.code).toBe(code);
    const report = JSON.parse(outcome.stdout) as JsonScoreReport;
    expect(report.gate.failed).toBe(code === 2);
    if (reason) expect(report.gate.reasons.join(" ")).toMatch(reason);
  });

  test("compare finds a regression", async () => {
    const compare = async (before: string, after: string, options: Partial<CompareOptions>) => {
      const streams = io();
      const code = await compareCommand(before, after, { ...defaults, ...options }, streams);
      return { code, stdout: streams.out.join(""), stderr: streams.err.join("") };
    };
    const worse = await compare(`oci:${layout}:1.0`, `oci:${layout}:2.0`, { failOnRegression: true });
    expect(worse.stderr).toBe("");
    expect(worse.code).toBe(2);
    const report = JSON.parse(worse.stdout) as JsonCompareReport;
    expect(validateCompare(report), JSON.stringify(validateCompare.errors)).toBe(true);
    expect(report).toMatchObject({ before: { grade: "C" }, after: { grade: "D" }, regression: true });
    const platform = report.platforms[0]!;
    expect(platform.policies).toEqual([expect.objectContaining({ id: "default-non-root-user", from: "pass", to: "fail", fromPoints: 5, toPoints: 0 })]);
    expect(platform.packages.added).toEqual([{ type: "apk", name: "libssl1.0", versions: ["1.0.2o-r2"] }]);
    expect(platform.vulnerabilities.introduced.map((change) => change.vulnerabilityId)).toEqual(["CVE-2018-5407"]);

    const better = await compare(`oci:${layout}:2.0`, `oci:${layout}:1.0`, { failOnRegression: true, format: "text" });
    expect(better.code).toBe(0);
    expect(better.stdout).toContain("No regression.");
    expect(better.stdout).toContain("- CVE-2018-5407 medium in libssl1.0 1.0.2o-r2, fixed in 1.0.2q-r0");

    const markdown = await compare(`oci:${layout}:1.0`, `oci:${layout}:2.0`, { format: "markdown" });
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain("| Default non-root user | pass | fail | 5 → 0 |");

    const sarif = await compare(`oci:${layout}:1.0`, `oci:${layout}:2.0`, { format: "sarif" });
    const log = JSON.parse(sarif.stdout) as SarifLog;
    assertSarifStructure(log);
    expect(log.runs[0]!.results.map((result) => result.ruleId).sort()).toEqual(["CVE-2018-5407", "shipshape/default-non-root-user"]);
  });

  describe("bad input", () => {
    test.each([
      ["unknown transport", () => "foo:/tmp/layout", /transport "foo:" .* is unknown/],
      ["missing folder", () => `oci:${path.join(folder, "absent")}:1.0`, /absent\/index\.json was not found/],
      ["missing file", () => `docker-archive:${path.join(folder, "absent.tar")}`, /the file .*absent\.tar was not found.*docker save/],
      ["tag not in layout", () => `oci:${layout}:3.0`, /The tag "3\.0" is not in the OCI layout .* Its tags are: acme\/api:1\.0, acme\/api:2\.0/],
      ["untagged layout with two images", () => `oci:${layout}`, /contains 2 images, so name one/],
      ["unreachable registry", () => "127.0.0.1:9/acme/api:1.0", /Connecting to http:\/\/127\.0\.0\.1:9 for 127\.0\.0\.1:9\/acme\/api:1\.0 failed\. Check the host and port/],
      ["tag not on registry", () => registryReference(registry, "9.9"), /acme\/api:9\.9 was not found on 127\.0\.0\.1:\d+\. Check the repository and tag/],
    ])("%s", async (_name, image, message) => {
      const outcome = await score(image());
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toBe("");
      expect(outcome.stderr).toMatch(message);
    });

    test("not a tar", async () => {
      const file = path.join(folder, "not-a-tar.tar");
      await writeFile(file, "this is plain text, not a tar archive\n".repeat(20));
      const outcome = await score(`docker-archive:${file}`);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/not-a-tar\.tar (is not a readable tar archive|is not a docker archive)/);
    });

    test("tar without a docker archive", async () => {
      const file = path.join(folder, "other.tar");
      await writeFile(file, await packTar(new Map([["README", Buffer.from("hello\n")]])));
      const outcome = await score(`docker-archive:${file}`);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/other\.tar is not a docker archive: it has no readable manifest\.json or OCI layout/);
    });

    test("invalid config", async () => {
      const config = path.join(folder, "bad.yml");
      await writeFile(config, "version: 1\npolicies: {}\nweights: 3\n");
      const outcome = await score(`oci:${layout}:2.0`, { config });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/Invalid policy configuration in .*bad\.yml: .*weights \(line 3\) is not a known field/);
    });

    test("wrong credentials", async () => {
      const wrong = path.join(folder, "wrong-docker");
      await writeDockerConfig(wrong, "not-the-password");
      const outcome = await score(registryReference(registry, "2.0"), {}, { environment: { DOCKER_CONFIG: wrong } });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toContain(`the credentials from ${path.join(wrong, "config.json")} were rejected; check them`);
      expect(outcome.stderr).not.toContain("not-the-password");
      expect(outcome.stderr).not.toContain("REGISTRY_USERNAME and REGISTRY_PASSWORD");
    });

    test("no credentials", async () => {
      const outcome = await score(registryReference(registry, "2.0"), {}, { environment: { DOCKER_CONFIG: path.join(folder, "absent-config") } });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/no credentials were found; set --username and --password/);
    });

    test("credentials from flags and environment", async () => {
      const environment = { DOCKER_CONFIG: path.join(folder, "absent-config") };
      expect((await score(registryReference(registry, "2.0"), credentials, { environment })).code).toBe(0);
      const fromEnvironment = { ...environment, SHIPSHAPE_REGISTRY_USERNAME: credentials.username, SHIPSHAPE_REGISTRY_PASSWORD: credentials.password };
      expect((await score(registryReference(registry, "2.0"), {}, { environment: fromEnvironment })).code).toBe(0);
      const half = await score(registryReference(registry, "2.0"), { username: "ci" }, { environment });
      expect(half.code).toBe(1);
      expect(half.stderr).toMatch(/--username is set without --password/);
    });

    test("SBOM file without format", async () => {
      const outcome = await score(`oci:${layout}:2.0`, { sbomFile: path.join(folder, "x.json") });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/--sbom-file .*x\.json is set without --sbom\. Add --sbom spdx or --sbom cyclonedx/);
    });

    test("store folder not enterable", async () => {
      // Root may enter it but the unprivileged Postgres user may not; any other user may not create the store.
      const locked = await makeTempFolder();
      await chmod(locked, 0o000);
      try {
        const outcome = await score(`oci:${layout}:2.0`, {}, { openStore: () => openLocalStore(path.join(locked, "store"), { create: true }) });
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toMatch(/(Starting the store's Postgres in .*store failed: .*Choose another folder or fix its permissions|Cannot create the data folder .*store)/);
      } finally {
        await chmod(locked, 0o700);
        await removeTempFolder(locked);
      }
    });

    test("unreachable server", async () => {
      const outcome = await score(`oci:${layout}:2.0`, { server: "http://127.0.0.1:1", org: "acme", advisories: undefined }, { environment: { SHIPSHAPE_TOKEN: "shp_unused" } });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toContain("http://127.0.0.1:1");
      expect(outcome.stderr).not.toContain("shp_unused");
    });
  });

  describe("command line process", () => {
    // Without LOG_LEVEL, as a user runs it, so a log line on stdout would break the JSON.
    const environment = { ...process.env };
    delete environment.LOG_LEVEL;
    const cli = (args: string[], extraEnvironment: Record<string, string> = {}) =>
      run("npx", ["tsx", "bin/shipshape.ts", ...args], { cwd: repositoryRoot, env: { ...environment, CI: "true", ...extraEnvironment } }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );

    test("invalid --fail-under", async () => {
      const outcome = await cli(["score", `oci:${layout}:2.0`, "--fail-under", "Q"]);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toContain('"Q" is not a grade. Give one letter from A (best) to F, e.g. --fail-under B.');
    });

    test("unknown option names the option and where help is", async () => {
      const outcome = await cli(["score", `oci:${layout}:2.0`, "--bogus"]);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toBe("error: unknown option '--bogus'\nRun `shipshape help COMMAND` for the options of a command.\n");
    });

    test("advisory store written and read", async () => {
      const storeFolder = path.join(folder, "cli-store");
      const imported = await cli(["advisories", "import", "--store", storeFolder, ALPINE_OPENSSL_RECORD]);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain("OSV records imported");
      expect(imported.stdout).toContain("1 added");

      const outcome = await cli(["score", `docker-archive:${path.join(folder, "legacy.tar")}`, "--advisories", storeFolder, "--format", "json", "--base-registries", "", "--fail-on", "default-non-root-user"]);
      expect(outcome.stderr).toBe("");
      expect(outcome.code).toBe(2);
      const report = JSON.parse(outcome.stdout) as JsonScoreReport;
      expect(report.grade).toBe("D");
      expect(report.platforms[0]!.vulnerabilities.map((vulnerability) => vulnerability.id)).toEqual(["CVE-2018-5407"]);

      const missing = await cli(["score", `oci:${layout}:2.0`, "--advisories", path.join(folder, "no-store")]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/The advisory store .*no-store was not found\. Create it with `shipshape advisories import --store/);
    }, 120_000);

    test("logs go to standard error", async () => {
      const storeFolder = path.join(folder, "logged-store");
      const imported = await cli(["advisories", "import", "--store", storeFolder, ALPINE_OPENSSL_RECORD], { LOG_LEVEL: "info" });
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain("1 added");
      expect(imported.stdout).not.toContain('"level":');
      expect(imported.stderr).toContain('"level":30');

      const missingSource = await cli(["advisories", "import", "--store", storeFolder, path.join(folder, "no-such-record.json")]);
      expect(missingSource.code).toBe(1);
      expect(missingSource.stdout).toBe("");
      expect(missingSource.stderr).toContain("no-such-record.json: import failed:");

      const outcome = await cli(["score", `oci:${layout}:1.0`, "--advisories", storeFolder, "--format", "json", "--base-registries", "", "--fail-under", "E"], { LOG_LEVEL: "info" });
      expect(outcome.code).toBe(0);
      expect((JSON.parse(outcome.stdout) as JsonScoreReport).grade).toBe("C");
      expect(outcome.stderr).toContain('"level":30');
    }, 120_000);

    test.each(["warning", "42"])("invalid LOG_LEVEL %s stops the command", async (level) => {
      const outcome = await cli(["score", `oci:${layout}:1.0`, "--format", "json"], { LOG_LEVEL: level });
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toBe("");
      expect(outcome.stderr).toBe(`shipshape: LOG_LEVEL "${level}" is invalid. Set it to one of trace, debug, info, warn, error, fatal, silent, or unset it for info.\n`);
    });

    test("scores with a temporary store", async () => {
      const outcome = await cli(["score", `oci:${layout}:1.0`, "--format", "json", "--base-registries", "", "--fail-under", "E"]);
      expect(outcome.stderr).toBe("");
      expect(outcome.code).toBe(0);
      const report = JSON.parse(outcome.stdout) as JsonScoreReport;
      expect(validateScore(report)).toBe(true);
      expect(report.grade).toBe("E");
      expect(report.platforms[0]!.analysis.advisoriesImported).toBe(false);
    }, 120_000);
  });
});

interface SarifLog {
  $schema: string;
  version: string;
  runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
}

/**
 * Checks the properties SARIF 2.1.0 requires of what Shipshape writes, and the location per
 * result that GitHub code scanning requires. NOTE: the official SARIF JSON schema is not in the
 * repository, so the output is not validated against it.
 */
function assertSarifStructure(log: SarifLog): void {
  expect(log.version).toBe("2.1.0");
  expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  expect(run.tool.driver.name).toBe("shipshape");
  const ruleIds = run.tool.driver.rules.map((rule) => rule.id);
  expect(new Set(ruleIds).size).toBe(ruleIds.length);
  for (const result of run.results) {
    expect(result.message.text.length).toBeGreaterThan(0);
    expect(["error", "warning", "note", "none"]).toContain(result.level);
    expect(ruleIds[result.ruleIndex]).toBe(result.ruleId);
    expect(result.locations.length).toBeGreaterThan(0);
  }
}

function schemaValidator(file: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(repositoryRoot, "docs", "cli", file), "utf8")) as object);
}
