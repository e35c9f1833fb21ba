import { packagesHref } from "@/components/tags/packages-href";
import type { PackageQuery } from "@/lib/data/get-image-analysis";
import type { VulnerabilityQuery } from "@/lib/data/get-image-vulnerabilities";

/** Anchor of the vulnerabilities section, so filtering and paging keep it in view. */
export const VULNERABILITIES_ANCHOR = "vulnerabilities";

/**
 * Returns the search parameters of the package table's view, without the
 * platform. The vulnerability links and form carry them, so filtering one
 * table keeps the other's filters.
 */
export function packageViewParams(packageQuery: PackageQuery): [string, string][] {
  // packagesHref is the one writer of the package parameters, so reading them back keeps both tables in step.
  return [...new URL(packagesHref("/", null, packageQuery), "http://localhost").searchParams];
}

/**
 * Builds the tag page URL that shows `query` in the vulnerability table of one
 * platform image, with the search parameters that parseVulnerabilityQuery
 * reads, and keeps the package table's view. Without a platform, the page
 * selects the platform whose grade is the tag's.
 */
export function vulnerabilitiesHref(tagPath: string, platform: string | null, query: VulnerabilityQuery, packageQuery: PackageQuery = {}): string {
  const params = new URLSearchParams(packageViewParams(packageQuery));
  if (platform !== null) params.set("platform", platform);
  for (const level of query.severities ?? []) params.append("severity", level);
  if (query.fixableOnly) params.set("fixable", "1");
  if (query.hideSuppressed) params.set("suppressed", "hide");
  if (query.search !== undefined) params.set("vq", query.search);
  if (query.sort !== undefined && query.sort !== "severity") params.set("vsort", query.sort);
  if (query.page !== undefined && query.page > 1) params.set("vpage", String(query.page));
  const search = params.toString();
  return `${tagPath}${search === "" ? "" : `?${search}`}#${VULNERABILITIES_ANCHOR}`;
}
