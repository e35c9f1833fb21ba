import { z } from "zod";

import type { ImageAnalysis, ImagePackage, Prisma } from "@/generated/prisma/client";
import type { SbomInput, SbomPackage } from "@/lib/analysis/sbom-export";
import type { OsRelease, PackageType } from "@/lib/analysis/types";
import type { Viewer } from "@/lib/auth/get-viewer";
import { findRepository } from "@/lib/data/find-repository";
import { getPrisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import packageJson from "@/package.json";

/** Packages per page of the package table. An image can hold thousands, so they are paged in the database. */
export const PACKAGES_PER_PAGE = 100;

/** Maximum length of a name search, in characters. */
export const MAX_SEARCH_LENGTH = 200;

const allPackageTypes = { deb: true, apk: true, rpm: true, pypi: true, npm: true, golang: true, maven: true, gem: true, cargo: true } satisfies Record<PackageType, true>;

/** Every package type the catalogers write, as Package URL types. */
export const packageTypes = Object.keys(allPackageTypes) as PackageType[];

export const packageSorts = ["name", "type", "license"] as const;
export type PackageSort = (typeof packageSorts)[number];

/** The `license` search parameter that selects packages without a license. Normalised SPDX expressions never equal it. */
export const UNKNOWN_LICENSE_PARAM = "unknown";

export interface PackageQuery {
  type?: PackageType;
  /** Text matched, ignoring case, anywhere in the package name or the source package name. */
  search?: string;
  /** A license expression as stored. Null selects packages without a license. */
  license?: string | null;
  /** Digest of the layer that added the package. */
  layer?: string;
  /** Default "name". Every sort ends with name, version, path and id, so pages are stable. */
  sort?: PackageSort;
  /** Page number from 1. A page past the last one gives the last one. */
  page?: number;
}

export interface AnalysisProblem {
  layerDigest: string | null;
  path: string | null;
  message: string;
}

/** The state of a platform image's analysis. A missing row is PENDING: the image is queued or being analysed. */
export interface ImageAnalysisSummary {
  status: "PENDING" | "ANALYSED" | "FAILED";
  /**
   * Failure reason. For FAILED it explains the missing result. For ANALYSED it
   * explains why a newer run failed while this older result stays.
   */
  reason: string | null;
  os: OsRelease | null;
  packageCount: number;
  problems: AnalysisProblem[];
  analysedAt: Date | null;
}

export interface ImageLayerPosition {
  digest: string;
  /** 0-based position in the image manifest's `layers`. */
  position: number;
}

export interface PackageRow {
  id: string;
  type: string;
  name: string;
  version: string;
  purl: string;
  license: string | null;
  sourceName: string | null;
  sourceVersion: string | null;
  arch: string | null;
  path: string;
  /** The layer that added the package. Its position is null when the digest is not one of the image's layers. */
  layer: { digest: string; position: number | null } | null;
}

export interface FacetValue<T> {
  value: T;
  count: number;
}

export interface PackagePage {
  rows: PackageRow[];
  /** Packages that match the filters. */
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
  /** Values present in the image, counted over all its packages, for the filter controls. */
  facets: {
    types: FacetValue<string>[];
    licenses: FacetValue<string | null>[];
    layers: FacetValue<string | null>[];
  };
}

export interface ImageAnalysisView {
  image: { digest: string; platform: string };
  layers: ImageLayerPosition[];
  analysis: ImageAnalysisSummary;
  /** Null unless the caller asked for packages. */
  packages: PackagePage | null;
}

/**
 * Loads the analysis of one platform image of a tag, and with `packages` one
 * page of its packages. Throws NOT_FOUND, before any image query, when the
 * viewer may not read the repository or the tag does not exist, and
 * INVALID_INPUT when the digest is not one of the tag's platform images.
 */
export async function getImageAnalysis(
  viewer: Viewer,
  organizationName: string,
  repositoryName: string,
  tagName: string,
  imageDigest: string,
  options: { packages?: PackageQuery } = {},
): Promise<ImageAnalysisView> {
  const { image } = await findTagImage(viewer, organizationName, repositoryName, tagName, imageDigest);
  const prisma = getPrisma();

  const [row, layers] = await Promise.all([
    prisma.imageAnalysis.findUnique({ where: { imageDigest: image.digest } }),
    prisma.imageLayer.findMany({ where: { imageDigest: image.digest }, orderBy: { position: "asc" }, select: { layerDigest: true, position: true } }),
  ]);
  const layerPositions = layers.map((layer) => ({ digest: layer.layerDigest, position: layer.position }));

  return {
    image,
    layers: layerPositions,
    analysis: summarizeAnalysis(row),
    packages: options.packages ? await findPackagePage(image.digest, layerPositions, options.packages) : null,
  };
}

/**
 * Loads everything the SBOM exports need for one platform image of a tag, with
 * the same checks as getImageAnalysis. Throws CONFLICT while the image is not
 * analysed, because an export without packages would claim an empty image.
 */
export async function getImageSbomInput(viewer: Viewer, organizationName: string, repositoryName: string, tagName: string, imageDigest: string): Promise<SbomInput> {
  const { repository, tag, image } = await findTagImage(viewer, organizationName, repositoryName, tagName, imageDigest);
  const prisma = getPrisma();

  const row = await prisma.imageAnalysis.findUnique({ where: { imageDigest: image.digest } });
  const analysis = summarizeAnalysis(row);
  if (row === null || analysis.status !== "ANALYSED") {
    const state = analysis.status === "FAILED" ? `could not be analysed: ${analysis.reason ?? "no reason recorded"}` : "is still being analysed";
    throw new AppError("CONFLICT", `Image ${image.digest} of ${repository.name}:${tag} ${state}. Download its SBOM once the analysis has finished.`);
  }

  const [packages, organization] = await Promise.all([
    prisma.imagePackage.findMany({ where: { imageDigest: image.digest }, orderBy: [{ purl: "asc" }, { path: "asc" }, { id: "asc" }] }),
    prisma.organization.findUnique({ where: { id: repository.organizationId }, select: { registry: { select: { kind: true, url: true } } } }),
  ]);

  return {
    image: { repository: repositoryReference(repository.name, organization?.registry ?? null), tag, digest: image.digest, platform: image.platform },
    os: analysis.os,
    packages: packages.map(toSbomPackage),
    created: row.analysedAt ?? row.updatedAt,
    toolVersion: packageJson.version,
  };
}

/**
 * Reads the package filters from page search parameters. Values that are not
 * valid are left out of the query, each with a message saying why, so a
 * mistyped shared link still shows the packages.
 */
export function parsePackageQuery(params: Record<string, string | string[] | undefined>): { query: PackageQuery; problems: string[] } {
  const query: PackageQuery = {};
  const problems: string[] = [];
  const first = (name: string): string | undefined => {
    const value = params[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text === undefined || text.trim() === "" ? undefined : text.trim();
  };

  const type = first("type");
  if (type !== undefined) {
    if (isPackageType(type)) query.type = type;
    else problems.push(`Ignored the type "${type}": use one of ${packageTypes.join(", ")}.`);
  }

  const search = first("q");
  if (search !== undefined) {
    if (search.length <= MAX_SEARCH_LENGTH) query.search = search;
    else problems.push(`Ignored the name search: it is longer than ${MAX_SEARCH_LENGTH} characters.`);
  }

  const license = first("license");
  if (license !== undefined) query.license = license === UNKNOWN_LICENSE_PARAM ? null : license;

  const layer = first("layer");
  if (layer !== undefined) {
    if (/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(layer)) query.layer = layer;
    else problems.push(`Ignored the layer "${layer}": give a layer digest such as sha256:…`);
  }

  const sort = first("sort");
  if (sort !== undefined) {
    if ((packageSorts as readonly string[]).includes(sort)) query.sort = sort as PackageSort;
    else problems.push(`Ignored the sort "${sort}": use one of ${packageSorts.join(", ")}.`);
  }

  const page = first("page");
  if (page !== undefined) {
    if (/^[1-9][0-9]{0,8}$/.test(page)) query.page = Number(page);
    else problems.push(`Ignored the page "${page}": give a page number from 1.`);
  }

  return { query, problems };
}

/** Checks read access, then finds the tag and the platform image among its images. */
async function findTagImage(viewer: Viewer, organizationName: string, repositoryName: string, tagName: string, imageDigest: string) {
  const repository = await findRepository(viewer, organizationName, repositoryName);
  const tag = await getPrisma().tag.findFirst({
    where: { repositoryId: repository.id, name: tagName, deletedAt: null },
    select: { name: true, manifest: { select: { images: { orderBy: { platform: "asc" }, select: { imageDigest: true, platform: true, image: { select: { platform: true } } } } } } },
  });
  if (!tag) throw new AppError("NOT_FOUND", `Tag ${repository.name}:${tagName} was not found.`);

  const images = tag.manifest.images.map((entry) => ({ digest: entry.imageDigest, platform: entry.image.platform ?? entry.platform }));
  const image = images.find((candidate) => candidate.digest === imageDigest);
  if (!image) {
    const accepted = images.map((candidate) => `${candidate.digest} (${candidate.platform})`).join(", ");
    const problem = imageDigest === "" ? `No platform image of ${repository.name}:${tag.name} was given.` : `Platform image "${imageDigest}" is not an image of ${repository.name}:${tag.name}.`;
    throw new AppError("INVALID_INPUT", `${problem} Use one of: ${accepted}.`, { details: { accepted: images.map((candidate) => candidate.digest) } });
  }
  return { repository, tag: tag.name, image };
}

const problemSchema = z.object({
  layerDigest: z.string().nullish(),
  path: z.string().nullish(),
  message: z.string(),
});

function summarizeAnalysis(row: ImageAnalysis | null): ImageAnalysisSummary {
  if (row === null) return { status: "PENDING", reason: null, os: null, packageCount: 0, problems: [], analysedAt: null };

  const os: OsRelease | null =
    row.osId === null
      ? null
      : { id: row.osId, versionId: row.osVersionId, prettyName: row.osPrettyName, ecosystem: row.osEcosystem, endOfLife: row.osEndOfLife };
  return { status: row.status, reason: row.reason, os, packageCount: row.packageCount, problems: readProblems(row.problems), analysedAt: row.analysedAt };
}

/** Reads the problems column. An entry of another shape is kept with a message saying so, never dropped. */
function readProblems(value: Prisma.JsonValue): AnalysisProblem[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    const parsed = problemSchema.safeParse(entry);
    if (!parsed.success) return { layerDigest: null, path: null, message: `A problem was recorded in a form this page cannot read: ${JSON.stringify(entry)}` };
    return { layerDigest: parsed.data.layerDigest ?? null, path: parsed.data.path ?? null, message: parsed.data.message };
  });
}

