import type { Prisma } from "@/generated/prisma/client";
import type { PrismaClient } from "@/lib/db";
import { policyConfigFor } from "@/lib/grading/policy-configs";
import { appUrl, tagPath } from "@/lib/notifications/app-url";
import { advanceCursor, unreadRange } from "@/lib/notifications/event-cursor";
import type { PolicyConfig, VulnerabilityFinding } from "@/scoring";

/** Returns the ids of findings that count as high-profile under a configuration: listed or known exploited, not excluded and not suppressed. */
export function highProfileIds(findings: readonly VulnerabilityFinding[], config: PolicyConfig): Set<string> {
  const settings = config.policies["no-high-profile-vulnerabilities"];
  const listed = new Set(settings.cves.map((id) => id.toUpperCase()));
  const excluded = new Set(settings.excludedCves.map((id) => id.toUpperCase()));
  const result = new Set<string>();
  for (const finding of findings) {
    if (finding.suppressed !== null) continue;
    const ids = [finding.vulnerabilityId, ...finding.aliases].map((id) => id.toUpperCase());
    if (ids.some((id) => excluded.has(id))) continue;
    const listedId = ids.find((id) => listed.has(id));
    if (listedId !== undefined) result.add(listedId);
    else if (settings.knownExploited && finding.knownExploited) result.add(ids.find((id) => id.startsWith("CVE-")) ?? ids[0]!);
  }
  return result;
}

/**
 * Records a "high-profile-finding" event for each tag whose image gained a
 * high-profile finding in a score report made since the last collection: one
 * the image's previous report did not have. The key (tag, image, vulnerability)
 * makes each one an event once. Returns how many events were new.
 */
export async function collectHighProfileFindings(prisma: PrismaClient, now: Date): Promise<number> {
  const range = await unreadRange(prisma, "score-reports", now);
  const reports = await prisma.scoreReport.findMany({
    where: { createdAt: { gt: range.after, lte: range.until } },
    orderBy: { createdAt: "asc" },
    select: { id: true, imageDigest: true, findings: true, cause: true, causeIds: true, createdAt: true },
  });
  const configs = new Map<string, PolicyConfig>();
  const configOf = async (organizationId: string) => {
    if (!configs.has(organizationId)) configs.set(organizationId, await policyConfigFor(prisma, organizationId));
    return configs.get(organizationId)!;
  };

  const events: Prisma.NotificationEventCreateManyInput[] = [];
  // NOTE: two queries per new report (its previous report and its tags); an advisory update that
  // re-grades tens of thousands of images makes this pass correspondingly slow.
  for (const report of reports) {
    const findings = report.findings as unknown as VulnerabilityFinding[];
    if (findings.length === 0) continue;
    const previous = await prisma.scoreReport.findFirst({
      where: { imageDigest: report.imageDigest, createdAt: { lt: report.createdAt } },
      orderBy: { createdAt: "desc" },
      select: { findings: true },
    });
    const tags = await prisma.tag.findMany({
      where: { deletedAt: null, repository: { deletedAt: null }, manifest: { images: { some: { imageDigest: report.imageDigest } } } },
      select: { id: true, name: true, repository: { select: { id: true, name: true, organizationId: true } } },
    });
    for (const tag of tags) {
      const config = await configOf(tag.repository.organizationId);
      const before = previous ? highProfileIds(previous.findings as unknown as VulnerabilityFinding[], config) : new Set<string>();
      for (const id of highProfileIds(findings, config)) {
        if (before.has(id)) continue;
        const finding = findings.find((candidate) => [candidate.vulnerabilityId, ...candidate.aliases].some((alias) => alias.toUpperCase() === id));
        const exploited = finding?.knownExploited ? "known exploited" : "high-profile";
        events.push({
          organizationId: tag.repository.organizationId,
          repositoryId: tag.repository.id,
          tagId: tag.id,
          kind: "high-profile-finding",
          eventKey: `finding:${tag.id}:${report.imageDigest}:${id}`,
          cause: report.cause ?? "analysis",
          causeIds: report.causeIds,
          title: `${tag.repository.name}:${tag.name} has ${id} (${exploited}) in ${finding?.packageName ?? "a package"}`,
          link: appUrl(tagPath(tag.repository.name, tag.name)),
          details: {
            repository: tag.repository.name,
            tag: tag.name,
            imageDigest: report.imageDigest,
            vulnerability: id,
            knownExploited: finding?.knownExploited ?? false,
            package: finding ? `${finding.packageName} ${finding.packageVersion}` : null,
          },
        });
      }
    }
  }
  const created = events.length === 0 ? 0 : (await prisma.notificationEvent.createMany({ data: events, skipDuplicates: true })).count;
  await advanceCursor(prisma, "score-reports", range.until);
  return created;
}
