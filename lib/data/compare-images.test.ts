import { beforeEach, describe, expect, test } from "vitest";

import type { Prisma } from "@/generated/prisma/client";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { seedAcmeRepository } from "@/lib/database/testing/seed-users";
import { digestOf, seedImage, seedSingleTag } from "@/lib/database/testing/seed-images";
import { compareImages, orderByPush, readCompareParams } from "@/lib/data/compare-images";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";

const prisma = getPrisma();

const OLD = digestOf("image 1.0 amd64");
const NEW_AMD64 = digestOf("image 2.0 amd64");
const NEW_ARM64 = digestOf("image 2.0 arm64");
const ARM_ONLY = digestOf("image arm-only");
const UNANALYSED = digestOf("image pending");
const FAILED = digestOf("image failed");
const UNGRADED = digestOf("image not graded");
const INDEX = digestOf("index 2.0");

interface PackageSeed {
  type?: string;
  name: string;
  version: string;
}

async function addImage(digest: string, platform: string) {
  await seedImage(prisma, digest, { platform });
}

/** Adds a single-platform tag whose manifest is the image itself. */
async function addSingleTag(repositoryId: string, name: string, digest: string, platform = "linux/amd64") {
  await seedSingleTag(prisma, repositoryId, name, digest, { image: { platform } });
}

async function analyse(digest: string, packages: PackageSeed[]) {
  await prisma.imageAnalysis.create({ data: { imageDigest: digest, status: "ANALYSED", packageCount: packages.length, analysedAt: new Date("2026-11-01T00:00:00Z") } });
  await prisma.imagePackage.createMany({
    data: packages.map((item, index) => {
      const type = item.type ?? "deb";
      return {
        imageDigest: digest,
        type,
        name: item.name,
        version: item.version,
        purl: `pkg:${type}/${item.name}@${item.version}`,
        licenseDeclared: [],
        path: `/seed/${index}`,
        matchNames: [item.name],
      };
    }),
  });
}

function finding(vulnerabilityId: string, packageName: string, packageVersion: string, level: string, options: { type?: string; fixedVersion?: string | null; suppressed?: boolean } = {}) {
  const packageType = options.type ?? "deb";
  return {
    purl: `pkg:${packageType}/${packageName}@${packageVersion}`,
    vulnerabilityId,
    recordIds: [vulnerabilityId],
    aliases: [],
    fixedVersion: options.fixedVersion ?? null,
    severity: { level, score: null, source: null },
    packageType,
    packageName,
    packageVersion,
    published: null,
    knownExploited: false,
    suppressed: options.suppressed ? { by: "exception", reason: "Accepted for the test.", expiresAt: null } : null,
  };
}

function result(id: string, status: "pass" | "fail" | "no-data", weight: number) {
  return { id, title: `Policy ${id}`, description: "", status, weight, points: status === "pass" ? weight : 0, summary: "", evidence: [], remediation: null };
}

async function grade(digest: string, percent: number, gradeLetter: string, results: unknown[], findings: unknown[]) {
  await prisma.scoreReport.create({
    data: { imageDigest: digest, engineVersion: "test", policyConfigVersion: 1, earned: Math.round(percent), possible: 100, percent, grade: gradeLetter, results: results as Prisma.InputJsonValue, findings: findings as Prisma.InputJsonValue },
  });
}

/**
 * Seeds acme/api with the tags 1.0 (one amd64 image), 2.0 (an index of amd64
 * and arm64/v8), 2.0-alias (the same index), arm-only, pending (not analysed),
 * failed (analysis failed) and ungraded (analysed, no report). It also adds an
 * owner, a member without grants and the owner of another organization.
 */