async function findPackagePage(imageDigest: string, layers: ImageLayerPosition[], query: PackageQuery): Promise<PackagePage> {
  const prisma = getPrisma();
  const where = packageWhere(imageDigest, query);

  const [total, types, licenses, layerCounts] = await Promise.all([
    prisma.imagePackage.count({ where }),
    prisma.imagePackage.groupBy({ by: ["type"], where: { imageDigest }, _count: { _all: true }, orderBy: { type: "asc" } }),
    prisma.imagePackage.groupBy({ by: ["license"], where: { imageDigest }, _count: { _all: true }, orderBy: { license: { sort: "asc", nulls: "last" } } }),
    prisma.imagePackage.groupBy({ by: ["layerDigest"], where: { imageDigest }, _count: { _all: true } }),
  ]);

  const pageCount = Math.max(1, Math.ceil(total / PACKAGES_PER_PAGE));
  const page = Math.min(Math.max(1, query.page ?? 1), pageCount);
  const rows = await prisma.imagePackage.findMany({
    where,
    orderBy: packageOrder(query.sort ?? "name"),
    skip: (page - 1) * PACKAGES_PER_PAGE,
    take: PACKAGES_PER_PAGE,
    select: { id: true, type: true, name: true, version: true, purl: true, license: true, sourceName: true, sourceVersion: true, arch: true, path: true, layerDigest: true },
  });

  // A layer can appear twice in a manifest. The first position is shown, because that is where its files were first added.
  const positions = new Map<string, number>();
  for (const layer of layers) if (!positions.has(layer.digest)) positions.set(layer.digest, layer.position);
  const layerOrder = (digest: string | null) => (digest === null ? Number.MAX_SAFE_INTEGER : (positions.get(digest) ?? Number.MAX_SAFE_INTEGER - 1));

  return {
    rows: rows.map(({ layerDigest, ...rest }) => ({ ...rest, layer: layerDigest === null ? null : { digest: layerDigest, position: positions.get(layerDigest) ?? null } })),
    total,
    page,
    pageSize: PACKAGES_PER_PAGE,
    pageCount,
    facets: {
      types: types.map((entry) => ({ value: entry.type, count: entry._count._all })),
      licenses: licenses.map((entry) => ({ value: entry.license, count: entry._count._all })),
      layers: layerCounts
        .map((entry) => ({ value: entry.layerDigest, count: entry._count._all }))
        .sort((a, b) => layerOrder(a.value) - layerOrder(b.value)),
    },
  };
}

