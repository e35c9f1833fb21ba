import { createHash } from "node:crypto";

import { beforeEach, describe, expect, test } from "vitest";

import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { seedAcmeRepository } from "@/lib/database/testing/seed-users";
import { getImageVulnerabilities, parseVulnerabilityQuery, VULNERABILITIES_PER_PAGE, type VulnerabilityQuery } from "@/lib/data/get-image-vulnerabilities";
import { getPrisma } from "@/lib/db";
import type { VulnerabilityFinding } from "@/scoring";

const prisma = getPrisma();

function digestOf(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

const AMD64 = digestOf("image amd64");
const ARM64 = digestOf("image arm64");
const INDEX = digestOf("index 1.0");
const OTHER_TAG_IMAGE = digestOf("image of tag 0.9");

/**
 * Seeds acme/api with the tag 1.0 (an index of an amd64 and an arm64 image)
 * and the tag 0.9 (one other image), an owner, a member without grants and
 * the owner of another organization. The amd64 image is analysed; the arm64
 * image has no analysis row. Score reports are added per test.
 */
async function seed() {
  const { acme, api, owner, member, rival } = await seedAcmeRepository(prisma);

  const platforms = [
    { digest: AMD64, platform: "linux/amd64", architecture: "amd64" },
    { digest: ARM64, platform: "linux/arm64/v8", architecture: "arm64" },
    { digest: OTHER_TAG_IMAGE, platform: "linux/amd64", architecture: "amd64" },
  ];
  for (const image of platforms) {
    await prisma.image.create({
      data: {
        digest: image.digest,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        platform: image.platform,
        os: "linux",
        architecture: image.architecture,
        configDigest: digestOf(`config ${image.digest}`),
        compressedSize: 1200n,
      },
    });
  }
  await prisma.manifest.create({ data: { digest: INDEX, mediaType: "application/vnd.oci.image.index.v1+json", isIndex: true, size: 900 } });
  await prisma.manifest.create({ data: { digest: OTHER_TAG_IMAGE, mediaType: "application/vnd.oci.image.manifest.v1+json", isIndex: false, size: 500 } });
  await prisma.manifestImage.createMany({
    data: [
      { manifestDigest: INDEX, imageDigest: AMD64, platform: "linux/amd64" },
      { manifestDigest: INDEX, imageDigest: ARM64, platform: "linux/arm64/v8" },
      { manifestDigest: OTHER_TAG_IMAGE, imageDigest: OTHER_TAG_IMAGE, platform: "linux/amd64" },
    ],
  });
  await prisma.tag.create({ data: { repositoryId: api.id, name: "1.0", digest: INDEX } });
  await prisma.tag.create({ data: { repositoryId: api.id, name: "0.9", digest: OTHER_TAG_IMAGE } });
  await prisma.imageAnalysis.create({ data: { imageDigest: AMD64, status: "ANALYSED", osId: "debian", osEcosystem: "Debian:12", packageCount: 5, analysedAt: new Date("2026-11-30T08:00:00Z") } });

  return { acme, api, owner, member, rival };
}

type FindingSeed = Partial<VulnerabilityFinding> & Pick<VulnerabilityFinding, "vulnerabilityId" | "packageName">;

function finding(seedValues: FindingSeed): VulnerabilityFinding {
  const type = seedValues.packageType ?? "deb";
  const version = seedValues.packageVersion ?? "1.0-1";
  return {
    purl: `pkg:${type}/${seedValues.packageName}@${version}`,
    recordIds: [seedValues.vulnerabilityId],
    aliases: [],
    fixedVersion: null,
    severity: { level: "unspecified", score: null, source: null },
    packageType: type,
    packageVersion: version,
    published: null,
    knownExploited: false,
    suppressed: null,
    ...seedValues,
  };
}

/** One finding of each kind the table shows: every level, fixable or not, suppressed by an exception and by VEX. */
const sample: VulnerabilityFinding[] = [
  finding({
    vulnerabilityId: "CVE-2024-1013",
    packageName: "unixodbc",
    packageVersion: "2.3.11-2",
    recordIds: ["DEBIAN-CVE-2024-1013"],
    severity: { level: "low", score: null, source: { recordId: "DEBIAN-CVE-2024-1013", field: "affected[].ecosystem_specific.urgency", value: "unimportant" } },
    published: "2024-03-18T13:15:00.000Z",
  }),
  finding({
    vulnerabilityId: "CVE-2019-10746",
    packageType: "npm",
    packageName: "mixin-deep",
    packageVersion: "1.3.1",
    recordIds: ["GHSA-fhjf-83wg-r2j9"],
    fixedVersion: "1.3.2",
    published: "2019-08-27T17:42:33.000Z",
  }),
  finding({
    vulnerabilityId: "CVE-2021-44228",
    packageType: "maven",
    packageName: "org.apache.logging.log4j:log4j-core",
    packageVersion: "2.14.1",
    recordIds: ["GHSA-jfh8-c2jp-5v3q"],
    fixedVersion: "2.15.0",
    severity: { level: "critical", score: 10, source: { recordId: "GHSA-jfh8-c2jp-5v3q", field: "severity[CVSS_V3]", value: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" } },
    knownExploited: true,
    published: "2021-12-10T00:00:40.000Z",
  }),
  finding({
    vulnerabilityId: "CVE-2024-3651",
    packageType: "pypi",
    packageName: "idna",
    packageVersion: "3.6",
    recordIds: ["PYSEC-2024-60"],
    aliases: ["GHSA-jjg7-2v4v-x38h"],
    fixedVersion: "3.7",
    severity: { level: "high", score: 7.5, source: { recordId: "PYSEC-2024-60", field: "severity[CVSS_V3]", value: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" } },
    published: "2024-07-07T18:15:00.000Z",
  }),
  finding({
    vulnerabilityId: "CVE-2023-0286",
    packageName: "libssl3",
    packageVersion: "3.0.7-1",
    fixedVersion: "3.0.8-1",
    severity: { level: "high", score: 7.4, source: { recordId: "DEBIAN-CVE-2023-0286", field: "severity[CVSS_V3]", value: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H" } },
    published: "2023-02-08T20:15:00.000Z",
    suppressed: { by: "exception", reason: "X.400 addresses are never parsed.", expiresAt: "2027-01-31T00:00:00.000Z" },
  }),
  finding({
    vulnerabilityId: "CVE-2018-5407",
    packageType: "apk",
    packageName: "libssl1.0",
    packageVersion: "1.0.2h-r1",
    fixedVersion: "1.0.2q-r0",
    severity: { level: "medium", score: 4.7, source: { recordId: "CVE-2018-5407", field: "severity[CVSS_V3]", value: "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N" } },
    published: "2018-11-15T21:29:00.000Z",
  }),
  finding({
    vulnerabilityId: "CVE-2020-0001",
    packageName: "zero-score",
    severity: { level: "none", score: 0, source: { recordId: "CVE-2020-0001", field: "severity[CVSS_V3]", value: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N" } },
  }),
  finding({
    vulnerabilityId: "GHSA-pxmp-fwjc-4x7q",
    packageType: "npm",
    packageName: "marky-markdown",
    packageVersion: "11.3.5",
    published: "2020-09-03T15:45:23.000Z",
    suppressed: { by: "vex", reason: "vulnerable_code_not_in_execute_path", expiresAt: null },
  }),
];

async function addReport(imageDigest: string, findings: unknown[], extra: { createdAt?: Date; cause?: string | null; causeIds?: string[]; advisorySnapshot?: string | null } = {}) {
  await prisma.scoreReport.create({
    data: {
      imageDigest,
      engineVersion: "1",
      policyConfigVersion: 1,
      advisorySnapshot: extra.advisorySnapshot ?? null,
      earned: 50,
      possible: 90,
      percent: 55.6,
      grade: "C",
      results: [],
      findings: JSON.parse(JSON.stringify(findings)),
      cause: extra.cause ?? "analysis",
      causeIds: extra.causeIds ?? [],
      createdAt: extra.createdAt ?? new Date("2026-12-01T10:00:00Z"),
    },
  });
}

async function ids(viewer: Viewer, query: VulnerabilityQuery = {}): Promise<string[] | undefined> {
  const view = await getImageVulnerabilities(viewer, "acme", "api", "1.0", AMD64, { vulnerabilities: query });
  return view.vulnerabilities?.rows.map((row) => row.vulnerabilityId);
}

describe("getImageVulnerabilities", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("reads the latest report", async () => {
    const { owner } = await seed();
    const snapshot = await prisma.advisorySnapshot.create({ data: { source: "/srv/osv", kind: "osv", finishedAt: new Date("2026-12-01T09:59:00Z") } });
    await addReport(AMD64, [finding({ vulnerabilityId: "CVE-2000-0001", packageName: "old" })], { createdAt: new Date("2026-11-30T08:00:00Z") });
    await addReport(AMD64, sample, { cause: "advisory update", causeIds: ["GHSA-fhjf-83wg-r2j9"], advisorySnapshot: snapshot.id });

    const view = await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64, { vulnerabilities: {} });

    expect(view.image).toEqual({ digest: AMD64, platform: "linux/amd64" });
    expect(view.analysis.status).toBe("ANALYSED");
    expect(view.grading).toEqual({
      gradedAt: new Date("2026-12-01T10:00:00Z"),
      cause: "advisory update",
      causeIds: ["GHSA-fhjf-83wg-r2j9"],
      advisorySnapshot: { id: snapshot.id, kind: "osv", importedAt: new Date("2026-12-01T09:59:00Z") },
    });
    expect(view.latestOsvImport).toEqual({ id: snapshot.id, kind: "osv", importedAt: new Date("2026-12-01T09:59:00Z") });
    expect(view.vulnerabilities?.rows).toHaveLength(sample.length);
    expect(view.vulnerabilities?.rows.map((row) => row.vulnerabilityId)).not.toContain("CVE-2000-0001");
    expect(view.unreadableFindings).toBe(0);
  });

  test("returns each finding field by field", async () => {
    const { owner } = await seed();
    await addReport(AMD64, sample);

    const view = await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64, { vulnerabilities: { search: "idna" } });

    expect(view.vulnerabilities?.rows).toEqual([{ ...sample[3], key: "pkg:pypi/idna@3.6 CVE-2024-3651 3" }]);
  });

  test("counts unsuppressed findings by severity", async () => {
    const { owner } = await seed();
    await addReport(AMD64, sample);

    const { counts } = await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64, { vulnerabilities: { severities: ["critical"] } });

    expect(counts.bySeverity).toEqual({ critical: 1, high: 1, medium: 1, low: 1, none: 1, unspecified: 1 });
    expect(counts.unsuppressed).toBe(6);
    expect(counts.suppressed).toBe(2);
    expect(counts.fixable).toBe(4);
  });

  test("gives no page unless asked", async () => {
    const { owner } = await seed();
    await addReport(AMD64, sample);

    const view = await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64);

    expect(view.vulnerabilities).toBeNull();
    expect(view.counts.unsuppressed).toBe(6);
  });

  test("sorts worst first, then by CVSS score", async () => {
    const { owner } = await seed();
    await addReport(AMD64, sample);

    expect(await ids(owner)).toEqual(["CVE-2021-44228", "CVE-2024-3651", "CVE-2023-0286", "CVE-2018-5407", "CVE-2024-1013", "CVE-2020-0001", "GHSA-pxmp-fwjc-4x7q", "CVE-2019-10746"]);
  });

  test("sorts by package name", async () => {
    const { owner } = await seed();
    await addReport(AMD64, sample);

    const view = await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64, { vulnerabilities: { sort: "package" } });

    expect(view.vulnerabilities?.rows.map((row) => row.packageName)).toEqual([
      "idna",
      "libssl1.0",
      "libssl3",
      "marky-markdown",
      "mixin-deep",
      "org.apache.logging.log4j:log4j-core",
      "unixodbc",
      "zero-score",
    ]);
  });

  test("sorts newest published first", async () => {
    const { owner } = await seed();
    await addReport(AMD64, sample);

    expect(await ids(owner, { sort: "published" })).toEqual(["CVE-2024-3651", "CVE-2024-1013", "CVE-2023-0286", "CVE-2021-44228", "GHSA-pxmp-fwjc-4x7q", "CVE-2019-10746", "CVE-2018-5407", "CVE-2020-0001"]);
  });

  test("orders ties by package, then id", async () => {
    const { owner } = await seed();
    await addReport(AMD64, [
      finding({ vulnerabilityId: "CVE-2024-0002", packageName: "b" }),
      finding({ vulnerabilityId: "CVE-2024-0001", packageName: "b" }),
      finding({ vulnerabilityId: "CVE-2024-0003", packageName: "a" }),
    ]);

    expect(await ids(owner)).toEqual(["CVE-2024-0003", "CVE-2024-0001", "CVE-2024-0002"]);
  });

  const filters: Array<[string, VulnerabilityQuery, string[]]> = [
    ["one severity", { severities: ["high"] }, ["CVE-2024-3651", "CVE-2023-0286"]],
    ["several severities", { severities: ["critical", "medium"] }, ["CVE-2021-44228", "CVE-2018-5407"]],
    ["unspecified severity", { severities: ["unspecified"] }, ["GHSA-pxmp-fwjc-4x7q", "CVE-2019-10746"]],
    ["fixable only", { fixableOnly: true }, ["CVE-2021-44228", "CVE-2024-3651", "CVE-2023-0286", "CVE-2018-5407", "CVE-2019-10746"]],
    ["hidden suppressed", { hideSuppressed: true }, ["CVE-2021-44228", "CVE-2024-3651", "CVE-2018-5407", "CVE-2024-1013", "CVE-2020-0001", "CVE-2019-10746"]],
    ["CVE id ignoring case", { search: "cve-2019-10746" }, ["CVE-2019-10746"]],
    ["alias", { search: "GHSA-jjg7" }, ["CVE-2024-3651"]],
    ["record id", { search: "GHSA-fhjf-83wg-r2j9" }, ["CVE-2019-10746"]],
    ["package name", { search: "LIBSSL" }, ["CVE-2023-0286", "CVE-2018-5407"]],
    ["fixable high, unsuppressed", { severities: ["high"], fixableOnly: true, hideSuppressed: true }, ["CVE-2024-3651"]],
    ["search without match", { search: "CVE-1999-0001" }, []],
  ];

  test.each(filters)("filters by %s", async (_name, query, expected) => {
    const { owner } = await seed();
    await addReport(AMD64, sample);
    expect(await ids(owner, query)).toEqual(expected);
  });

  test("counts the total after filters", async () => {
    const { owner } = await seed();
    await addReport(AMD64, sample);

    const view = await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64, { vulnerabilities: { fixableOnly: true } });

    expect(view.vulnerabilities).toMatchObject({ total: 5, page: 1, pageCount: 1, pageSize: VULNERABILITIES_PER_PAGE });
    expect(view.counts.unsuppressed).toBe(6);
  });

  test("pages through many findings", async () => {
    const { owner } = await seed();
    const many = Array.from({ length: 250 }, (_, index) => finding({ vulnerabilityId: `CVE-2024-${String(10000 + index)}`, packageName: "bulk" }));
    await addReport(AMD64, many);

    const page = async (number: number) => (await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64, { vulnerabilities: { page: number } })).vulnerabilities;
    const first = await page(1);
    const last = await page(3);
    const past = await page(9);

    expect(VULNERABILITIES_PER_PAGE).toBe(100);
    expect(first).toMatchObject({ total: 250, page: 1, pageCount: 3, pageSize: 100 });
    expect(first?.rows).toHaveLength(100);
    expect(first?.rows[0]?.vulnerabilityId).toBe("CVE-2024-10000");
    expect(last?.rows.map((row) => row.vulnerabilityId)).toEqual(many.slice(200).map((item) => item.vulnerabilityId));
    expect(past?.page).toBe(3);
    expect(past?.rows[0]?.vulnerabilityId).toBe("CVE-2024-10200");
  });

  test("counts unreadable findings and keeps the rest", async () => {
    const { owner } = await seed();
    // A finding written without the optional fields still reads, with their defaults.
    const withoutOptionalFields: Record<string, unknown> = { ...finding({ vulnerabilityId: "CVE-2024-0001", packageName: "older" }) };
    delete withoutOptionalFields.suppressed;
    delete withoutOptionalFields.knownExploited;
    await addReport(AMD64, [withoutOptionalFields, { note: "not a finding" }, { ...finding({ vulnerabilityId: "CVE-2024-0002", packageName: "bad" }), severity: { level: "severe" } }]);

    const view = await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64, { vulnerabilities: {} });

    expect(view.unreadableFindings).toBe(2);
    expect(view.vulnerabilities?.rows).toHaveLength(1);
    expect(view.vulnerabilities?.rows[0]).toMatchObject({ vulnerabilityId: "CVE-2024-0001", suppressed: null, knownExploited: false });
    expect(view.counts.bySeverity.unspecified).toBe(1);
  });

  test("image without a report", async () => {
    const { owner } = await seed();

    const view = await getImageVulnerabilities(owner, "acme", "api", "1.0", ARM64, { vulnerabilities: {} });

    expect(view.analysis.status).toBe("PENDING");
    expect(view.grading).toBeNull();
    expect(view.counts).toEqual({ bySeverity: { critical: 0, high: 0, medium: 0, low: 0, none: 0, unspecified: 0 }, unsuppressed: 0, fixable: 0, suppressed: 0 });
    expect(view.vulnerabilities).toMatchObject({ rows: [], total: 0, page: 1, pageCount: 1 });
  });

  test("report snapshot that no longer exists", async () => {
    const { owner } = await seed();
    await addReport(AMD64, [], { advisorySnapshot: "snapshot-gone" });

    const view = await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64);

    expect(view.grading?.advisorySnapshot).toEqual({ id: "snapshot-gone", kind: null, importedAt: null });
  });

  test("latest OSV import skips KEV and unfinished imports", async () => {
    const { owner } = await seed();
    expect((await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64)).latestOsvImport).toBeNull();

    const older = await prisma.advisorySnapshot.create({ data: { source: "/srv/osv", kind: "osv", finishedAt: new Date("2026-12-01T09:00:00Z") } });
    await prisma.advisorySnapshot.create({ data: { source: "/srv/kev.json", kind: "kev", finishedAt: new Date("2026-12-01T11:00:00Z") } });
    await prisma.advisorySnapshot.create({ data: { source: "/srv/osv-running", kind: "osv", finishedAt: null } });

    expect((await getImageVulnerabilities(owner, "acme", "api", "1.0", AMD64)).latestOsvImport).toEqual({ id: older.id, kind: "osv", importedAt: new Date("2026-12-01T09:00:00Z") });
  });

  test("member without access gets the missing-tag error", async () => {
    const { member } = await seed();
    await addReport(AMD64, sample);
    const missing = await getImageVulnerabilities(member, "acme", "api", "no-such-tag", AMD64).catch((error: unknown) => error);

    await expect(getImageVulnerabilities(member, "acme", "api", "1.0", AMD64, { vulnerabilities: {} })).rejects.toEqual(missing);
    await expect(getImageVulnerabilities(member, "acme", "api", "1.0", AMD64)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getImageVulnerabilities(member, "acme", "api", "1.0", digestOf("nothing"))).rejects.toEqual(missing);
  });

  test("other organization's owner is not found", async () => {
    const { rival } = await seed();
    await addReport(AMD64, sample);
    await expect(getImageVulnerabilities(rival, "acme", "api", "1.0", AMD64)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("team grant gives read access", async () => {
    const { acme, api, member } = await seed();
    await addReport(AMD64, sample);
    const team = await prisma.team.create({ data: { organizationId: acme.id, name: "readers", members: { create: { userId: member.id } } } });
    await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: api.id, permission: "READ" } });

    const view = await getImageVulnerabilities(member, "acme", "api", "1.0", AMD64);
    expect(view.counts.unsuppressed).toBe(6);
  });

  test("digest of another tag is rejected", async () => {
    const { owner } = await seed();
    await addReport(OTHER_TAG_IMAGE, sample);
    await expect(getImageVulnerabilities(owner, "acme", "api", "1.0", OTHER_TAG_IMAGE)).rejects.toMatchObject({ code: "INVALID_INPUT", details: { accepted: [AMD64, ARM64] } });
  });
});

