import { apiRoute } from "@/lib/api/api-route";
import { readPathParams, readQueryParams } from "@/lib/api/request-params";
import { getTag } from "@/lib/data/get-tag";

export const dynamic = "force-dynamic";

/**
 * Returns a tag's score report: the tag's grade, and for each platform image
 * its latest report with the score arithmetic, each policy's status, evidence
 * and remediation, the policy configuration version and the advisory snapshot.
 */
export const GET = apiRoute<{ org: string; repo: string; tag: string }>("get score report", async ({ viewer, request, params }) => {
  const { org, repo, tag } = readPathParams(params);
  readQueryParams(request.nextUrl.searchParams, {});

  const view = await getTag(viewer, org, repo, tag);
  return {
    repository: view.repository.name,
    tag: {
      name: view.tag.name,
      digest: view.tag.digest,
      grade: view.tag.grade,
      percent: view.tag.percent,
      lastPushedAt: view.tag.lastPushedAt,
      syncError: view.tag.syncError,
    },
    gradedPlatform: view.worstPlatformDigest,
    platforms: view.platforms.map((platform) => ({
      platform: platform.platform,
      digest: platform.digest,
      report: platform.report && {
        grade: platform.report.grade,
        percent: platform.report.percent,
        earned: platform.report.earned,
        possible: platform.report.possible,
        engineVersion: platform.report.engineVersion,
        policyConfigVersion: platform.report.policyConfigVersion,
        advisorySnapshot: platform.report.advisorySnapshot,
        gradedAt: platform.report.gradedAt,
        cause: platform.report.cause,
        causeIds: platform.report.causeIds,
        policies: platform.report.results,
      },
    })),
  };
});
