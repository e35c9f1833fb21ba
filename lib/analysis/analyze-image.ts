import { randomBytes } from "node:crypto";

import type { PrismaClient } from "@/lib/db";
import { catalogers as allCatalogers } from "@/lib/analysis/catalogers";
import { mergeLayers, ignoredChanges, type ImageFilesystem } from "@/lib/analysis/image-filesystem";
import {
  FILESYSTEM_ENTRY,
  FILESYSTEM_VERSION,
  layerContentsFromCache,
  loadLayerCache,
  staleEntries,
  storeLayerEntries,
  type LayerCache,
  type LayerCacheEntry,
} from "@/lib/analysis/layer-cache";
import { readLayer } from "@/lib/analysis/layer-reader";
import { detectOs, OS_RELEASE_MAX_BYTES, osWantedPaths } from "@/lib/analysis/os-release";
import type { CatalogedPackage, CatalogProblem, Cataloger, OsRelease, PackageType, RequestedFiles } from "@/lib/analysis/types";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import type { RegistrySource } from "@/lib/registry/registry-source";
import { advisoryNamesFor } from "@/scoring/advisories";

export interface AnalyzeImageOptions {
  /** Cap on each layer's uncompressed size, in bytes. */
  maxUncompressedLayerBytes?: number;
  /** The catalogers to run; all of them by default. */
  catalogers?: readonly Cataloger[];
}

/** A problem found while analysing, with the layer it came from when known. */
export interface AnalysisProblem {
  layerDigest: string | null;
  path: string;
  message: string;
}

export type AnalyzeImageResult =
  | { status: "ANALYSED"; packageCount: number; blobFetches: number; problems: AnalysisProblem[]; os: OsRelease | null }
  | { status: "FAILED"; reason: string; blobFetches: number };

/** A package with the layer that added it and the names advisories use for it. */
export interface AnalysedPackage extends CatalogedPackage {
  layerDigest: string | null;
  ecosystem: string | null;
  matchNames: string[];
}

/** Names the catalogers and versions of an analysis, e.g. `dpkg@1 apk@1 …`; stored with each analysis. */
export function analyzerVersion(catalogers: readonly Cataloger[] = allCatalogers): string {
  return catalogers.map((cataloger) => `${cataloger.id}@${cataloger.version}`).join(" ");
}

/** OSV ecosystems of the language package types; distribution packages take the OS release's. */
const languageEcosystems: Partial<Record<PackageType, string>> = {
  pypi: "PyPI",
  npm: "npm",
  golang: "Go",
  maven: "Maven",
  gem: "RubyGems",
  cargo: "crates.io",
};

/**
 * Analyses one platform image: reads each layer that the per-layer cache does
 * not already hold for every cataloger's current version, merges the layers,
 * detects the OS and stores the packages with the layer that added each. An
 * image whose layers are all cached is analysed without fetching a blob. A
 * parse problem is reported and the rest goes on; an I/O failure, a digest
 * mismatch or a size cap stops the image, and an earlier complete result stays.
 */