function packageWhere(imageDigest: string, query: PackageQuery): Prisma.ImagePackageWhereInput {
  const where: Prisma.ImagePackageWhereInput = { imageDigest };
  if (query.type !== undefined) where.type = query.type;
  if (query.license !== undefined) where.license = query.license;
  if (query.layer !== undefined) where.layerDigest = query.layer;
  if (query.search !== undefined) {
    // Prisma passes `contains` into LIKE unescaped (checked with Prisma 7.10 on Postgres), so "%" and "_"
    // would match any text. A backslash is Postgres's default LIKE escape character.
    const literal = query.search.replace(/[\\%_]/g, "\\$&");
    where.OR = [{ name: { contains: literal, mode: "insensitive" } }, { sourceName: { contains: literal, mode: "insensitive" } }];
  }
  return where;
}

function packageOrder(sort: PackageSort): Prisma.ImagePackageOrderByWithRelationInput[] {
  const stable: Prisma.ImagePackageOrderByWithRelationInput[] = [{ name: "asc" }, { version: "asc" }, { path: "asc" }, { id: "asc" }];
  if (sort === "type") return [{ type: "asc" }, ...stable];
  if (sort === "license") return [{ license: { sort: "asc", nulls: "last" } }, ...stable];
  return stable;
}

function isPackageType(value: string): value is PackageType {
  return Object.hasOwn(allPackageTypes, value);
}

