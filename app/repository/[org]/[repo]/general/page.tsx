import { requireViewer } from "@/lib/auth/get-viewer";
import Link from "next/link";
import type { Metadata } from "next";
import { PolicyBreakdown } from "@/components/grades/policy-breakdown";
import { GradeBadge } from "@/components/grades/grade-badge";
import { formatPercent, repositoryPath } from "@/components/format";
import { GradeHistory } from "@/components/history/grade-history";
import { RepositoryTabs } from "@/components/repositories/repository-tabs";
import { TagGradeList, TagTable } from "@/components/tags/tag-table";
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
  const { repository, latest, recentTags, description, history, bestTags, worstTags } = await orNotFound(getRepositoryOverview(viewer, org, repo));
  // The tag's grade is its worst platform's, so the breakdown shown is the platform with the lowest score.
  const worstPlatform = latest?.platforms.reduce<(typeof latest.platforms)[number] | undefined>(
    (worst, platform) => (worst === undefined || (platform.report?.percent ?? Infinity) < (worst.report?.percent ?? Infinity) ? platform : worst),
    undefined,
  );
  const tagsPath = `${repositoryPath(repository.name)}/tags`;

  return (
    <div>
      <RepositoryTabs repositoryName={repository.name} active="general" />
      {description && (
        <p className="-mt-2 mb-6 text-slate-700" data-testid="repository-description">
          {description}
        </p>
      )}
      {latest ? (
        <section aria-labelledby="latest-heading">
          <h2 id="latest-heading" className="mb-3 text-lg font-semibold">
            Grade of the latest tag,{" "}
            {/* Underlined, because inside the heading's text a link must not be told apart by colour alone. */}
            <Link className="text-blue-700 underline" href={`${tagsPath}/${encodeURIComponent(latest.tag.name)}`}>
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

      <section aria-labelledby="history-heading" className="mt-8">
        <h2 id="history-heading" className="mb-3 text-lg font-semibold">
          Grade history
        </h2>
        <GradeHistory changes={history.changes} total={history.total} now={new Date()} />
      </section>

      {(bestTags.length > 0 || worstTags.length > 0) && (
        <section aria-labelledby="ranked-heading" className="mt-8">
          <h2 id="ranked-heading" className="mb-3 text-lg font-semibold">
            Best and worst tags
          </h2>
          <div className="grid gap-4 md:grid-cols-2">
            <div>
              <h3 className="mb-2 font-medium">Best grades</h3>
              <TagGradeList repositoryName={repository.name} tags={bestTags} label="Tags with the best grades" />
            </div>
            <div>
              <h3 className="mb-2 font-medium">Worst grades</h3>
              {worstTags.length > 0 ? (
                <TagGradeList repositoryName={repository.name} tags={worstTags} label="Tags with the worst grades" />
              ) : (
                <p className="text-slate-600">Only one tag is graded.</p>
              )}
            </div>
          </div>
          <p className="mt-2 text-sm">
            <Link href={`${tagsPath}?sort=grade`} className="text-blue-700 hover:underline">
              All tags by grade
            </Link>
          </p>
        </section>
      )}

      <section aria-labelledby="recent-heading" className="mt-8">
        <h2 id="recent-heading" className="mb-3 text-lg font-semibold">
          Recent tags
        </h2>
        <TagTable repositoryName={repository.name} tags={recentTags} />
      </section>
    </div>
  );
}