export async function analyzeImage(
  prisma: PrismaClient,
  source: RegistrySource,
  repository: string,
  imageDigest: string,
  options: AnalyzeImageOptions = {},
): Promise<AnalyzeImageResult> {
  const started = Date.now();
  const catalogers = options.catalogers ?? allCatalogers;
  const log = logger.child({ module: "analysis", imageDigest });
  const layers = await prisma.imageLayer.findMany({
    where: { imageDigest },
    orderBy: { position: "asc" },
    include: { layer: true },
  });
  if (layers.length === 0 && !(await prisma.image.findUnique({ where: { digest: imageDigest }, select: { digest: true } }))) {
    throw new AppError("NOT_FOUND", `Image ${imageDigest} is not stored; sync its repository before analysing it.`);
  }

  let blobFetches = 0;
  // Each layer's cache rows are written while the next layers are read and the
  // image is cataloged. Every write has ended before the analysis or its failure is stored.
  const cacheWrites: Promise<void>[] = [];
  try {
    const cache = await loadLayerCache(prisma, layers.map((entry) => entry.layerDigest));
    for (const { layer } of layers) {
      const stale = staleEntries(cache.get(layer.digest), catalogers);
      if (!stale.filesystem && stale.catalogers.length === 0) continue;
      blobFetches += 1;
      const entries = await readStaleLayer(source, repository, layer, stale, options.maxUncompressedLayerBytes);
      const write = storeLayerEntries(prisma, layer.digest, entries);
      // Promise.all below raises a failed write. This handler only keeps the rejection from counting as unhandled meanwhile.
      write.catch(() => {});
      cacheWrites.push(write);
      const cached = cache.get(layer.digest) ?? new Map<string, LayerCacheEntry>();
      for (const entry of entries) cached.set(entry.cataloger, entry);
      cache.set(layer.digest, cached);
    }

    const layerDigests = layers.map((entry) => entry.layerDigest);
    const { os, packages, problems } = catalogImage(layerDigests, cache, catalogers);
    await Promise.all(cacheWrites);
    await storeAnalysis(prisma, imageDigest, {
      os,
      packages,
      problems,
      blobFetches,
      durationMs: Date.now() - started,
      analyzerVersion: analyzerVersion(catalogers),
    });
    log.info({ packages: packages.length, problems: problems.length, blobFetches, durationMs: Date.now() - started }, "image analysed");
    return { status: "ANALYSED", packageCount: packages.length, blobFetches, problems, os };
  } catch (error) {
    await Promise.allSettled(cacheWrites);
    const reason = publicMessage(error);
    log.warn({ err: error }, "image analysis failed");
    await recordFailure(prisma, imageDigest, reason, blobFetches, Date.now() - started);
    return { status: "FAILED", reason, blobFetches };
  }
}

/**
 * Reads one layer blob for the stale entries; file-scope catalogers parse each
 * file as it streams past. Raises the layer reader's AppErrors (INVALID_INPUT,
 * TOO_LARGE, DIGEST_MISMATCH) and the source's errors.
 */
export async function readStaleLayer(
  source: RegistrySource,
  repository: string,
  layer: { digest: string; mediaType: string; size: bigint },
  stale: { filesystem: boolean; catalogers: Cataloger[] },
  maxUncompressedBytes: number | undefined,
): Promise<LayerCacheEntry[]> {
  const wantsOsFile = (path: string) => stale.filesystem && osWantedPaths.includes(path);
  const fileScoped = stale.catalogers.filter((cataloger) => cataloger.scope === "file");
  const imageScoped = stale.catalogers.filter((cataloger) => cataloger.scope === "image");
  const fileEntries = new Map(fileScoped.map((cataloger) => [cataloger.id, newEntry(cataloger.id, cataloger.version)]));

  const blob = await source.openBlob(repository, layer.digest, { size: Number(layer.size) });
  const contents = await readLayer(blob.stream, {
    digest: layer.digest,
    mediaType: layer.mediaType,
    sourceVerifiesDigest: true,
    maxUncompressedBytes,
    wants: (path) => wantsOsFile(path) || stale.catalogers.some((cataloger) => cataloger.wants(path)),
    maxFileBytes: (path) =>
      Math.max(wantsOsFile(path) ? OS_RELEASE_MAX_BYTES : 0, ...stale.catalogers.filter((cataloger) => cataloger.wants(path)).map((cataloger) => cataloger.maxFileBytes)),
    onFile: (path, content) => {
      for (const cataloger of fileScoped) {
        if (!cataloger.wants(path)) continue;
        const entry = fileEntries.get(cataloger.id)!;
        const result = runCataloger(cataloger, new Map([[path, content]]), null);
        entry.packagesByPath![path] = result.packages;
        entry.problems.push(...result.problems);
      }
      return !wantsOsFile(path) && !imageScoped.some((cataloger) => cataloger.wants(path));
    },
    wantsContent: (path, head) => {
      if (wantsOsFile(path) || stale.catalogers.some((cataloger) => cataloger.wants(path) && (cataloger.wantsContent?.(head) ?? true))) return true;
      // An empty result still marks the path in this layer, so that it hides the
      // packages of a file it replaces, as a script replacing a lower layer's Go program does.
      for (const cataloger of fileScoped) {
        if (cataloger.wants(path)) fileEntries.get(cataloger.id)!.packagesByPath![path] = [];
      }
      return false;
    },
    onConsumedLink: (path, target) => {
      for (const entry of fileEntries.values()) {
        const packages = entry.packagesByPath![target];
        if (packages) entry.packagesByPath![path] = packages.map((pkg) => ({ ...pkg, path }));
      }
    },
  });

  const entries: LayerCacheEntry[] = [...fileEntries.values()];
  for (const cataloger of imageScoped) {
    const entry = newEntry(cataloger.id, cataloger.version);
    for (const [path, content] of contents.files) if (cataloger.wants(path)) entry.files.set(path, content);
    entries.push(entry);
  }
  if (stale.filesystem) {
    const entry = newEntry(FILESYSTEM_ENTRY, FILESYSTEM_VERSION);
    entry.filesystem = {
      symlinks: [...contents.symlinks],
      whiteouts: contents.whiteouts,
      opaqueDirectories: contents.opaqueDirectories,
      uncompressedBytes: contents.uncompressedBytes,
    };
    for (const [path, content] of contents.files) if (osWantedPaths.includes(path)) entry.files.set(path, content);
    entry.problems = contents.problems;
    entries.push(entry);
  }
  return entries;
}