async function seed() {
  const { acme, api, owner, member, rival } = await seedAcmeRepository(prisma);

  await addSingleTag(api.id, "1.0", OLD);
  await addImage(NEW_AMD64, "linux/amd64");
  await addImage(NEW_ARM64, "linux/arm64/v8");
  await prisma.manifest.create({ data: { digest: INDEX, mediaType: "application/vnd.oci.image.index.v1+json", isIndex: true, size: 900 } });
  await prisma.manifestImage.createMany({
    data: [
      { manifestDigest: INDEX, imageDigest: NEW_AMD64, platform: "linux/amd64" },
      { manifestDigest: INDEX, imageDigest: NEW_ARM64, platform: "linux/arm64/v8" },
    ],
  });
  await prisma.tag.create({ data: { repositoryId: api.id, name: "2.0", digest: INDEX } });
  await prisma.tag.create({ data: { repositoryId: api.id, name: "2.0-alias", digest: INDEX } });
  await addSingleTag(api.id, "arm-only", ARM_ONLY, "linux/arm64/v8");
  await addSingleTag(api.id, "pending", UNANALYSED);
  await addSingleTag(api.id, "failed", FAILED);
  await addSingleTag(api.id, "ungraded", UNGRADED);

  await analyse(OLD, [
    { name: "bash", version: "5.2.15-2" },
    { name: "libssl3", version: "3.0.11-1" },
    { type: "npm", name: "left-pad", version: "1.3.0" },
    { type: "npm", name: "ms", version: "2.1.2" },
    { type: "npm", name: "ms", version: "2.1.3" },
    { type: "npm", name: "debug", version: "4.3.4" },
  ]);
  await analyse(NEW_AMD64, [
    { name: "bash", version: "5.2.15-2" },
    { name: "libssl3", version: "3.0.15-1" },
    { type: "npm", name: "express", version: "4.19.2" },
    { type: "npm", name: "ms", version: "2.1.3" },
    { type: "npm", name: "ms", version: "2.1.3" },
    { type: "pypi", name: "debug", version: "0.1" },
  ]);
  await analyse(NEW_ARM64, [{ name: "bash", version: "5.2.15-2" }]);
  await analyse(ARM_ONLY, [{ name: "bash", version: "5.2.15-2" }]);
  await analyse(UNGRADED, [{ name: "bash", version: "5.2.15-2" }]);
  await prisma.imageAnalysis.create({ data: { imageDigest: FAILED, status: "FAILED", reason: "Layer blob digest mismatch" } });

  await grade(
    OLD,
    45,
    "D",
    [result("default-non-root-user", "fail", 5), result("supply-chain-attestations", "fail", 15), result("no-fixable-critical-high", "pass", 20)],
    [
      finding("CVE-2024-0001", "libssl3", "3.0.11-1", "high", { fixedVersion: "3.0.15-1" }),
      finding("CVE-2024-0002", "bash", "5.2.15-2", "low"),
      finding("CVE-2024-0003", "ms", "2.1.2", "medium", { type: "npm", suppressed: true }),
      finding("CVE-2024-0004", "left-pad", "1.3.0", "medium", { type: "npm" }),
    ],
  );
  await grade(
    NEW_AMD64,
    80,
    "B",
    [result("default-non-root-user", "pass", 5), result("supply-chain-attestations", "fail", 15), result("no-fixable-critical-high", "fail", 20), result("no-agpl-v3-licenses", "pass", 5)],
    [
      finding("CVE-2024-0001", "libssl3", "3.0.15-1", "high", { suppressed: true }),
      finding("CVE-2024-0002", "bash", "5.2.15-2", "low"),
      finding("CVE-2024-0003", "ms", "2.1.3", "medium", { type: "npm" }),
      finding("CVE-2024-0005", "express", "4.19.2", "critical", { type: "npm", fixedVersion: "4.20.0" }),
      finding("CVE-2024-0005", "express", "4.19.1", "high", { type: "npm" }),
      { note: "not a finding" },
    ],
  );
  await grade(NEW_ARM64, 80, "B", [result("default-non-root-user", "pass", 5)], []);
  await grade(ARM_ONLY, 80, "B", [result("default-non-root-user", "pass", 5)], []);

  return { acme, api, owner, member, rival };
}

/** Returns the messages of the INVALID_INPUT error that compareImages throws. */
async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("INVALID_INPUT");
  return (error as AppError).details.problems as string[];
}

