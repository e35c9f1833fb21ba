import type { PrismaClient } from "@/lib/db";
import { baseTagKey } from "@/lib/grading/base-tag-key";
import { latestReports } from "@/lib/grading/refresh-grades";
import { formatReference, parseReference } from "@/lib/registry/reference";
import { type BaseTagCandidate, findingKey, type VulnerabilityFinding } from "@/scoring";

/** Tags of a base repository compared, most recently pushed first. */
export const MAX_BASE_TAG_CANDIDATES = 100;

/** Returns whether a registry's stored base URL serves the host that an image reference names. */
export function servesHost(registryUrl: string | null | undefined, host: string): boolean {
  if (!registryUrl) return false;
  try {
    return new URL(registryUrl).host === host;
  } catch {
    return false;
  }
}

/**
 * Loads the current tags of a synced base repository as fix-plan candidates: for each
 * of the most recently pushed tags, its image for `platform` and the findings of that
 * image's latest score report. Tags without an analysed image for the platform are
 * left out, since an image without findings would look like it fixes everything.
 * Returns [] when the base reference names no tag or its repository is not synced
 * from the registry it names.
 */
export async function loadBaseTagCandidates(prisma: PrismaClient, baseReference: string | null, platform: string): Promise<BaseTagCandidate[]> {
  const key = baseReference === null ? null : baseTagKey(baseReference);
  if (key === null) return [];
  const reference = parseReference(key);
  const repositories = await prisma.repository.findMany({
    where: { name: reference.repository, deletedAt: null },
    select: { id: true, organization: { select: { registry: { select: { url: true } } } } },
  });
  const repository = repositories.find((candidate) => servesHost(candidate.organization.registry?.url, reference.registry));
  if (repository === undefined) return [];

  const tags = await prisma.tag.findMany({
    where: { repositoryId: repository.id, deletedAt: null },
    orderBy: [{ lastPushedAt: "desc" }, { name: "asc" }],
    take: MAX_BASE_TAG_CANDIDATES,
    select: { name: true, manifest: { select: { images: { where: { platform }, select: { imageDigest: true } } } } },
  });
  const imageOfTag = new Map(tags.flatMap((tag) => (tag.manifest.images.length === 1 ? [[tag.name, tag.manifest.images[0]!.imageDigest] as const] : [])));
  const digests = [...new Set(imageOfTag.values())];
  const analysed = await prisma.imageAnalysis.findMany({ where: { imageDigest: { in: digests }, status: "ANALYSED" }, select: { imageDigest: true } });
  const latest = await latestReports(prisma, analysed.map((row) => row.imageDigest));
  const reportIds = [...latest.values()].filter((report) => report.advisorySnapshot !== null).map((report) => report.id);
  const reports = await prisma.scoreReport.findMany({ where: { id: { in: reportIds } }, select: { imageDigest: true, findings: true } });
  const keysOfImage = new Map(reports.map((report) => [report.imageDigest, new Set((report.findings as unknown as VulnerabilityFinding[]).map(findingKey))]));

  const candidates: BaseTagCandidate[] = [];
  for (const [tag, digest] of imageOfTag) {
    const findingKeys = keysOfImage.get(digest);
    if (findingKeys === undefined) continue;
    candidates.push({ reference: formatReference({ ...reference, tag, digest: null }), digest, builtOn: tag === reference.tag, findingKeys });
  }
  return candidates;
}

