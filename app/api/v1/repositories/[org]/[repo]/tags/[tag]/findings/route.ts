import { apiRoute } from "@/lib/api/api-route";
import { flag, imageDigest, listOf, oneOf, pageNumber, readPathParams, readQueryParams, text } from "@/lib/api/request-params";
import { tagPlatform } from "@/lib/api/tag-platform";
import { MAX_SEARCH_LENGTH } from "@/lib/data/get-image-analysis";
import { getImageVulnerabilities, vulnerabilitySorts, type VulnerabilityRow } from "@/lib/data/get-image-vulnerabilities";
import { severityLevels } from "@/scoring";

export const dynamic = "force-dynamic";

/** The stored analysis states in the words the tag list and report endpoints use. */
const analysisStatuses = { PENDING: "analysing", ANALYSED: "analysed", FAILED: "not-analysed" } as const;

/**
 * Lists one page of the vulnerability findings of a tag's platform image (by
 * default the platform whose grade is the tag's) from its latest score report,
 * with suppression state and counts, as the tag page does.
 */
export const GET = apiRoute<{ org: string; repo: string; tag: string }>("list findings", async ({ viewer, request, params }) => {
  const { org, repo, tag } = readPathParams(params);
  const filters = readQueryParams(request.nextUrl.searchParams, {
    platform: imageDigest,
    severity: listOf(severityLevels),
    fixable: flag,
    suppressed: oneOf(["show", "hide"]),
    q: text(MAX_SEARCH_LENGTH),
    sort: oneOf(vulnerabilitySorts),
    page: pageNumber,
  });

  const platform = await tagPlatform(viewer, org, repo, tag, filters.platform);
  const view = await getImageVulnerabilities(viewer, org, repo, tag, platform, {
    vulnerabilities: { severities: filters.severity, fixableOnly: filters.fixable, hideSuppressed: filters.suppressed === "hide", search: filters.q, sort: filters.sort, page: filters.page },
  });
  const page = view.vulnerabilities!;
  return {
    image: view.image,
    analysis: { status: analysisStatuses[view.analysis.status], reason: view.analysis.reason, analysedAt: view.analysis.analysedAt },
    grading: view.grading,
    counts: view.counts,
    findings: page.rows.map(withoutKey),
    total: page.total,
    page: page.page,
    pageSize: page.pageSize,
    pageCount: page.pageCount,
  };
});

/** Drops the row key, which only the page's table uses. */
function withoutKey(row: VulnerabilityRow): Omit<VulnerabilityRow, "key"> {
  const finding: Partial<VulnerabilityRow> = { ...row };
  delete finding.key;
  return finding as Omit<VulnerabilityRow, "key">;
}