function newEntry(cataloger: string, version: number): LayerCacheEntry {
  return { cataloger, version, packagesByPath: {}, files: new Map(), problems: [] };
}

/** Problems kept from one cataloger run; a corrupt database can report one per record (tens of thousands). */
export const MAX_PROBLEMS_PER_CATALOGER_RUN = 100;
/** Problems kept for one image, so a hostile image cannot make its stored analysis arbitrarily large. */
export const MAX_PROBLEMS_PER_IMAGE = 1000;

/** Keeps the first `max` problems and replaces the rest with one that counts them. */
export function capProblems<T extends { path: string; message: string }>(problems: T[], max: number, summary: (omitted: number) => T): T[] {
  if (problems.length <= max) return problems;
  return [...problems.slice(0, max), summary(problems.length - max)];
}

/** Runs a cataloger, turning a thrown error into a problem so one bad file never stops the image. */
function runCataloger(cataloger: Cataloger, files: RequestedFiles, os: OsRelease | null): { packages: CatalogedPackage[]; problems: CatalogProblem[] } {
  try {
    const result = cataloger.parse(files, { os });
    const path = [...files.keys()].join(", ");
    const problems = capProblems(result.problems, MAX_PROBLEMS_PER_CATALOGER_RUN, (omitted) => ({ path, message: `The ${cataloger.id} cataloger reported ${omitted} more problems, which were not kept.` }));
    return { packages: result.packages, problems };
  } catch (error) {
    const path = [...files.keys()].join(", ");
    return { packages: [], problems: [{ path, message: `The ${cataloger.id} cataloger could not read this file: ${error instanceof Error ? error.message : String(error)}` }] };
  }
}

/** Merges the cached layers and catalogs the image they make. */
export function catalogImage(
  layerDigests: readonly string[],
  cache: LayerCache,
  catalogers: readonly Cataloger[],
): { os: OsRelease | null; packages: AnalysedPackage[]; problems: AnalysisProblem[] } {
  const entriesOf = (digest: string) => cache.get(digest) ?? new Map<string, LayerCacheEntry>();
  const layers = layerDigests.map((digest) => layerContentsFromCache(digest, entriesOf(digest)));
  const fs = mergeLayers(layers);
  const os = detectOs(fs);
  const problems: AnalysisProblem[] = [];
  for (const digest of layerDigests) {
    for (const entry of entriesOf(digest).values()) {
      for (const problem of entry.problems) problems.push({ layerDigest: digest, path: problem.path, message: problem.message });
    }
  }
  for (const layer of layers) {
    for (const ignored of ignoredChanges(layer)) problems.push({ layerDigest: layer.digest, ...ignored });
  }

  const found: { pkg: CatalogedPackage; layerDigest: string | null }[] = [];
  const surviving = fs.paths();
  for (const cataloger of catalogers) {
    if (cataloger.scope === "file") {
      for (const { path, layerDigest } of surviving) {
        const packages = entriesOf(layerDigest).get(cataloger.id)?.packagesByPath?.[path];
        for (const pkg of packages ?? []) found.push({ pkg, layerDigest });
      }
      continue;
    }
    const readable: string[] = [];
    for (const entry of surviving) {
      if (!cataloger.wants(entry.path)) continue;
      if (fs.get(entry.path) !== undefined) readable.push(entry.path);
      else problems.push({ layerDigest: entry.layerDigest, path: entry.path, message: "File lies below a symlink loop, so no path in the image reaches it; it was not read." });
    }
    const view = filesystemView(fs, readable);
    const result = runCataloger(cataloger, view, os);
    for (const problem of result.problems) problems.push({ layerDigest: fs.get(problem.path)?.layerDigest ?? null, ...problem });
    const addedIn = layerAttribution(cataloger, layerDigests, cache, os);
    for (const pkg of result.packages) found.push({ pkg, layerDigest: addedIn(pkg) ?? fs.get(pkg.path)?.layerDigest ?? null });
  }

  const packages = found.map(({ pkg, layerDigest }) => {
    const ecosystem = pkg.type in languageEcosystems ? languageEcosystems[pkg.type]! : (os?.ecosystem ?? null);
    const matchNames = ecosystem === null ? [] : advisoryNamesFor({ ecosystem, name: pkg.name, sourceName: pkg.sourceName, version: pkg.version, purl: pkg.purl });
    return { ...pkg, layerDigest, ecosystem, matchNames };
  });
  const kept = capProblems(problems, MAX_PROBLEMS_PER_IMAGE, (omitted) => ({ layerDigest: null, path: "/", message: `The image has ${omitted} more problems, which were not kept.` }));
  return { os, packages, problems: kept };
}