describe("compareImages", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("compares grades of both sides", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "1.0", "2.0");

    expect(comparison.repository).toEqual({ name: "acme/api" });
    expect(comparison.identical).toBe(false);
    expect(comparison.a).toMatchObject({ side: "a", platform: "linux/amd64", platforms: ["linux/amd64"], imageDigest: OLD, tag: { name: "1.0", digest: OLD } });
    expect(comparison.a.report).toMatchObject({ grade: "D", percent: 45, earned: 45, possible: 100 });
    expect(comparison.b).toMatchObject({ side: "b", platform: "linux/amd64", platforms: ["linux/amd64", "linux/arm64/v8"], imageDigest: NEW_AMD64, tag: { name: "2.0", digest: INDEX } });
    expect(comparison.b.report).toMatchObject({ grade: "B", percent: 80 });
    expect(comparison.b.analysis).toEqual({ status: "ANALYSED", reason: null, packageCount: 6 });
  });

  test("pairs policy statuses by id", async () => {
    const { owner } = await seed();
    const { policies } = await compareImages(owner, "acme", "api", "1.0", "2.0");

    expect(policies).toEqual([
      { id: "default-non-root-user", title: "Policy default-non-root-user", from: "fail", to: "pass", fromPoints: 0, toPoints: 5 },
      { id: "supply-chain-attestations", title: "Policy supply-chain-attestations", from: "fail", to: "fail", fromPoints: 0, toPoints: 0 },
      { id: "no-fixable-critical-high", title: "Policy no-fixable-critical-high", from: "pass", to: "fail", fromPoints: 20, toPoints: 0 },
      { id: "no-agpl-v3-licenses", title: "Policy no-agpl-v3-licenses", from: null, to: "pass", fromPoints: null, toPoints: 5 },
    ]);
  });

  test("diffs packages by type and name", async () => {
    const { owner } = await seed();
    const { packages } = await compareImages(owner, "acme", "api", "1.0", "2.0");

    expect(packages.status).toBe("compared");
    if (packages.status !== "compared") return;
    expect(packages.added).toEqual([
      { type: "pypi", name: "debug", versions: ["0.1"] },
      { type: "npm", name: "express", versions: ["4.19.2"] },
    ]);
    expect(packages.removed).toEqual([
      { type: "npm", name: "debug", versions: ["4.3.4"] },
      { type: "npm", name: "left-pad", versions: ["1.3.0"] },
    ]);
    expect(packages.changed).toEqual([
      { type: "deb", name: "libssl3", from: ["3.0.11-1"], to: ["3.0.15-1"] },
      { type: "npm", name: "ms", from: ["2.1.2", "2.1.3"], to: ["2.1.3"] },
    ]);
    expect(packages.unchanged).toBe(1);
  });

  test("diffs unsuppressed vulnerabilities", async () => {
    const { owner } = await seed();
    const { vulnerabilities } = await compareImages(owner, "acme", "api", "1.0", "2.0");

    expect(vulnerabilities.status).toBe("compared");
    if (vulnerabilities.status !== "compared") return;
    expect(vulnerabilities.fixed).toEqual([
      { vulnerabilityId: "CVE-2024-0001", packageName: "libssl3", packageType: "deb", packageVersions: ["3.0.11-1"], severity: "high", fixedVersion: "3.0.15-1", suppressedOnOtherSide: true },
      { vulnerabilityId: "CVE-2024-0004", packageName: "left-pad", packageType: "npm", packageVersions: ["1.3.0"], severity: "medium", fixedVersion: null, suppressedOnOtherSide: false },
    ]);
    expect(vulnerabilities.introduced).toEqual([
      { vulnerabilityId: "CVE-2024-0005", packageName: "express", packageType: "npm", packageVersions: ["4.19.1", "4.19.2"], severity: "critical", fixedVersion: "4.20.0", suppressedOnOtherSide: false },
      { vulnerabilityId: "CVE-2024-0003", packageName: "ms", packageType: "npm", packageVersions: ["2.1.3"], severity: "medium", fixedVersion: null, suppressedOnOtherSide: true },
    ]);
    expect(vulnerabilities.unchanged).toBe(1);
    expect(vulnerabilities.unreadable).toBe(1);
  });

  test("reverse order swaps the diff", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "2.0", "1.0");

    if (comparison.packages.status !== "compared" || comparison.vulnerabilities.status !== "compared") throw new Error("expected both diffs");
    expect(comparison.packages.added.map((entry) => entry.name)).toEqual(["debug", "left-pad"]);
    expect(comparison.packages.changed[0]).toEqual({ type: "deb", name: "libssl3", from: ["3.0.15-1"], to: ["3.0.11-1"] });
    expect(comparison.vulnerabilities.introduced.map((entry) => entry.vulnerabilityId)).toEqual(["CVE-2024-0001", "CVE-2024-0004"]);
  });

  test("same tag twice is identical", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "1.0", "1.0");

    expect(comparison.identical).toBe(true);
    expect(comparison.packages).toEqual({ status: "compared", added: [], removed: [], changed: [], unchanged: 5 });
    expect(comparison.vulnerabilities).toMatchObject({ status: "compared", fixed: [], introduced: [], unchanged: 3 });
    expect(comparison.policies.every((policy) => policy.from === policy.to)).toBe(true);
  });

  test("tags sharing a digest are identical", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "2.0", "2.0-alias");
    expect(comparison.identical).toBe(true);
    expect(comparison.a.imageDigest).toBe(NEW_AMD64);
  });

  test("default platform is first common", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "2.0", "arm-only");

    expect(comparison.a.platform).toBe("linux/arm64/v8");
    expect(comparison.b.platform).toBe("linux/arm64/v8");
    expect(comparison.a.imageDigest).toBe(NEW_ARM64);
    expect(comparison.notes).toEqual(["Comparing the linux/arm64/v8 images, the first platform both tags have. Add @PLATFORM to a tag to compare another."]);
  });

  test("named platform applies to both", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "arm-only", "2.0@linux/arm64/v8");

    expect(comparison.a.imageDigest).toBe(ARM_ONLY);
    expect(comparison.b.imageDigest).toBe(NEW_ARM64);
    expect(comparison.notes).toEqual([]);
  });

  test("named platform missing on other side", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "2.0@linux/arm64/v8", "1.0");

    expect(comparison.a.imageDigest).toBe(NEW_ARM64);
    expect(comparison.b.imageDigest).toBe(OLD);
    expect(comparison.notes).toEqual(["Tag 1.0 (B) has no linux/arm64/v8 image, so its linux/amd64 image is compared."]);
  });

  test("both platforms named", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "2.0@linux/amd64", "2.0@linux/arm64/v8");

    expect(comparison.a.imageDigest).toBe(NEW_AMD64);
    expect(comparison.b.imageDigest).toBe(NEW_ARM64);
    expect(comparison.identical).toBe(false);
  });

  test("no common platform falls back", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "1.0", "arm-only");

    expect(comparison.a.platform).toBe("linux/amd64");
    expect(comparison.b.platform).toBe("linux/arm64/v8");
    expect(comparison.notes).toEqual(["The tags have no platform in common, so the linux/amd64 image of 1.0 is compared with the linux/arm64/v8 image of arm-only."]);
  });

  const invalidCases: Array<[string, string | null, string | null, string[]]> = [
    ["both missing", null, null, ["Tag A is missing: give a=TAG", "Tag B is missing: give b=TAG"]],
    ["one missing", "1.0", null, ["Tag B is missing"]],
    ["unknown tag", "1.0", "9.9", ['Tag "9.9" (B) was not found in acme/api.']],
    ["invalid tag", "bad tag!", "1.0", ['Tag A "bad tag!" is not a valid tag name']],
    ["unknown platform", "1.0@linux/s390x", "2.0", ['Tag "1.0" (A) has no platform "linux/s390x". Use one of: linux/amd64.']],
    ["invalid platform", "1.0", "2.0@amd64", ['Platform "amd64" of tag B is not a valid platform']],
    ["empty platform", "1.0@", "2.0", ['Platform "" of tag A is not a valid platform']],
    ["long value shortened", "x".repeat(300), "1.0", [`Tag A "${"x".repeat(79)}…" is not a valid tag name`]],
  ];

  test.each(invalidCases)("rejects %s", async (_name, a, b, expected) => {
    const { owner } = await seed();
    const problems = await problemsOf(compareImages(owner, "acme", "api", a, b));

    expect(problems).toHaveLength(expected.length);
    expected.forEach((text, index) => expect(problems[index]).toContain(text));
  });

  test("deleted tag is unknown", async () => {
    const { owner, api } = await seed();
    await prisma.tag.update({ where: { repositoryId_name: { repositoryId: api.id, name: "1.0" } }, data: { deletedAt: new Date() } });

    const problems = await problemsOf(compareImages(owner, "acme", "api", "1.0", "2.0"));
    expect(problems).toEqual(['Tag "1.0" (A) was not found in acme/api. Check the name on the Tags tab.']);
  });

  test("pending analysis leaves diffs unavailable", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "1.0", "pending");

    expect(comparison.b.analysis.status).toBe("PENDING");
    expect(comparison.packages).toEqual({ status: "unavailable", reason: "B (pending, linux/amd64) is still being analysed. Reload the page when the analysis has finished." });
    expect(comparison.vulnerabilities.status).toBe("unavailable");
    expect(comparison.policies.map((policy) => policy.to)).toEqual([null, null, null]);
  });

  test("failed analysis gives its reason", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "failed", "1.0");
    expect(comparison.packages).toEqual({ status: "unavailable", reason: "A (failed, linux/amd64) could not be analysed: Layer blob digest mismatch." });
  });

  test("ungraded image compares packages only", async () => {
    const { owner } = await seed();
    const comparison = await compareImages(owner, "acme", "api", "ungraded", "1.0");

    expect(comparison.a.report).toBeNull();
    expect(comparison.packages.status).toBe("compared");
    expect(comparison.vulnerabilities).toEqual({ status: "unavailable", reason: "A (ungraded, linux/amd64) has not been graded yet. Reload the page when it has been." });
  });

  test("member without access is not found", async () => {
    const { member } = await seed();
    const notFound = { code: "NOT_FOUND", message: "Repository acme/api was not found." };

    // The access check runs before the parameters are read, so bad parameters reveal nothing either.
    await expect(compareImages(member, "acme", "api", "1.0", "2.0")).rejects.toMatchObject(notFound);
    await expect(compareImages(member, "acme", "api", "1.0", "9.9")).rejects.toMatchObject(notFound);
    await expect(compareImages(member, "acme", "api", null, null)).rejects.toMatchObject(notFound);
  });

  test("other organization's owner is not found", async () => {
    const { rival } = await seed();
    await expect(compareImages(rival, "acme", "api", "1.0", "2.0")).rejects.toMatchObject({ code: "NOT_FOUND", message: "Repository acme/api was not found." });
  });

  test("team grant gives read access", async () => {
    const { acme, api, member } = await seed();
    const team = await prisma.team.create({ data: { organizationId: acme.id, name: "readers", members: { create: { userId: member.id } } } });
    await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: api.id, permission: "READ" } });

    const comparison = await compareImages(member, "acme", "api", "1.0", "2.0");
    expect(comparison.b.report?.grade).toBe("B");
  });
});

