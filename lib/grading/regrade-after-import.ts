import type { AdvisoryImportResult } from "@/lib/advisories/import-advisories";
import type { PrismaClient } from "@/lib/db";
import { gradeImages } from "@/lib/grading/grade-images";
import { refreshGradesOfImages } from "@/lib/grading/refresh-grades";
import { logger } from "@/lib/log";

/** Images an import affects, each with the ids of the changed advisories or KEV CVEs that reach it. */
export type AffectedImages = Map<string, string[]>;

/** Changed packages looked up per query; each is one OR branch. */
const PACKAGES_PER_QUERY = 200;
/** Images graded per batch, bounding the packages and findings held at once. */
const IMAGES_PER_BATCH = 200;

/**
 * Finds the analysed images that an advisory import can change: for OSV, the
 * images with a package filed under a changed record's ecosystem and name (the
 * reverse index), or every analysed image after the first OSV import; for KEV, the images whose graded findings name a CVE that
 * entered or left the catalog. Nothing is fetched from a registry.
 */
export async function imagesAffectedByImport(prisma: PrismaClient, result: AdvisoryImportResult): Promise<AffectedImages> {
  const affected: AffectedImages = new Map();
  const note = (digest: string, ids: Iterable<string>) => {
    const current = new Set(affected.get(digest) ?? []);
    for (const id of ids) current.add(id);
    affected.set(digest, [...current].sort());
  };

  if (result.kind === "osv") {
    // Before the first OSV import the vulnerability policies had no data for every image, so all are graded again.
    const osvImports = await prisma.advisorySnapshot.count({ where: { kind: "osv", finishedAt: { not: null } } });
    if (osvImports === 1 && result.snapshot.finishedAt !== null) {
      const analysed = await prisma.imageAnalysis.findMany({ where: { status: "ANALYSED" }, select: { imageDigest: true } });
      for (const row of analysed) note(row.imageDigest, []);
    }
    for (let start = 0; start < result.changedPackages.length; start += PACKAGES_PER_QUERY) {
      const chunk = result.changedPackages.slice(start, start + PACKAGES_PER_QUERY);
      const rows = await prisma.imagePackage.findMany({
        where: { OR: chunk.map((pkg) => ({ ecosystem: pkg.ecosystem, matchNames: { has: pkg.name } })) },
        select: { imageDigest: true, ecosystem: true, matchNames: true },
      });
      for (const row of rows) {
        const ids = chunk.filter((pkg) => pkg.ecosystem === row.ecosystem && row.matchNames.includes(pkg.name)).flatMap((pkg) => pkg.advisoryIds);
        note(row.imageDigest, ids);
      }
    }
    return affected;
  }

  if (result.changedCveIds.length === 0) return affected;
  const rows = await prisma.$queryRaw<{ imageDigest: string; id: string }[]>`
    SELECT DISTINCT r."imageDigest", named.id
    FROM "ScoreReport" r, jsonb_array_elements(r.findings) f,
      LATERAL (SELECT f->>'vulnerabilityId' AS id UNION SELECT jsonb_array_elements_text(f->'aliases')) named
    WHERE named.id = ANY(${result.changedCveIds})`;
  for (const row of rows) note(row.imageDigest, [row.id]);
  return affected;
}

/**
 * Re-grades the images an import affects from their stored packages, each
 * report recording the cause "advisory update" and the advisory ids, then
 * refreshes the grades of the tags and repositories that show them. Returns
 * how many images were re-graded.
 */
export async function regradeAfterImport(prisma: PrismaClient, result: AdvisoryImportResult): Promise<number> {
  const affected = await imagesAffectedByImport(prisma, result);
  const digests = [...affected.keys()].sort();
  for (let start = 0; start < digests.length; start += IMAGES_PER_BATCH) {
    const batch = digests.slice(start, start + IMAGES_PER_BATCH);
    await gradeImages(prisma, batch, { cause: "advisory update", causeIds: (digest) => affected.get(digest) ?? [] });
    await refreshGradesOfImages(prisma, batch, { cause: "advisory update", causeIdsOf: (digest) => affected.get(digest) ?? [] });
  }
  logger.info({ snapshot: result.snapshot.id, images: digests.length }, "re-graded images after an advisory import");
  return digests.length;
}