describe("parseVulnerabilityQuery", () => {
  test("reads every filter", () => {
    expect(parseVulnerabilityQuery({ severity: ["high", "critical"], fixable: "1", suppressed: "hide", vq: " CVE-2019-10746 ", vsort: "published", vpage: "2" })).toEqual({
      query: { severities: ["critical", "high"], fixableOnly: true, hideSuppressed: true, search: "CVE-2019-10746", sort: "published", page: 2 },
      problems: [],
    });
  });

  test("reads comma-separated severities", () => {
    expect(parseVulnerabilityQuery({ severity: "Medium,low,,medium" }).query).toEqual({ severities: ["medium", "low"] });
  });

  test("reads the default values", () => {
    expect(parseVulnerabilityQuery({ fixable: "0", suppressed: "show", vsort: "severity" })).toEqual({ query: { sort: "severity" }, problems: [] });
    expect(parseVulnerabilityQuery({ fixable: "true" }).query).toEqual({ fixableOnly: true });
  });

  test("ignores empty values", () => {
    expect(parseVulnerabilityQuery({ severity: "", fixable: "", suppressed: " ", vq: "", vsort: undefined, vpage: "" })).toEqual({ query: {}, problems: [] });
  });

  test("ignores the package filters", () => {
    expect(parseVulnerabilityQuery({ q: "bash", sort: "license", page: "3", type: "deb" })).toEqual({ query: {}, problems: [] });
  });

  test("keeps valid severities beside invalid ones", () => {
    expect(parseVulnerabilityQuery({ severity: ["high", "severe"] })).toEqual({
      query: { severities: ["high"] },
      problems: ['Ignored the severity "severe": use one of critical, high, medium, low, none, unspecified.'],
    });
  });

  const invalid: Array<[string, Record<string, string>, string]> = [
    ["severity", { severity: "urgent" }, 'Ignored the severity "urgent": use one of critical, high, medium, low, none, unspecified.'],
    ["fixable", { fixable: "maybe" }, 'Ignored fixable="maybe": use 1 to list only fixable vulnerabilities.'],
    ["suppressed", { suppressed: "only" }, 'Ignored suppressed="only": use hide or show.'],
    ["sort", { vsort: "score" }, 'Ignored the vulnerability sort "score": use one of severity, package, published.'],
    ["page zero", { vpage: "0" }, 'Ignored the vulnerability page "0": give a page number from 1.'],
    ["page text", { vpage: "two" }, 'Ignored the vulnerability page "two": give a page number from 1.'],
    ["long search", { vq: "a".repeat(201) }, "Ignored the vulnerability search: it is longer than 200 characters."],
  ];

  test.each(invalid)("reports an invalid %s", (_name, params, message) => {
    expect(parseVulnerabilityQuery(params)).toEqual({ query: {}, problems: [message] });
  });
});
