import type { PrismaClient } from "@/lib/db";
import { logger } from "@/lib/log";
import { defaultPolicyConfig, parsePolicyConfig, type PolicyConfig } from "@/scoring";

/** The organization's current policy configuration: its latest saved version, or the built-in default (version 1). */
export async function policyConfigFor(prisma: PrismaClient, organizationId: string): Promise<PolicyConfig> {
  const latest = await prisma.policyConfiguration.findFirst({ where: { organizationId }, orderBy: { version: "desc" } });
  return latest ? storedConfig(latest) : defaultPolicyConfig;
}

/**
 * Loads the policy configuration each image is graded under: that of the
 * organization whose repositories tag it. An image tagged in several
 * organizations takes the configuration of the first by name.
 */
export async function policyConfigsForImages(prisma: PrismaClient, digests: readonly string[]): Promise<Map<string, PolicyConfig>> {
  const links = await prisma.manifestImage.findMany({
    where: { imageDigest: { in: [...digests] } },
    select: { imageDigest: true, manifest: { select: { tags: { select: { repository: { select: { organization: { select: { id: true, name: true } } } } } } } } },
  });
  const organizationOf = new Map<string, { id: string; name: string }>();
  for (const link of links) {
    for (const tag of link.manifest.tags) {
      const organization = tag.repository.organization;
      const current = organizationOf.get(link.imageDigest);
      if (!current || organization.name < current.name) organizationOf.set(link.imageDigest, organization);
    }
  }

  const organizationIds = [...new Set([...organizationOf.values()].map((organization) => organization.id))];
  const stored = await prisma.policyConfiguration.findMany({
    where: { organizationId: { in: organizationIds } },
    orderBy: { version: "desc" },
    distinct: ["organizationId"],
  });
  const byOrganization = new Map(stored.map((row) => [row.organizationId, storedConfig(row)]));
  return new Map([...organizationOf].map(([digest, organization]) => [digest, byOrganization.get(organization.id) ?? defaultPolicyConfig]));
}

/** Parses a stored configuration; one that no longer validates (after a scoring change) falls back to the default, loudly. */
function storedConfig(row: { organizationId: string; version: number; config: unknown }): PolicyConfig {
  try {
    return parsePolicyConfig(row.config);
  } catch (error) {
    logger.error({ err: error, organizationId: row.organizationId, version: row.version }, "a stored policy configuration is invalid; grading with the default configuration");
    return defaultPolicyConfig;
  }
}