describe("orderByPush", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("puts the older push first", async () => {
    const { owner, api } = await seed();
    await prisma.tag.update({ where: { repositoryId_name: { repositoryId: api.id, name: "1.0" } }, data: { lastPushedAt: new Date("2026-01-01T00:00:00Z") } });
    await prisma.tag.update({ where: { repositoryId_name: { repositoryId: api.id, name: "2.0" } }, data: { lastPushedAt: new Date("2026-02-01T00:00:00Z") } });

    expect(await orderByPush(owner, "acme", "api", ["2.0", "1.0"])).toEqual(["1.0", "2.0"]);
    expect(await orderByPush(owner, "acme", "api", ["1.0", "2.0"])).toEqual(["1.0", "2.0"]);
  });

  test("unknown names go last", async () => {
    const { owner } = await seed();
    expect(await orderByPush(owner, "acme", "api", ["nope", "1.0"])).toEqual(["1.0", "nope"]);
  });

  test("member without access is not found", async () => {
    const { member } = await seed();
    await expect(orderByPush(member, "acme", "api", ["1.0", "2.0"])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("readCompareParams", () => {
  test("reads a and b", () => {
    expect(readCompareParams({ a: " 1.0 ", b: "2.0@linux/arm64/v8" })).toEqual({ a: "1.0", b: "2.0@linux/arm64/v8", fromSelection: false, problems: [] });
  });

  test("blank values are missing", () => {
    expect(readCompareParams({ a: "", b: ["  ", "2.0"] })).toEqual({ a: null, b: null, fromSelection: false, problems: [] });
  });

  test("two ticked tags become a and b", () => {
    expect(readCompareParams({ tag: ["1.0", "1.1"] })).toEqual({ a: "1.0", b: "1.1", fromSelection: true, problems: [] });
  });

  test("a and b win over ticked tags", () => {
    expect(readCompareParams({ a: "1.0", tag: ["2.0", "3.0"] })).toMatchObject({ a: "1.0", b: null, fromSelection: false });
  });

  const selections: Array<[string, string | string[], string]> = [
    ["one tag", "1.0", 'Select two tags to compare: only "1.0" was selected.'],
    ["no tag", "", "Select two tags to compare: none was selected."],
    ["three tags", ["1.0", "1.1", "1.2"], 'Select exactly two tags to compare: 3 were selected ("1.0", "1.1", "1.2").'],
  ];

  test.each(selections)("rejects %s", (_name, tag, message) => {
    expect(readCompareParams({ tag })).toEqual({ a: null, b: null, fromSelection: true, problems: [message] });
  });
});
