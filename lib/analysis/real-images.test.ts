import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { analyzeImage, type AnalyzeImageResult } from "@/lib/analysis/analyze-image";
import { buildRealImage, pushRealImage, REAL_IMAGE_TAG, type RealImage } from "@/lib/analysis/testing/real-images";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getPrisma } from "@/lib/db";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";

const ORGANIZATION = "realimages";
const REPOSITORY = `${ORGANIZATION}/debian`;
// The first debootstrap downloads about 60 MB of packages; later runs reuse the cached image.
const BUILD_TIMEOUT_MS = 30 * 60_000;
const ANALYSIS_TIMEOUT_MS = 10 * 60_000;

interface PackageRow {
  type: string;
  name: string;
  version: string;
  path: string;
  sourceName: string | null;
  sourceVersion: string | null;
  arch: string | null;
  license: string | null;
  licenseDeclared: string[];
  layerDigest: string | null;
  ecosystem: string | null;
}

/** `name@version path`, the form the per-ecosystem comparisons use, so a failure lists the packages that differ. */
function described(item: { name: string; version: string; path: string }): string {
  return `${item.name}@${item.version} ${item.path}`;
}

function sorted(values: string[]): string[] {
  return [...values].sort();
}

describe("analyzeImage on a debootstrapped Debian image", () => {
  const prisma = getPrisma();
  const credentials = { username: "shipshape", password: randomBytes(12).toString("hex") };
  let registry: RegistryServer;
  let image: RealImage;
  let imageDigest: string;
  const source = () => testRegistrySource(registry.url, credentials);

  beforeAll(async () => {
    image = await buildRealImage();
    registry = await startRegistryServer({ htpasswd: credentials });
    await pushRealImage(image, registry, REPOSITORY, credentials);
    await resetDatabase();

    const queued: string[] = [];
    const run = await syncOrganization(prisma, source(), ORGANIZATION, {
      analyzeLater: async (_repository, digests) => {
        queued.push(...digests);
      },
    });
    if (run.status !== "SUCCEEDED") throw new Error(`Sync of ${ORGANIZATION} ended ${run.status}: ${JSON.stringify(run.errors)}`);
    const tag = await prisma.tag.findFirstOrThrow({ where: { name: REAL_IMAGE_TAG, repository: { name: REPOSITORY } }, include: { manifest: { include: { images: true } } } });
    const stored = tag.manifest.images[0];
    if (stored === undefined) throw new Error(`Tag ${REPOSITORY}:${REAL_IMAGE_TAG} was stored without an image.`);
    imageDigest = stored.imageDigest;
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await registry?.stop();
  });

  test("registry lists the pushed tag", async () => {
    const tags = await source().listTags(REPOSITORY);
    expect(tags).toContain(REAL_IMAGE_TAG);
    const head = await source().headManifest(REPOSITORY, REAL_IMAGE_TAG);
    expect(head?.digest).toBe(image.manifestDigest);
  });

  test("sync stores the three layers in order", async () => {
    const layers = await prisma.imageLayer.findMany({ where: { imageDigest }, orderBy: { position: "asc" } });
    expect(layers.map((layer) => layer.layerDigest)).toEqual(image.layerDigests);
  });

  describe("first analysis", () => {
    let result: AnalyzeImageResult;
    let rows: PackageRow[];
    const rowsOfType = (type: string) => rows.filter((row) => row.type === type);

    beforeAll(async () => {
      result = await analyzeImage(prisma, source(), REPOSITORY, imageDigest);
      rows = await prisma.imagePackage.findMany({ where: { imageDigest } });
    }, ANALYSIS_TIMEOUT_MS);

    test("succeeds and fetches each layer once", () => {
      expect(result.status === "FAILED" ? result.reason : result.status).toBe("ANALYSED");
      expect(result.blobFetches).toBe(image.layerDigests.length);
      if (result.status === "ANALYSED") expect(result.packageCount).toBe(rows.length);
    });

    test("reports no problems for a clean image", () => {
      const problems = result.status === "ANALYSED" ? result.problems : [];
      expect(problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([]);
    });

    test("detects Debian 12", async () => {
      const analysis = await prisma.imageAnalysis.findUniqueOrThrow({ where: { imageDigest } });
      expect(analysis.osId).toBe(image.oracle.os.id);
      expect(analysis.osVersionId).toBe(image.oracle.os.versionId);
      expect(analysis.osEcosystem).toBe("Debian:12");
    });

    test("lists every dpkg package with version and source", () => {
      const expected = image.oracle.dpkg.map((item) => `${item.name}@${item.version} ${item.arch} source ${item.sourceName}@${item.sourceVersion}`);
      const actual = rowsOfType("deb").map((row) => `${row.name}@${row.version} ${row.arch} source ${row.sourceName}@${row.sourceVersion}`);
      expect(sorted(actual)).toEqual(sorted(expected));
    });

    test("names dpkg packages' ecosystem Debian:12", () => {
      const ecosystems = new Set(rowsOfType("deb").map((row) => row.ecosystem));
      expect([...ecosystems]).toEqual(["Debian:12"]);
    });

    test("reads dpkg licenses from machine-readable copyright files", () => {
      const withLicenses = image.oracle.dpkg.filter((item) => item.copyright?.machineReadable === true && item.copyright.licenses.length > 0);
      expect(withLicenses.length).toBeGreaterThan(0);
      const byName = new Map(rowsOfType("deb").map((row) => [row.name, row]));
      const expected = withLicenses.map((item) => `${item.name}: ${sorted(item.copyright?.licenses ?? []).join(" | ")}`);
      const actual = withLicenses.map((item) => `${item.name}: ${sorted(byName.get(item.name)?.licenseDeclared ?? []).join(" | ")}`);
      expect(actual).toEqual(expected);
    });

    test("reads a license from free-text copyright files", () => {
      // Free-text files have no fixed format; each of these names its license in a way the parser must recognise.
      const freeText = image.oracle.dpkg.filter((item) => item.copyright !== null && !item.copyright.machineReadable);
      expect(freeText.length).toBeGreaterThan(0);
      const byName = new Map(rowsOfType("deb").map((row) => [row.name, row]));
      const withoutLicense = freeText.filter((item) => (byName.get(item.name)?.licenseDeclared.length ?? 0) === 0).map((item) => `${item.name} (${item.copyright?.path})`);
      expect(withoutLicense).toEqual([]);
    });

    test("lists Python distributions", () => {
      expect(sorted(rowsOfType("pypi").map(described))).toEqual(sorted(image.oracle.python.map(described)));
      expect(image.oracle.python.some((item) => item.path.includes(".dist-info/"))).toBe(true);
      expect(image.oracle.python.some((item) => item.path.includes(".egg-info/"))).toBe(true);
    });

    test("lists jar Maven coordinates", () => {
      expect(image.oracle.maven.map((item) => item.name)).toContain("org.apache.commons:commons-lang3");
      expect(sorted(rowsOfType("maven").map(described))).toEqual(sorted(image.oracle.maven.map(described)));
    });

    test("lists Ruby gems", () => {
      expect(image.oracle.gems.map((item) => item.name)).toContain("rack");
      expect(sorted(rowsOfType("gem").map(described))).toEqual(sorted(image.oracle.gems.map(described)));
    });

    test("lists npm packages of the second layer", () => {
      expect(sorted(rowsOfType("npm").map(described))).toEqual(sorted(image.oracle.npm.map(described)));
      expect(image.oracle.npm.some((item) => item.path.includes("/node_modules/@"))).toBe(true);
      expect(image.oracle.npm.some((item) => /\/node_modules\/.*\/node_modules\//.test(item.path))).toBe(true);
    });

    test("lists Go modules from build info", () => {
      expect(image.oracle.go.some((binary) => binary.mainModule !== null && binary.dependencies.length > 0)).toBe(true);
      const expected = image.oracle.go.flatMap((binary) => [
        `stdlib@${binary.goVersion} ${binary.path}`,
        // A main module built from a work tree records "(devel)", which names no version.
        ...(binary.mainModule === null ? [] : [`${binary.mainModule.path}@${binary.mainModule.version === "(devel)" ? "" : binary.mainModule.version} ${binary.path}`]),
        ...binary.dependencies.map((dependency) => `${dependency.path}@${dependency.version} ${binary.path}`),
      ]);
      expect(sorted(rowsOfType("golang").map(described))).toEqual(sorted(expected));
    });

    test("omits packages later layers delete or replace", () => {
      expect(image.oracle.removed.map((item) => `${item.type} ${item.name}`)).toEqual(
        expect.arrayContaining(["deb python3-requests", "pypi requests", "gem webrick", "npm semver"]),
      );
      const survivors = image.oracle.removed.filter((item) =>
        rows.some((row) => row.type === item.type && row.name === item.name && row.version === item.version && row.path === item.path),
      );
      expect(survivors).toEqual([]);
    });

    test("attributes each package to the layer that added it", () => {
      const layerOf = (digest: string | null) => (digest === null ? -1 : image.layerDigests.indexOf(digest));
      const oracle = image.oracle;
      const expected = [
        ...oracle.dpkg.map((item) => `deb ${item.name}@${item.version} layer ${item.layerIndex}`),
        ...oracle.python.map((item) => `pypi ${described(item)} layer ${item.layerIndex}`),
        ...oracle.maven.map((item) => `maven ${described(item)} layer ${item.layerIndex}`),
        ...oracle.gems.map((item) => `gem ${described(item)} layer ${item.layerIndex}`),
        ...oracle.npm.map((item) => `npm ${described(item)} layer ${item.layerIndex}`),
        ...oracle.go.map((binary) => `golang stdlib ${binary.path} layer ${binary.layerIndex}`),
      ];
      const describeRow = (row: PackageRow) => {
        if (row.type === "deb") return `deb ${row.name}@${row.version}`;
        if (row.type === "golang") return `golang stdlib ${row.path}`;
        return `${row.type} ${described(row)}`;
      };
      // Go modules carry the layer of their binary, which the stdlib row stands for.
      const actual = rows.filter((row) => row.type !== "golang" || row.name === "stdlib").map((row) => `${describeRow(row)} layer ${layerOf(row.layerDigest)}`);
      expect(sorted(actual)).toEqual(sorted(expected));
    });

    test("second analysis fetches no blob", async () => {
      const again = await analyzeImage(prisma, source(), REPOSITORY, imageDigest);
      expect(again.status === "FAILED" ? again.reason : again.status).toBe("ANALYSED");
      expect(again.blobFetches).toBe(0);
      expect(await prisma.imagePackage.count({ where: { imageDigest } })).toBe(rows.length);
    }, ANALYSIS_TIMEOUT_MS);
  });
});