export function toSbomPackage(row: ImagePackage): SbomPackage {
  if (!isPackageType(row.type)) {
    throw new AppError("INTERNAL", `Package ${row.name} of image ${row.imageDigest} has the unknown type "${row.type}", so no SBOM can be written for it.`);
  }
  const item: SbomPackage = {
    type: row.type,
    name: row.name,
    version: row.version,
    purl: row.purl,
    license: row.license,
    licenseDeclared: row.licenseDeclared,
    path: row.path,
    // NOTE: the export requires a layer digest, so a package stored without one is exported as in layer "unknown".
    layerDigest: row.layerDigest ?? "unknown",
  };
  if (row.sourceName !== null) item.sourceName = row.sourceName;
  if (row.sourceVersion !== null) item.sourceVersion = row.sourceVersion;
  if (row.arch !== null) item.arch = row.arch;
  return item;
}

/**
 * Names the repository as an image reference would: the registry host and the
 * repository name (`registry.example.com/acme/api`, `docker.io/acme/api`), or
 * the name alone for an OCI layout folder, which has no host.
 */
function repositoryReference(name: string, registry: { kind: "DISTRIBUTION" | "DOCKERHUB" | "OCI_LAYOUT"; url: string } | null): string {
  if (registry === null || registry.kind === "OCI_LAYOUT") return name;
  if (registry.kind === "DOCKERHUB") return `docker.io/${name}`;
  try {
    return `${new URL(registry.url).host}/${name}`;
  } catch {
    return name;
  }
}
