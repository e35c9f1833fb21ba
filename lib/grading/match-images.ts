import { findAdvisoriesByPackage } from "@/lib/advisories/find-advisories-by-package";
import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";
import { matchPackages, parseOsvRecord, type InstalledPackage, type MatchProblem, type OsvRecord } from "@/scoring/advisories";
import type { VulnerabilityFinding } from "@/scoring";
import { orderingForEcosystem } from "@/scoring/versions/version-ordering";

/** The findings and problems of matching one image. */
export interface ImageMatch {
  findings: VulnerabilityFinding[];
  problems: MatchProblem[];
}

interface StoredPackage {
  imageDigest: string;
  type: string;
  name: string;
  version: string;
  purl: string;
  sourceName: string | null;
  ecosystem: string | null;
  matchNames: string[];
}

/**
 * Matches the stored packages of each image against the stored advisories,
 * loading only the advisories filed under the images' ecosystems and names, and
 * marks findings whose CVE is in CISA's Known Exploited Vulnerabilities catalog.
 * Nothing is fetched from a registry.
 */
export async function matchImages(prisma: PrismaClient, digests: readonly string[]): Promise<Map<string, ImageMatch>> {
  const packages: StoredPackage[] = await prisma.imagePackage.findMany({
    where: { imageDigest: { in: [...digests] }, ecosystem: { not: null } },
    select: { imageDigest: true, type: true, name: true, version: true, purl: true, sourceName: true, ecosystem: true, matchNames: true },
  });
  const records = await loadAdvisories(prisma, packages);

  const byImage = new Map<string, StoredPackage[]>();
  for (const pkg of packages) {
    const list = byImage.get(pkg.imageDigest);
    if (list) list.push(pkg);
    else byImage.set(pkg.imageDigest, [pkg]);
  }

  const matches = new Map<string, ImageMatch>();
  const cveIds = new Set<string>();
  for (const digest of digests) {
    const stored = byImage.get(digest) ?? [];
    const byPurl = new Map(stored.map((pkg) => [pkg.purl, pkg]));
    const installed: InstalledPackage[] = stored.map((pkg) => ({
      ecosystem: pkg.ecosystem!,
      name: pkg.name,
      sourceName: pkg.sourceName ?? undefined,
      version: pkg.version,
      purl: pkg.purl,
    }));
    const relevant = [...new Set(stored.flatMap((pkg) => pkg.matchNames.map((name) => records.byName.get(nameKey(pkg.ecosystem!, name)) ?? [])).flat())];
    const result = matchPackages(installed, relevant, orderingForEcosystem);
    const findings = result.findings.map((finding): VulnerabilityFinding => {
      const pkg = byPurl.get(finding.purl);
      const published = finding.recordIds.map((id) => records.published.get(id)).filter((date) => date !== undefined && date !== null).sort()[0] ?? null;
      return {
        ...finding,
        packageType: pkg?.type ?? "",
        packageName: pkg?.name ?? "",
        packageVersion: pkg?.version ?? "",
        published,
        knownExploited: false,
        suppressed: null,
      };
    });
    for (const finding of findings) for (const id of [finding.vulnerabilityId, ...finding.aliases]) if (id.startsWith("CVE-")) cveIds.add(id);
    matches.set(digest, { findings, problems: result.problems });
  }

  const exploited = new Set(
    (await prisma.knownExploitedVulnerability.findMany({ where: { cveId: { in: [...cveIds] } }, select: { cveId: true } })).map((row) => row.cveId),
  );
  for (const match of matches.values()) {
    for (const finding of match.findings) finding.knownExploited = [finding.vulnerabilityId, ...finding.aliases].some((id) => exploited.has(id));
  }
  logger.debug({ images: digests.length, packages: packages.length, advisories: records.count }, "matched images against advisories");
  return matches;
}

function nameKey(ecosystem: string, name: string): string {
  return `${ecosystem}\u0000${name}`;
}

/** Loads the advisories filed under any of the packages' ecosystems and names. */
async function loadAdvisories(prisma: PrismaClient, packages: readonly StoredPackage[]) {
  const pairs = new Map<string, { ecosystem: string; name: string }>();
  for (const pkg of packages) for (const name of pkg.matchNames) pairs.set(nameKey(pkg.ecosystem!, name), { ecosystem: pkg.ecosystem!, name });

  const { references, rows } = await findAdvisoriesByPackage(prisma, [...pairs.values()]);
  // The stored document was validated at import; parsing again fills in the schema's defaults.
  const recordById = new Map<string, OsvRecord>();
  for (const row of rows) {
    const parsed = parseOsvRecord(row.record);
    if ("record" in parsed) recordById.set(row.id, parsed.record);
  }
  const byName = new Map<string, OsvRecord[]>();
  for (const reference of references) {
    const record = recordById.get(reference.advisoryId);
    if (!record) continue;
    const key = nameKey(reference.ecosystem, reference.name);
    const list = byName.get(key);
    if (list) list.push(record);
    else byName.set(key, [record]);
  }
  return {
    byName,
    published: new Map(rows.map((row) => [row.id, row.published?.toISOString() ?? null])),
    count: rows.length,
  };
}
