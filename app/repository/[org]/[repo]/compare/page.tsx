import { requireViewer } from "@/lib/auth/get-viewer";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CompareForm } from "@/components/compare/compare-form";
import { ComparedImageCard, PolicyChanges } from "@/components/compare/compare-summary";
import { PackageChanges } from "@/components/compare/package-changes";
import { VulnerabilityChanges } from "@/components/compare/vulnerability-changes";
import { repositoryPath, shortDigest } from "@/components/format";
import { RepositoryTabs } from "@/components/repositories/repository-tabs";
import { compareImages, orderByPush, readCompareParams, type ImageComparison } from "@/lib/data/compare-images";
import { listTags } from "@/lib/data/list-tags";
import { orNotFound } from "@/lib/data/or-not-found";
import { repositoryParams, titleSegment } from "@/lib/data/route-params";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string; repo: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Tag names offered as suggestions in the form, most recently pushed first. */
const SUGGESTED_TAGS = 100;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org, repo } = await params;
  return { title: `Compare ${titleSegment(org)}/${titleSegment(repo)} tags` };
}

export default async function CompareTagsPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const viewer = await requireViewer();
  const { org, repo } = repositoryParams(await params);
  const compareParams = readCompareParams(await searchParams);
  // Checks read access before anything else is shown, and gives the form its suggestions.
  const { repository, tags } = await orNotFound(listTags(viewer, org, repo, {}, { pageSize: SUGGESTED_TAGS }));

  const { a, b } = compareParams;
  if (compareParams.fromSelection && a !== null && b !== null) {
    // The list can be sorted any way, so the older push becomes A.
    const [older = a, newer = b] = await orNotFound(orderByPush(viewer, org, repo, [a, b]));
    redirect(`${repositoryPath(repository.name)}/compare?${new URLSearchParams({ a: older, b: newer }).toString()}`);
  }

  const problems = [...compareParams.problems];
  let comparison: ImageComparison | null = null;
  if (problems.length === 0 && (a !== null || b !== null)) {
    try {
      comparison = await orNotFound(compareImages(viewer, org, repo, a, b));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "INVALID_INPUT") throw error;
      problems.push(...((error.details.problems as string[] | undefined) ?? [error.message]));
    }
  }

  return (
    <div>
      <RepositoryTabs repositoryName={repository.name} active="tags" />
      <h2 className="mb-3 text-lg font-semibold">Compare tags</h2>
      <CompareForm repositoryName={repository.name} a={a} b={b} tagNames={tags.map((tag) => tag.name)} />
      {problems.length > 0 && (
        <div role="alert" className="mb-6 rounded border border-red-200 bg-red-50 p-3 text-sm text-red-900" data-testid="compare-problems">
          <p className="font-semibold">These tags cannot be compared:</p>
          <ul className="mt-1 list-disc pl-5">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
      {comparison === null && problems.length === 0 && <p className="text-slate-600">Choose two tags above, or tick two tags on the Tags tab.</p>}
      {comparison && <ComparisonView comparison={comparison} />}
    </div>
  );
}

function ComparisonView({ comparison }: { comparison: ImageComparison }) {
  const { a, b } = comparison;
  return (
    <div className="grid gap-8">
      {comparison.identical && (
        <p className="rounded border border-blue-200 bg-blue-50 p-3 text-sm text-blue-900" data-testid="identical">
          A and B are identical: both are the image {shortDigest(a.imageDigest)} ({a.platform}), so nothing differs.
        </p>
      )}
      {comparison.notes.length > 0 && (
        <ul className="list-disc pl-5 text-sm text-slate-700" data-testid="compare-notes">
          {comparison.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <div className="grid gap-4 md:grid-cols-2">
        <ComparedImageCard repositoryName={comparison.repository.name} image={a} />
        <ComparedImageCard repositoryName={comparison.repository.name} image={b} />
      </div>

      <section aria-labelledby="policies-heading">
        <h2 id="policies-heading" className="mb-3 text-lg font-semibold">
          Policies
        </h2>
        <PolicyChanges policies={comparison.policies} />
      </section>

      <section aria-labelledby="packages-heading">
        <h2 id="packages-heading" className="mb-3 text-lg font-semibold">
          Packages
        </h2>
        {comparison.packages.status === "compared" ? (
          <PackageChanges diff={comparison.packages} />
        ) : (
          <p className="text-slate-600" data-testid="packages-unavailable">
            {comparison.packages.reason}
          </p>
        )}
      </section>

      <section aria-labelledby="vulnerabilities-heading">
        <h2 id="vulnerabilities-heading" className="mb-3 text-lg font-semibold">
          Vulnerabilities
        </h2>
        {comparison.vulnerabilities.status === "compared" ? (
          <VulnerabilityChanges diff={comparison.vulnerabilities} />
        ) : (
          <p className="text-slate-600" data-testid="vulnerabilities-unavailable">
            {comparison.vulnerabilities.reason}
          </p>
        )}
      </section>
    </div>
  );
}