/**
 * Builds a read-only view of the merged image for an image-scope cataloger: it lists
 * the surviving files the cataloger wants, and looks files up through the
 * image's symlinks, so `/usr/share/doc/libfoo1/copyright` is found when
 * `/usr/share/doc/libfoo1` links to another package's folder.
 */
function filesystemView(fs: ImageFilesystem, paths: string[]): RequestedFiles {
  return new FilesystemView(fs, paths);
}

class FilesystemView extends Map<string, Uint8Array> {
  constructor(
    private readonly fs: ImageFilesystem,
    paths: string[],
  ) {
    super(paths.map((path) => [path, fs.get(path)!.content]));
  }

  override get(path: string): Uint8Array | undefined {
    return super.get(path) ?? this.fs.get(path)?.content;
  }

  override has(path: string): boolean {
    return this.get(path) !== undefined;
  }
}

/**
 * For a package database that each layer rewrites whole (the dpkg status, the
 * apk database, the rpm database), the layer that added a package is the lowest
 * layer from which every later copy of the database still lists it at the same
 * version.
 */
function layerAttribution(cataloger: Cataloger, layerDigests: readonly string[], cache: LayerCache, os: OsRelease | null): (pkg: CatalogedPackage) => string | null {
  const copiesByPath = new Map<string, { layerDigest: string; keys: Set<string> }[]>();
  const copiesOf = (path: string) => {
    let copies = copiesByPath.get(path);
    if (copies) return copies;
    copies = [];
    for (const layerDigest of layerDigests) {
      const content = cache.get(layerDigest)?.get(cataloger.id)?.files.get(path);
      if (content === undefined) continue;
      const { packages } = runCataloger(cataloger, new Map([[path, content]]), os);
      copies.push({ layerDigest, keys: new Set(packages.map(packageKey)) });
    }
    copiesByPath.set(path, copies);
    return copies;
  };
  return (pkg) => {
    const copies = copiesOf(pkg.path);
    const key = packageKey(pkg);
    let addedIn: string | null = null;
    for (let index = copies.length - 1; index >= 0 && copies[index]!.keys.has(key); index -= 1) addedIn = copies[index]!.layerDigest;
    return addedIn;
  };
}

function packageKey(pkg: CatalogedPackage): string {
  return `${pkg.name}\u0000${pkg.version}\u0000${pkg.arch ?? ""}`;
}

