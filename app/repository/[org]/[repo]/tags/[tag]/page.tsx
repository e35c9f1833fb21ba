import { requireViewer } from "@/lib/auth/get-viewer";
import type { Metadata } from "next";
import { formatBytes, formatDate, formatPercent, repositoryPath, shortDigest } from "@/components/format";
import { RepositoryTabs } from "@/components/repositories/repository-tabs";
import { AttestationList } from "@/components/tags/attestation-list";
import { BaseImageDetails } from "@/components/tags/base-image-details";
import { BaseImageFact } from "@/components/tags/base-image-fact";
import { findingLinks } from "@/components/tags/finding-links";
import { FixList } from "@/components/tags/fix-list";
import { LayerList } from "@/components/tags/layer-list";
import { OsFact } from "@/components/tags/os-fact";
import { PlatformPackages } from "@/components/tags/platform-packages";
import { PlatformState } from "@/components/tags/platform-state";
import { PlatformSwitcher } from "@/components/tags/platform-switcher";
import { PlatformVulnerabilities } from "@/components/tags/platform-vulnerabilities";
import { TagHistory } from "@/components/tags/tag-history";
import { fixAnchor, tagViewSections } from "@/components/tags/tag-view-href";
import { vulnerabilitiesHref } from "@/components/tags/vulnerabilities-href";
import { GradeBadge } from "@/components/grades/grade-badge";
import { PolicyBreakdown } from "@/components/grades/policy-breakdown";
import { ScoreArithmetic } from "@/components/grades/score-arithmetic";
import { getImageAnalysis, parsePackageQuery } from "@/lib/data/get-image-analysis";
import { getImageVulnerabilities, parseVulnerabilityQuery } from "@/lib/data/get-image-vulnerabilities";
import { getTag } from "@/lib/data/get-tag";
import { getTagDetails } from "@/lib/data/get-tag-details";
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
  const { repository, tag, platforms, worstPlatformDigest } = await orNotFound(getTag(viewer, org, repo, tagName));
  const tagPath = `${repositoryPath(repository.name)}/tags/${encodeURIComponent(tag.name)}`;

  // The page shows one platform image at a time: the one in `platform`, else the one whose grade is the tag's.
  const requestedPlatform = typeof search.platform === "string" && search.platform !== "" ? search.platform : null;
  const selected = platforms.find((platform) => platform.digest === requestedPlatform) ?? platforms.find((platform) => platform.digest === worstPlatformDigest);
  const platformProblem =
    requestedPlatform !== null && selected !== undefined && selected.digest !== requestedPlatform
      ? `Showing ${selected.platform}, the platform whose grade is the tag's: "${requestedPlatform}" is not a platform image of this tag.`
      : null;
  const { query, problems: queryProblems } = parsePackageQuery(search);
  const { query: vulnerabilityQuery, problems: vulnerabilityQueryProblems } = parseVulnerabilityQuery(search);
  const today = new Date().toISOString().slice(0, 10);

  const header = (
    <>
      <RepositoryTabs repositoryName={repository.name} active="tags" />
      <div className="mb-6 flex items-center gap-4" data-testid="tag-header">
        <GradeBadge grade={tag.grade} size="lg" />
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold break-all">
            {repository.name}:{tag.name}
          </h1>
          <p className="font-mono text-sm break-all text-slate-600" title={tag.digest}>
            {tag.digest}
          </p>
          <p className="text-sm text-slate-600" data-testid="tag-score">
            {tag.grade === null ? "Not graded yet" : `Grade ${tag.grade}, score ${formatPercent(tag.percent)}`}
            {platforms.length > 1 ? ": the grade and score of its worst platform" : ""} · pushed {formatDate(tag.lastPushedAt)} · {platforms.length}{" "}
            {platforms.length === 1 ? "platform" : "platforms"}
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
    </>
  );

  if (selected === undefined) {
    return (
      <div>
        {header}
        <p className="text-slate-600">This tag lists no platform images, so there is nothing to grade.</p>
      </div>
    );
  }

  const [view, vulnerabilities, details] = await orNotFound(
    Promise.all([
      getImageAnalysis(viewer, org, repo, tagName, selected.digest, { packages: query }),
      getImageVulnerabilities(viewer, org, repo, tagName, selected.digest, { vulnerabilities: vulnerabilityQuery }),
      getTagDetails(viewer, org, repo, tagName, selected.digest),
    ]),
  );
  const report = selected.report;
  const vulnerabilityHref = (id: string) => vulnerabilitiesHref(tagPath, selected.digest, { search: id }, query);
  const fixLinks = Object.fromEntries((details.fixPlan?.fixes ?? []).map((fix) => [fix.policyId, `#${fixAnchor(fix.policyId)}`]));

  return (
    <div>
      {header}

      {platforms.length > 1 && (
        <PlatformSwitcher
          tagPath={tagPath}
          platforms={platforms.map((platform) => ({ digest: platform.digest, platform: platform.platform, grade: platform.report?.grade ?? null, percent: platform.report?.percent ?? null }))}
          selected={selected.digest}
          worst={worstPlatformDigest ?? selected.digest}
        />
      )}
      {platformProblem !== null && (
        <p className="mb-4 rounded border border-amber-200 bg-amber-50 p-2 text-sm text-amber-950" data-testid="platform-problem">
          {platformProblem}
        </p>
      )}

      <section aria-labelledby="platform-heading" data-platform={selected.platform} data-digest={selected.digest}>
        <h2 id="platform-heading" className="mb-3 flex flex-wrap items-center gap-3 text-xl font-semibold">
          <GradeBadge grade={report?.grade ?? null} />
          {selected.platform}
          <span className="font-mono text-sm font-normal text-slate-600" title={selected.digest}>
            {shortDigest(selected.digest)}
          </span>
        </h2>
        <PlatformState platformName={selected.platform} analysis={view.analysis} results={report?.results ?? null} />

        <dl className="mb-4 grid gap-x-4 gap-y-1 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="text-slate-600">User</dt>
          <dd className="font-mono">{selected.user === null || selected.user === "" ? "not set (root)" : selected.user}</dd>
          <dt className="text-slate-600">Created</dt>
          <dd>{formatDate(selected.created)}</dd>
          <dt className="text-slate-600">Compressed size</dt>
          <dd>{formatBytes(selected.compressedSize)}</dd>
          <dt className="text-slate-600">Operating system</dt>
          <dd data-testid="operating-system">
            <OsFact analysis={view.analysis} today={today} />
          </dd>
          <dt className="text-slate-600">Base image</dt>
          <dd data-testid="base-image" className="break-all">
            <BaseImageFact base={selected.baseImage} />
          </dd>
        </dl>

        <nav aria-label="Sections of the tag view" className="mb-6 border-b border-slate-200 pb-2 text-sm">
          <ul className="flex flex-wrap gap-x-5 gap-y-1">
            {tagViewSections.map((section) => (
              <li key={section.anchor}>
                <a href={`#${section.anchor}`} className="text-blue-700 hover:underline">
                  {section.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>

        <section id="policies" aria-labelledby="policies-heading" className="mb-6">
          <h3 id="policies-heading" className="mb-2 text-lg font-semibold">
            Policies
          </h3>
          {report === null ? (
            <p className="text-slate-600">This image has not been graded yet.</p>
          ) : (
            <div className="grid gap-4">
              <div className="grid gap-4 lg:grid-cols-[2fr_3fr]">
                <ScoreArithmetic report={report} />
                <div>
                  <h4 className="mb-2 font-semibold">Fixes, most points first</h4>
                  {details.fixPlan === null ? (
                    <p className="text-slate-600">No fixes can be planned before the image is graded.</p>
                  ) : (
                    <FixList plan={details.fixPlan} platformName={selected.platform} multiPlatform={platforms.length > 1} vulnerabilityHref={vulnerabilityHref} />
                  )}
                </div>
              </div>
              <div>
                <h4 className="mb-2 font-semibold">Each policy with its evidence</h4>
                <PolicyBreakdown
                  results={report.results}
                  headingLevel={5}
                  findingLinks={details.fixPlan === null ? {} : findingLinks(details.fixPlan, tagPath, selected.digest, query)}
                  fixLinks={fixLinks}
                  vulnerabilityHref={vulnerabilityHref}
                />
              </div>
            </div>
          )}
        </section>

        <PlatformVulnerabilities
          tagPath={tagPath}
          platform={{ digest: selected.digest, name: selected.platform }}
          view={vulnerabilities}
          query={vulnerabilityQuery}
          packageQuery={query}
          queryProblems={vulnerabilityQueryProblems}
          today={today}
        />
        <PlatformPackages tagPath={tagPath} platform={{ digest: selected.digest, name: selected.platform }} view={view} query={query} queryProblems={queryProblems} />

        <section id="base-image" aria-labelledby="base-image-heading" className="mt-6">
          <h3 id="base-image-heading" className="mb-2 text-lg font-semibold">
            Base image
          </h3>
          <BaseImageDetails base={details.baseImage} />
        </section>

        <section id="attestations" aria-labelledby="attestations-heading" className="mt-6">
          <h3 id="attestations-heading" className="mb-2 text-lg font-semibold">
            Attestations
          </h3>
          <AttestationList attestations={details.attestations} />
        </section>

        <section id="layers" aria-labelledby="layers-heading" className="mt-6">
          <h3 id="layers-heading" className="mb-2 text-lg font-semibold">
            Layers
          </h3>
          <LayerList view={details.layers} tagPath={tagPath} platformDigest={selected.digest} analysed={view.analysis.status === "ANALYSED"} />
        </section>
      </section>

      <section id="history" aria-labelledby="history-heading" className="mt-10">
        <h2 id="history-heading" className="mb-3 text-xl font-semibold">
          Tag history
        </h2>
        <TagHistory history={details.history} />
      </section>
    </div>
  );
}
