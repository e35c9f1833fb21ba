import { requireViewer } from "@/lib/auth/get-viewer";
import type { Metadata } from "next";
import { formatBytes, formatDate, repositoryPath, shortDigest } from "@/components/format";
import { RepositoryTabs } from "@/components/repositories/repository-tabs";
import { BaseImageFact } from "@/components/tags/base-image-fact";
import { OsFact } from "@/components/tags/os-fact";
import { PlatformPackages } from "@/components/tags/platform-packages";
import { PlatformVulnerabilities } from "@/components/tags/platform-vulnerabilities";
import { GradeBadge } from "@/components/grades/grade-badge";
import { PolicyBreakdown } from "@/components/grades/policy-breakdown";
import { ScoreArithmetic } from "@/components/grades/score-arithmetic";
import { getImageAnalysis, parsePackageQuery } from "@/lib/data/get-image-analysis";
import { getImageVulnerabilities, parseVulnerabilityQuery } from "@/lib/data/get-image-vulnerabilities";
import { getTag } from "@/lib/data/get-tag";
import { orNotFound } from "@/lib/data/or-not-found";
import { repositoryParams, tagParam, titleSegment } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string; repo: string; tag: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org, repo, tag } = await params;
  return { title: `${titleSegment(org)}/${titleSegment(repo)}:${titleSegment(tag)}` };
}

export default async function TagPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const viewer = await requireViewer();
  const segments = await params;
  const { org, repo } = repositoryParams(segments);
  const tagName = tagParam(segments.tag);
  const search = await searchParams;
  const { repository, tag, platforms } = await orNotFound(getTag(viewer, org, repo, tagName));

  // The package and vulnerability tables show one platform image at a time: the one in `platform`, else the first.
  const { query, problems: queryProblems } = parsePackageQuery(search);
  const { query: vulnerabilityQuery, problems: vulnerabilityQueryProblems } = parseVulnerabilityQuery(search);
  const requestedPlatform = typeof search.platform === "string" && search.platform !== "" ? search.platform : null;
  const selected = platforms.find((platform) => platform.digest === requestedPlatform) ?? platforms[0];
  if (requestedPlatform !== null && selected?.digest !== requestedPlatform) {
    queryProblems.push(`Showing the packages of the first platform: "${requestedPlatform}" is not a platform image of this tag.`);
    vulnerabilityQueryProblems.push(`Showing the vulnerabilities of the first platform: "${requestedPlatform}" is not a platform image of this tag.`);
  }
  const sections = await orNotFound(
    Promise.all(
      platforms.map(async (platform) => {
        const isSelected = platform === selected;
        const [view, vulnerabilities] = await Promise.all([
          getImageAnalysis(viewer, org, repo, tagName, platform.digest, isSelected ? { packages: query } : {}),
          getImageVulnerabilities(viewer, org, repo, tagName, platform.digest, isSelected ? { vulnerabilities: vulnerabilityQuery } : {}),
        ]);
        return { platform, view, vulnerabilities };
      }),
    ),
  );
  const tagPath = `${repositoryPath(repository.name)}/tags/${encodeURIComponent(tag.name)}`;
  const today = new Date().toISOString().slice(0, 10);

  return (
    <div>
      <RepositoryTabs repositoryName={repository.name} active="tags" />
      <div className="mb-6 flex items-center gap-4">
        <GradeBadge grade={tag.grade} size="lg" />
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold break-all">
            {repository.name}:{tag.name}
          </h1>
          <p className="font-mono text-sm break-all text-slate-600" title={tag.digest}>
            {tag.digest}
          </p>
          <p className="text-sm text-slate-600">
            Pushed {formatDate(tag.lastPushedAt)} · {platforms.length} {platforms.length === 1 ? "platform" : "platforms"}
            {platforms.length > 1 ? " · the tag shows its worst platform's grade" : ""}
          </p>
        </div>
      </div>

      {tag.syncError && (
        <div role="alert" className="mb-6 rounded border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          <p className="font-semibold">The last sync could not read this tag{tag.syncErrorDigest ? ` at ${shortDigest(tag.syncErrorDigest)}` : ""}.</p>
          <p>{tag.syncError}</p>
          <p className="mt-1">The grade below is from the last digest that was read; the next sync tries again.</p>
        </div>
      )}

      {sections.map(({ platform, view, vulnerabilities }) => (
        <section key={platform.digest} className="mb-10" aria-labelledby={`platform-${platform.digest}`} data-platform={platform.platform}>
          <h2 id={`platform-${platform.digest}`} className="mb-3 flex items-center gap-3 text-xl font-semibold">
            <GradeBadge grade={platform.report?.grade ?? null} />
            {platform.platform}
            <span className="font-mono text-sm font-normal text-slate-500" title={platform.digest}>
              {shortDigest(platform.digest)}
            </span>
          </h2>
          {platform.report ? (
            <div className="grid gap-4 lg:grid-cols-[2fr_3fr]">
              <ScoreArithmetic report={platform.report} />
              <PolicyBreakdown results={platform.report.results} />
            </div>
          ) : (
            <p className="text-slate-600">This image has not been graded yet.</p>
          )}
          <div className="mt-4 grid gap-4 md:grid-cols-2">
            <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
              <h3 className="mb-2 font-semibold">Configuration</h3>
              <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                <dt className="text-slate-500">User</dt>
                <dd className="font-mono">{platform.user === null || platform.user === "" ? "not set (root)" : platform.user}</dd>
                <dt className="text-slate-500">Created</dt>
                <dd>{formatDate(platform.created)}</dd>
                <dt className="text-slate-500">Compressed size</dt>
                <dd>{formatBytes(platform.compressedSize)}</dd>
                <dt className="text-slate-500">Operating system</dt>
                <dd data-testid="operating-system">
                  <OsFact analysis={view.analysis} today={today} />
                </dd>
                <dt className="text-slate-500">Base image</dt>
                <dd data-testid="base-image" className="break-all">
                  <BaseImageFact base={platform.baseImage} />
                </dd>
              </dl>
              <h3 className="mt-4 mb-2 font-semibold">Attestations</h3>
              {platform.attestations.length === 0 ? (
                <p className="text-slate-600">None attached.</p>
              ) : (
                <ul className="list-disc pl-5">
                  {platform.attestations.map((attestation, index) => (
                    <li key={index} className="font-mono break-all">
                      {attestation.predicateType}
                      {attestation.provenanceMode ? ` (mode ${attestation.provenanceMode})` : ""}
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
              <h3 className="mb-2 font-semibold">Layers</h3>
              <ol className="list-decimal pl-5">
                {platform.layers.map((layer, index) => (
                  <li key={index}>
                    <span className="font-mono" title={layer.digest}>{shortDigest(layer.digest)}</span> · {formatBytes(layer.size)}
                  </li>
                ))}
              </ol>
            </div>
          </div>
          <PlatformVulnerabilities
            tagPath={tagPath}
            platform={{ digest: platform.digest, name: platform.platform }}
            view={vulnerabilities}
            query={vulnerabilityQuery}
            packageQuery={query}
            queryProblems={vulnerabilityQueryProblems}
            today={today}
          />
          <PlatformPackages
            tagPath={tagPath}
            platform={{ digest: platform.digest, name: platform.platform }}
            view={view}
            query={query}
            queryProblems={queryProblems}
          />
        </section>
      ))}
    </div>
  );
}
