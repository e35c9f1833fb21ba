import { createHash } from "node:crypto";

import { beforeEach, describe, expect, test } from "vitest";

import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { seedAcmeRepository } from "@/lib/database/testing/seed-users";
import { getImageAnalysis, getImageSbomInput, PACKAGES_PER_PAGE, parsePackageQuery } from "@/lib/data/get-image-analysis";
import { getPrisma } from "@/lib/db";

const prisma = getPrisma();

function digestOf(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

const BASE_LAYER = digestOf("layer base");
const APP_LAYER = digestOf("layer app");
const AMD64 = digestOf("image amd64");
const ARM64 = digestOf("image arm64");
const INDEX = digestOf("index 1.0");
const OTHER_TAG_IMAGE = digestOf("image of tag 0.9");

/**
 * Seeds acme/api with the tag 1.0 (an index of an amd64 and an arm64 image)
 * and the tag 0.9 (one other image), an owner, a member without grants and
 * the owner of another organization. The amd64 image is analysed; its
 * packages are added per test.
 */
async function seed() {
  const registry = await prisma.registry.create({ data: { kind: "DISTRIBUTION", url: "https://registry.example.com" } });
  const { acme, api, owner, member, rival } = await seedAcmeRepository(prisma, { registryId: registry.id });

  await prisma.layer.createMany({
    data: [
      { digest: BASE_LAYER, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", size: 1000n },
      { digest: APP_LAYER, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", size: 200n },
    ],
  });
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
        layers: { create: [{ layerDigest: BASE_LAYER, position: 0 }, { layerDigest: APP_LAYER, position: 1 }] },
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

  await prisma.imageAnalysis.create({
    data: {
      imageDigest: AMD64,
      status: "ANALYSED",
      osId: "debian",
      osVersionId: "12",
      osPrettyName: "Debian GNU/Linux 12 (bookworm)",
      osEcosystem: "Debian:12",
      osEndOfLife: "2026-06-10",
      packageCount: 0,
      problems: [{ layerDigest: BASE_LAYER, path: "/var/lib/dpkg/status", message: "Stanza 3 has no Package field" }, { note: "not a problem record" }],
      analysedAt: new Date("2026-11-30T08:00:00.500Z"),
    },
  });

  return { acme, api, owner, member, rival };
}

interface PackageSeed {
  type?: string;
  name: string;
  version?: string;
  license?: string | null;
  sourceName?: string;
  layerDigest?: string | null;
}

async function addPackages(imageDigest: string, packages: PackageSeed[]) {
  await prisma.imagePackage.createMany({
    data: packages.map((item) => {
      const type = item.type ?? "deb";
      const version = item.version ?? "1.0-1";
      return {
        imageDigest,
        type,
        name: item.name,
        version,
        purl: `pkg:${type}/${item.name}@${version}`,
        license: item.license === undefined ? "MIT" : item.license,
        licenseDeclared: item.license ? [item.license] : [],
        sourceName: item.sourceName ?? null,
        path: type === "deb" ? "/var/lib/dpkg/status" : `/app/node_modules/${item.name}/package.json`,
        layerDigest: item.layerDigest === undefined ? BASE_LAYER : item.layerDigest,
        ecosystem: type === "deb" ? "Debian:12" : "npm",
      };
    }),
  });
}

const sample: PackageSeed[] = [
  { name: "bash", version: "5.2.15-2+b7", license: "GPL-3.0-or-later" },
  { name: "libssl3", version: "3.0.15-1~deb12u1", license: "Apache-2.0", sourceName: "openssl" },
  { name: "tzdata", version: "2024a-0+deb12u1", license: null },
  { name: "libc6", version: "2.36-9+deb12u9", license: "LGPL-2.1-or-later AND GPL-2.0-or-later", sourceName: "glibc" },
  { type: "npm", name: "express", version: "4.19.2", license: "MIT", layerDigest: APP_LAYER },
  { type: "npm", name: "ms", version: "2.1.3", license: "MIT", layerDigest: APP_LAYER },
  { type: "npm", name: "left_pad", version: "1.3.0", license: null, layerDigest: null },
];

async function packageNames(viewer: Viewer, query: Parameters<typeof getImageAnalysis>[5] = { packages: {} }) {
  const view = await getImageAnalysis(viewer, "acme", "api", "1.0", AMD64, query);
  return view.packages?.rows.map((row) => row.name);
}

describe("getImageAnalysis", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("owner reads the analysis", async () => {
    const { owner } = await seed();
    const view = await getImageAnalysis(owner, "acme", "api", "1.0", AMD64);

    expect(view.image).toEqual({ digest: AMD64, platform: "linux/amd64" });
    expect(view.layers).toEqual([{ digest: BASE_LAYER, position: 0 }, { digest: APP_LAYER, position: 1 }]);
    expect(view.analysis.status).toBe("ANALYSED");
    expect(view.analysis.os).toEqual({ id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", ecosystem: "Debian:12", endOfLife: "2026-06-10" });
    expect(view.analysis.analysedAt).toEqual(new Date("2026-11-30T08:00:00.500Z"));
    expect(view.packages).toBeNull();
  });

  test("keeps problems of an unknown shape", async () => {
    const { owner } = await seed();
    const { analysis } = await getImageAnalysis(owner, "acme", "api", "1.0", AMD64);

    expect(analysis.problems).toHaveLength(2);
    expect(analysis.problems[0]).toEqual({ layerDigest: BASE_LAYER, path: "/var/lib/dpkg/status", message: "Stanza 3 has no Package field" });
    expect(analysis.problems[1]?.message).toContain('{"note":"not a problem record"}');
  });

  test("image without a row is pending", async () => {
    const { owner } = await seed();
    const { analysis } = await getImageAnalysis(owner, "acme", "api", "1.0", ARM64);
    expect(analysis).toEqual({ status: "PENDING", reason: null, os: null, packageCount: 0, problems: [], analysedAt: null });
  });

  test("failed analysis carries its reason", async () => {
    const { owner } = await seed();
    await prisma.imageAnalysis.create({ data: { imageDigest: ARM64, status: "FAILED", reason: "Layer blob digest mismatch" } });

    const { analysis } = await getImageAnalysis(owner, "acme", "api", "1.0", ARM64);

    expect(analysis.status).toBe("FAILED");
    expect(analysis.reason).toBe("Layer blob digest mismatch");
    expect(analysis.os).toBeNull();
  });

  test("member without access gets the missing-tag error", async () => {
    const { member } = await seed();
    const missing = await getImageAnalysis(member, "acme", "api", "no-such-tag", AMD64).catch((error: unknown) => error);

    await expect(getImageAnalysis(member, "acme", "api", "1.0", AMD64)).rejects.toEqual(missing);
    await expect(getImageAnalysis(member, "acme", "api", "1.0", AMD64)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getImageAnalysis(member, "acme", "api", "1.0", digestOf("nothing"))).rejects.toEqual(missing);
  });

  test("other organization's owner is not found", async () => {
    const { rival } = await seed();
    await expect(getImageAnalysis(rival, "acme", "api", "1.0", AMD64)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("team grant gives read access", async () => {
    const { acme, api, member } = await seed();
    const team = await prisma.team.create({ data: { organizationId: acme.id, name: "readers", members: { create: { userId: member.id } } } });
    await prisma.repositoryPermission.create({ data: { teamId: team.id, repositoryId: api.id, permission: "READ" } });

    const view = await getImageAnalysis(member, "acme", "api", "1.0", AMD64);
    expect(view.analysis.status).toBe("ANALYSED");
  });

  test("missing or deleted tag is not found", async () => {
    const { owner, api } = await seed();
    await expect(getImageAnalysis(owner, "acme", "api", "2.0", AMD64)).rejects.toMatchObject({ code: "NOT_FOUND", message: "Tag acme/api:2.0 was not found." });

    await prisma.tag.update({ where: { repositoryId_name: { repositoryId: api.id, name: "1.0" } }, data: { deletedAt: new Date() } });
    await expect(getImageAnalysis(owner, "acme", "api", "1.0", AMD64)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("digest of another tag is rejected", async () => {
    const { owner } = await seed();
    const error = await getImageAnalysis(owner, "acme", "api", "1.0", OTHER_TAG_IMAGE).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: "INVALID_INPUT", details: { accepted: [AMD64, ARM64] } });
    expect((error as Error).message).toContain(`"${OTHER_TAG_IMAGE}" is not an image of acme/api:1.0`);
    expect((error as Error).message).toContain(`${AMD64} (linux/amd64)`);
    expect((error as Error).message).toContain(`${ARM64} (linux/arm64/v8)`);
  });

  test("lists packages by name", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);
    await addPackages(ARM64, [{ name: "arm-only" }]);

    expect(await packageNames(owner)).toEqual(["bash", "express", "left_pad", "libc6", "libssl3", "ms", "tzdata"]);
  });

  test("writes each row field by field", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);

    const view = await getImageAnalysis(owner, "acme", "api", "1.0", AMD64, { packages: { search: "libssl3" } });

    expect(view.packages?.rows).toEqual([
      {
        id: expect.any(String),
        type: "deb",
        name: "libssl3",
        version: "3.0.15-1~deb12u1",
        purl: "pkg:deb/libssl3@3.0.15-1~deb12u1",
        license: "Apache-2.0",
        sourceName: "openssl",
        sourceVersion: null,
        arch: null,
        path: "/var/lib/dpkg/status",
        layer: { digest: BASE_LAYER, position: 0 },
      },
    ]);
  });

  test("gives layer positions", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, [...sample, { name: "stray", layerDigest: digestOf("layer of another image") }]);

    const rows = (await getImageAnalysis(owner, "acme", "api", "1.0", AMD64, { packages: {} })).packages?.rows ?? [];
    const layerOf = (name: string) => rows.find((row) => row.name === name)?.layer;

    expect(layerOf("bash")).toEqual({ digest: BASE_LAYER, position: 0 });
    expect(layerOf("express")).toEqual({ digest: APP_LAYER, position: 1 });
    expect(layerOf("left_pad")).toBeNull();
    expect(layerOf("stray")).toEqual({ digest: digestOf("layer of another image"), position: null });
  });

  const filters: Array<[string, Parameters<typeof getImageAnalysis>[5], string[]]> = [
    ["type", { packages: { type: "npm" } }, ["express", "left_pad", "ms"]],
    ["name search ignoring case", { packages: { search: "LIBC" } }, ["libc6"]],
    ["source package name", { packages: { search: "openssl" } }, ["libssl3"]],
    ["license", { packages: { license: "MIT" } }, ["express", "ms"]],
    ["unknown license", { packages: { license: null } }, ["left_pad", "tzdata"]],
    ["layer", { packages: { layer: APP_LAYER } }, ["express", "ms"]],
    ["type and license", { packages: { type: "deb", license: null } }, ["tzdata"]],
    ["underscore", { packages: { search: "t_p" } }, ["left_pad"]],
    ["literal underscore", { packages: { search: "s_l" } }, []],
    ["literal backslash", { packages: { search: "\\" } }, []],
    ["literal percent", { packages: { search: "%" } }, []],
    ["search without match", { packages: { search: "python" } }, []],
  ];

  test.each(filters)("filters by %s", async (_name, query, expected) => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);
    expect(await packageNames(owner, query)).toEqual(expected);
  });

  test("sorts by license with unknown last", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);
    expect(await packageNames(owner, { packages: { sort: "license" } })).toEqual(["libssl3", "bash", "libc6", "express", "ms", "left_pad", "tzdata"]);
  });

  test("sorts by type", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);
    expect(await packageNames(owner, { packages: { sort: "type" } })).toEqual(["bash", "libc6", "libssl3", "tzdata", "express", "left_pad", "ms"]);
  });

  test("pages through many packages", async () => {
    const { owner } = await seed();
    const many = Array.from({ length: 250 }, (_, index) => ({ name: `pkg-${String(index).padStart(3, "0")}` }));
    await addPackages(AMD64, many);

    const first = (await getImageAnalysis(owner, "acme", "api", "1.0", AMD64, { packages: {} })).packages;
    const last = (await getImageAnalysis(owner, "acme", "api", "1.0", AMD64, { packages: { page: 3 } })).packages;
    const past = (await getImageAnalysis(owner, "acme", "api", "1.0", AMD64, { packages: { page: 9 } })).packages;

    expect(PACKAGES_PER_PAGE).toBe(100);
    expect(first?.rows).toHaveLength(100);
    expect(first?.rows[0]?.name).toBe("pkg-000");
    expect(first).toMatchObject({ total: 250, page: 1, pageCount: 3, pageSize: 100 });
    expect(last?.rows.map((row) => row.name)).toEqual(many.slice(200).map((item) => item.name));
    expect(past?.page).toBe(3);
    expect(past?.rows[0]?.name).toBe("pkg-200");
  });

  test("counts the total after filters", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);
    const packages = (await getImageAnalysis(owner, "acme", "api", "1.0", AMD64, { packages: { type: "npm" } })).packages;
    expect(packages).toMatchObject({ total: 3, page: 1, pageCount: 1 });
  });

  test("counts facets over the whole image", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);

    const facets = (await getImageAnalysis(owner, "acme", "api", "1.0", AMD64, { packages: { type: "npm" } })).packages?.facets;

    expect(facets?.types).toEqual([{ value: "deb", count: 4 }, { value: "npm", count: 3 }]);
    expect(facets?.licenses).toEqual([
      { value: "Apache-2.0", count: 1 },
      { value: "GPL-3.0-or-later", count: 1 },
      { value: "LGPL-2.1-or-later AND GPL-2.0-or-later", count: 1 },
      { value: "MIT", count: 2 },
      { value: null, count: 2 },
    ]);
    expect(facets?.layers).toEqual([
      { value: BASE_LAYER, count: 4 },
      { value: APP_LAYER, count: 2 },
      { value: null, count: 1 },
    ]);
  });
});

