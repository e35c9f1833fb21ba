import { requireViewer } from "@/lib/auth/get-viewer";
import Link from "next/link";
import type { Metadata } from "next";
import { PolicyBreakdown } from "@/components/grades/policy-breakdown";
import { GradeBadge } from "@/components/grades/grade-badge";
import { formatPercent, repositoryPath } from "@/components/format";
import { RepositoryTabs } from "@/components/repositories/repository-tabs";
import { TagTable } from "@/components/tags/tag-table";
import { getRepositoryOverview } from "@/lib/data/get-repository-overview";
import { orNotFound } from "@/lib/data/or-not-found";
import { repositoryParams, titleSegment } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string; repo: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org, repo } = await params;
  return { title: `${titleSegment(org)}/${titleSegment(repo)}` };
}

export default async function RepositoryGeneralPage({ params }: { params: Params }) {
  const viewer = await requireViewer();
  const { org, repo } = repositoryParams(await params);
  const { repository, latest, recentTags } = await orNotFound(getRepositoryOverview(viewer, org, repo));
  // The tag's grade is its worst platform's, so the breakdown shown is the platform with the lowest score.
  const worstPlatform = latest?.platforms.reduce<(typeof latest.platforms)[number] | undefined>(
    (worst, platform) => (worst === undefined || (platform.report?.percent ?? Infinity) < (worst.report?.percent ?? Infinity) ? platform : worst),
    undefined,
  );

  return (
    <div>
      <RepositoryTabs repositoryName={repository.name} active="general" />
      {latest ? (
        <section aria-labelledby="latest-heading">
          <h2 id="latest-heading" className="mb-3 text-lg font-semibold">
            Grade of the latest tag,{" "}
            <Link className="text-blue-700 hover:underline" href={`${repositoryPath(repository.name)}/tags/${encodeURIComponent(latest.tag.name)}`}>
              {latest.tag.name}
            </Link>
          </h2>
          <div className="mb-4 flex items-center gap-3">
            <GradeBadge grade={latest.tag.grade} size="lg" />
            <span className="text-lg">{formatPercent(latest.tag.percent)}</span>
            {latest.platforms.length > 1 && worstPlatform && (
              <span className="text-sm text-slate-600">worst of {latest.platforms.length} platforms: {worstPlatform.platform}</span>
            )}
          </div>
          {worstPlatform?.report ? (
            <PolicyBreakdown results={worstPlatform.report.results} />
          ) : (
            <p className="text-slate-600">This tag has not been graded yet.</p>
          )}
        </section>
      ) : (
        <p className="text-slate-600">This repository has no tags yet.</p>
      )}
      <section aria-labelledby="recent-heading" className="mt-8">
        <h2 id="recent-heading" className="mb-3 text-lg font-semibold">Recent tags</h2>
        <TagTable repositoryName={repository.name} tags={recentTags} />
      </section>
    </div>
  );
}
