import type { PrismaClient } from "@/lib/db";
import { gradeImages, type GradeCause } from "@/lib/grading/grade-images";
import { refreshGradesOfImages } from "@/lib/grading/refresh-grades";
import { logger } from "@/lib/log";

/** Images graded per batch, bounding the packages and findings held at once. */
const IMAGES_PER_BATCH = 200;

/**
 * Images of the organization whose graded findings name the vulnerability, by
 * its id or an alias, compared without regard to case. Only those can change
 * when an exception for it is added, revoked or expires.
 */
export async function imagesWithFinding(prisma: PrismaClient, organizationId: string, vulnerabilityId: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ imageDigest: string }[]>`
    SELECT DISTINCT r."imageDigest"
    FROM "ScoreReport" r
    JOIN "ManifestImage" mi ON mi."imageDigest" = r."imageDigest"
    JOIN "Tag" t ON t.digest = mi."manifestDigest"
    JOIN "Repository" repo ON repo.id = t."repositoryId"
    CROSS JOIN LATERAL jsonb_array_elements(r.findings) f
    WHERE repo."organizationId" = ${organizationId}
      AND (upper(f->>'vulnerabilityId') = upper(${vulnerabilityId})
        OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(f->'aliases') alias WHERE upper(alias) = upper(${vulnerabilityId})))`;
  return rows.map((row) => row.imageDigest).sort();
}

async function regrade(prisma: PrismaClient, digests: string[], cause: GradeCause, causeId: string, now?: Date): Promise<void> {
  for (let start = 0; start < digests.length; start += IMAGES_PER_BATCH) {
    const batch = digests.slice(start, start + IMAGES_PER_BATCH);
    await gradeImages(prisma, batch, { cause, causeIds: () => [causeId], now });
    await refreshGradesOfImages(prisma, batch, { cause, causeIds: [causeId] });
  }
}

/** Re-grades the organization's images that have the vulnerability, after an exception for it was added or revoked. Returns how many. */
export async function requestRegradeForException(prisma: PrismaClient, organizationId: string, vulnerabilityId: string): Promise<number> {
  const digests = await imagesWithFinding(prisma, organizationId, vulnerabilityId);
  await regrade(prisma, digests, "exception change", vulnerabilityId);
  return digests.length;
}

/**
 * Re-grades the images of every exception that expired since it was last
 * handled, so a lapsed exception stops counting without anyone acting. Each
 * exception is handled once. Returns how many images were re-graded.
 */
export async function regradeExpiredExceptions(prisma: PrismaClient, now: Date = new Date()): Promise<number> {
  const expired = await prisma.vulnerabilityException.findMany({
    where: { expiresAt: { lte: now }, expiryRegradedAt: null, revokedAt: null },
    select: { id: true, organizationId: true, vulnerabilityId: true },
  });
  let regraded = 0;
  for (const exception of expired) {
    const digests = await imagesWithFinding(prisma, exception.organizationId, exception.vulnerabilityId);
    await regrade(prisma, digests, "exception expiry", exception.vulnerabilityId, now);
    await prisma.vulnerabilityException.update({ where: { id: exception.id }, data: { expiryRegradedAt: now } });
    regraded += digests.length;
  }
  if (expired.length > 0) logger.info({ exceptions: expired.length, images: regraded }, "re-graded images after exceptions expired");
  return regraded;
}