async function storeAnalysis(
  prisma: PrismaClient,
  imageDigest: string,
  result: { os: OsRelease | null; packages: AnalysedPackage[]; problems: AnalysisProblem[]; blobFetches: number; durationMs: number; analyzerVersion: string },
): Promise<void> {
  const { os } = result;
  const idPrefix = packageIdPrefix();
  const rows = result.packages.map((pkg, index) => ({
    id: `${idPrefix}${index.toString(36).padStart(6, "0")}`,
    imageDigest,
    type: pkg.type,
    name: pkg.name,
    version: pkg.version,
    purl: pkg.purl,
    license: pkg.license,
    licenseDeclared: pkg.licenseDeclared,
    sourceName: pkg.sourceName ?? null,
    sourceVersion: pkg.sourceVersion ?? null,
    arch: pkg.arch ?? null,
    path: pkg.path,
    layerDigest: pkg.layerDigest,
    ecosystem: pkg.ecosystem,
    matchNames: pkg.matchNames,
  }));
  const problems = JSON.stringify(result.problems.map((problem) => ({ ...problem })));
  const now = new Date();

  // One transaction, so readers see the previous packages until the new ones are complete.
  // The statements are raw SQL because Prisma 7's query compiler (WebAssembly)
  // compiles each statement together with its data. Measured with
  // bench/analysis on its Debian image, a createMany of 250 rows took about
  // 150 ms to compile, and the upsert and deleteMany grew the worker's memory
  // by 6 to 8 MiB. The package rows go as one JSON parameter.
  await prisma.$transaction([
    prisma.$executeRaw`DELETE FROM "ImagePackage" WHERE "imageDigest" = ${imageDigest}`,
    prisma.$executeRaw`
      INSERT INTO "ImagePackage" ("id", "imageDigest", "type", "name", "version", "purl", "license", "licenseDeclared",
        "sourceName", "sourceVersion", "arch", "path", "layerDigest", "ecosystem", "matchNames")
      SELECT "id", "imageDigest", "type", "name", "version", "purl", "license", "licenseDeclared",
        "sourceName", "sourceVersion", "arch", "path", "layerDigest", "ecosystem", "matchNames"
      FROM jsonb_populate_recordset(NULL::"ImagePackage", ${JSON.stringify(rows)}::jsonb)`,
    prisma.$executeRaw`
      INSERT INTO "ImageAnalysis" ("imageDigest", "status", "reason", "analyzerVersion", "osId", "osVersionId", "osPrettyName",
        "osEcosystem", "osEndOfLife", "packageCount", "problems", "blobFetches", "durationMs", "analysedAt", "updatedAt")
      VALUES (${imageDigest}, 'ANALYSED'::"AnalysisStatus", NULL, ${result.analyzerVersion}, ${os?.id ?? null}, ${os?.versionId ?? null},
        ${os?.prettyName ?? null}, ${os?.ecosystem ?? null}, ${os?.endOfLife ?? null}, ${result.packages.length}, ${problems}::jsonb,
        ${result.blobFetches}, ${result.durationMs}, ${now}, ${now})
      ON CONFLICT ("imageDigest") DO UPDATE SET
        "status" = EXCLUDED."status", "reason" = EXCLUDED."reason", "analyzerVersion" = EXCLUDED."analyzerVersion",
        "osId" = EXCLUDED."osId", "osVersionId" = EXCLUDED."osVersionId", "osPrettyName" = EXCLUDED."osPrettyName",
        "osEcosystem" = EXCLUDED."osEcosystem", "osEndOfLife" = EXCLUDED."osEndOfLife", "packageCount" = EXCLUDED."packageCount",
        "problems" = EXCLUDED."problems", "blobFetches" = EXCLUDED."blobFetches", "durationMs" = EXCLUDED."durationMs",
        "analysedAt" = EXCLUDED."analysedAt", "updatedAt" = EXCLUDED."updatedAt"`,
  ]);
}

/**
 * Returns a unique prefix for one analysis's package row ids. The ids end in
 * the row's index, so they sort in insertion order, which keeps the order of
 * rows that tie on every other sort key.
 */
function packageIdPrefix(): string {
  return `p${Date.now().toString(36)}${randomBytes(8).toString("hex")}`;
}

/** Records a failed run. An earlier complete analysis keeps its packages and status; only the reason is updated. */
async function recordFailure(prisma: PrismaClient, imageDigest: string, reason: string, blobFetches: number, durationMs: number): Promise<void> {
  const previous = await prisma.imageAnalysis.findUnique({ where: { imageDigest }, select: { status: true } });
  if (previous?.status === "ANALYSED") {
    await prisma.imageAnalysis.update({ where: { imageDigest }, data: { reason: `The latest analysis failed, so this result is older: ${reason}` } });
    return;
  }
  await prisma.imageAnalysis.upsert({
    where: { imageDigest },
    update: { status: "FAILED", reason, blobFetches, durationMs },
    create: { imageDigest, status: "FAILED", reason, blobFetches, durationMs },
  });
}