describe("getImageSbomInput", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  test("builds the export input", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);

    const input = await getImageSbomInput(owner, "acme", "api", "1.0", AMD64);

    expect(input.image).toEqual({ repository: "registry.example.com/acme/api", tag: "1.0", digest: AMD64, platform: "linux/amd64" });
    expect(input.os?.ecosystem).toBe("Debian:12");
    expect(input.created).toEqual(new Date("2026-11-30T08:00:00.500Z"));
    expect(input.toolVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(input.packages.map((item) => item.name).sort()).toEqual(sample.map((item) => item.name).sort());
  });

  test("writes each package field by field", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, sample);

    const input = await getImageSbomInput(owner, "acme", "api", "1.0", AMD64);

    expect(input.packages.find((item) => item.name === "libssl3")).toEqual({
      type: "deb",
      name: "libssl3",
      version: "3.0.15-1~deb12u1",
      purl: "pkg:deb/libssl3@3.0.15-1~deb12u1",
      license: "Apache-2.0",
      licenseDeclared: ["Apache-2.0"],
      sourceName: "openssl",
      path: "/var/lib/dpkg/status",
      layerDigest: BASE_LAYER,
    });
    expect(input.packages.find((item) => item.name === "left_pad")?.layerDigest).toBe("unknown");
  });

  test("includes every package, not one page", async () => {
    const { owner } = await seed();
    await addPackages(AMD64, Array.from({ length: 250 }, (_, index) => ({ name: `pkg-${index}` })));
    expect((await getImageSbomInput(owner, "acme", "api", "1.0", AMD64)).packages).toHaveLength(250);
  });

  test("rejects a pending image", async () => {
    const { owner } = await seed();
    await expect(getImageSbomInput(owner, "acme", "api", "1.0", ARM64)).rejects.toMatchObject({
      code: "CONFLICT",
      message: `Image ${ARM64} of acme/api:1.0 is still being analysed. Download its SBOM once the analysis has finished.`,
    });
  });

  test("rejects a failed image with its reason", async () => {
    const { owner } = await seed();
    await prisma.imageAnalysis.create({ data: { imageDigest: ARM64, status: "FAILED", reason: "Layer blob digest mismatch" } });
    await expect(getImageSbomInput(owner, "acme", "api", "1.0", ARM64)).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("could not be analysed: Layer blob digest mismatch"),
    });
  });

  test("member without access is not found", async () => {
    const { member } = await seed();
    await expect(getImageSbomInput(member, "acme", "api", "1.0", AMD64)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("unknown platform is rejected", async () => {
    const { owner } = await seed();
    await expect(getImageSbomInput(owner, "acme", "api", "1.0", digestOf("nothing"))).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  test("names Docker Hub repositories with docker.io", async () => {
    const { owner, acme } = await seed();
    const hub = await prisma.registry.create({ data: { kind: "DOCKERHUB", url: "https://registry-1.docker.io" } });
    await prisma.organization.update({ where: { id: acme.id }, data: { registryId: hub.id } });
    expect((await getImageSbomInput(owner, "acme", "api", "1.0", AMD64)).image.repository).toBe("docker.io/acme/api");
  });
});

describe("parsePackageQuery", () => {
  test("reads every filter", () => {
    expect(parsePackageQuery({ type: "npm", q: " bash ", license: "MIT", layer: BASE_LAYER, sort: "license", page: "2" })).toEqual({
      query: { type: "npm", search: "bash", license: "MIT", layer: BASE_LAYER, sort: "license", page: 2 },
      problems: [],
    });
  });

  test("reads the unknown license", () => {
    expect(parsePackageQuery({ license: "unknown" }).query).toEqual({ license: null });
  });

  test("ignores empty values", () => {
    expect(parsePackageQuery({ type: "", q: "  ", license: "", page: undefined })).toEqual({ query: {}, problems: [] });
  });

  test("takes the first of repeated values", () => {
    expect(parsePackageQuery({ type: ["deb", "npm"] }).query).toEqual({ type: "deb" });
  });

  const invalid: Array<[string, Record<string, string>, string]> = [
    ["type", { type: "docker" }, 'Ignored the type "docker": use one of deb, apk, rpm, pypi, npm, golang, maven, gem, cargo.'],
    ["layer", { layer: "../etc" }, 'Ignored the layer "../etc": give a layer digest such as sha256:…'],
    ["sort", { sort: "version" }, 'Ignored the sort "version": use one of name, type, license.'],
    ["page zero", { page: "0" }, 'Ignored the page "0": give a page number from 1.'],
    ["page text", { page: "two" }, 'Ignored the page "two": give a page number from 1.'],
    ["long search", { q: "a".repeat(201) }, "Ignored the name search: it is longer than 200 characters."],
  ];

  test.each(invalid)("reports an invalid %s", (_name, params, message) => {
    expect(parsePackageQuery(params)).toEqual({ query: {}, problems: [message] });
  });
});
