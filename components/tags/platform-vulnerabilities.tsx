import { formatDate } from "@/components/format";
import { InlineCode } from "@/components/inline-code";
import { SeverityCounts } from "@/components/tags/severity-counts";
import { VULNERABILITIES_ANCHOR, vulnerabilitiesHref } from "@/components/tags/vulnerabilities-href";
import { VulnerabilityFilters } from "@/components/tags/vulnerability-filters";
import { VulnerabilityTable } from "@/components/tags/vulnerability-table";
import type { PackageQuery } from "@/lib/data/get-image-analysis";
import type { AdvisorySnapshotSummary, GradingSummary, ImageVulnerabilitiesView, VulnerabilityQuery } from "@/lib/data/get-image-vulnerabilities";

/** Cause ids listed in the grading line. The rest are counted. */
const MAX_CAUSE_IDS_SHOWN = 5;

interface PlatformVulnerabilitiesProps {
  tagPath: string;
  platform: { digest: string; name: string };
  view: ImageVulnerabilitiesView;
  query: VulnerabilityQuery;
  /** The package table's view, kept in the links and the form of this section. */
  packageQuery: PackageQuery;
  /** Messages about search parameters that were ignored. */
  queryProblems: string[];
  /** Today as YYYY-MM-DD (UTC). */
  today: string;
}

/**
 * Renders the vulnerabilities of one platform image's latest score report: the
 * counts by severity, and when the view contains a page of findings, the
 * filters and the table. Other platforms get a link that selects them. Without
 * findings it explains why: not analysed, not graded, no advisories imported,
 * or none known in the imported advisories.
 */
export function PlatformVulnerabilities({ tagPath, platform, view, query, packageQuery, queryProblems, today }: PlatformVulnerabilitiesProps) {
  const headingId = `vulnerabilities-${platform.digest}`;
  return (
    <section
      id={VULNERABILITIES_ANCHOR}
      aria-labelledby={headingId}
      className="mt-4 rounded-lg border border-slate-200 bg-white p-4 text-sm"
      data-testid="vulnerabilities"
    >
      <h3 id={headingId} className="mb-2 font-semibold">
        Vulnerabilities
      </h3>
      <VulnerabilitiesBody tagPath={tagPath} platform={platform} view={view} query={query} packageQuery={packageQuery} queryProblems={queryProblems} today={today} />
    </section>
  );
}

function VulnerabilitiesBody({ tagPath, platform, view, query, packageQuery, queryProblems, today }: PlatformVulnerabilitiesProps) {
  const { analysis, grading, counts, vulnerabilities } = view;

  if (analysis.status === "PENDING") {
    return (
      <p className="text-slate-600" data-testid="vulnerabilities-state" data-state="not-analysed">
        Not analysed yet: the vulnerabilities appear when the image has been analysed and graded.
      </p>
    );
  }
  if (analysis.status === "FAILED") {
    return (
      <p className="text-slate-600" data-testid="vulnerabilities-state" data-state="analysis-failed">
        Not analysed, so no advisory could be matched against its packages: {analysis.reason ?? "no reason was recorded"}
      </p>
    );
  }
  if (grading === null) {
    return (
      <p className="text-slate-600" data-testid="vulnerabilities-state" data-state="not-graded">
        Not graded yet: the vulnerabilities appear when the image has been graded.
      </p>
    );
  }

  const findingCount = counts.unsuppressed + counts.suppressed;
  return (
    <div>
      <GradingLine grading={grading} />
      {view.unreadableFindings > 0 && (
        <p className="mt-2 rounded border border-amber-200 bg-amber-50 p-2 text-amber-950">
          {view.unreadableFindings} {view.unreadableFindings === 1 ? "finding is" : "findings are"} stored in a form this page cannot read, so {view.unreadableFindings === 1 ? "it is" : "they are"}{" "}
          left out of the counts and the table. Re-grading the image stores them again.
        </p>
      )}
      {findingCount === 0 ? (
        <EmptyState snapshot={grading.advisorySnapshot ?? view.latestOsvImport} osvImported={view.latestOsvImport !== null} />
      ) : (
        <div className="mt-3">
          <SeverityCounts counts={counts} />
          {vulnerabilities === null ? (
            <p className="mt-3">
              <a href={vulnerabilitiesHref(tagPath, platform.digest, {}, {})} className="text-blue-700 hover:underline">
                Show the vulnerabilities of {platform.name}
              </a>
            </p>
          ) : (
            <div className="mt-4">
              {queryProblems.length > 0 && (
                <div className="mb-3 rounded border border-amber-200 bg-amber-50 p-2 text-amber-950" data-testid="vulnerability-query-problems">
                  <ul className="list-disc pl-5">
                    {queryProblems.map((problem) => (
                      <li key={problem}>{problem}</li>
                    ))}
                  </ul>
                </div>
              )}
              <VulnerabilityFilters tagPath={tagPath} platform={platform.digest} query={query} packageQuery={packageQuery} counts={counts} />
              <VulnerabilityTable tagPath={tagPath} platform={platform} query={query} packageQuery={packageQuery} vulnerabilities={vulnerabilities} today={today} />
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** Renders which score report the findings come from: when, why, and against which advisory import. */
function GradingLine({ grading }: { grading: GradingSummary }) {
  const shownIds = grading.causeIds.slice(0, MAX_CAUSE_IDS_SHOWN);
  const hiddenIdCount = grading.causeIds.length - shownIds.length;
  return (
    <p className="text-slate-600" data-testid="vulnerabilities-report">
      From the score report of {formatDate(grading.gradedAt)}
      {grading.cause !== null && (
        <>
          {" "}
          · cause: {grading.cause}
          {shownIds.length > 0 && (
            <>
              {" "}
              (<span className="font-mono">{shownIds.join(", ")}</span>
              {hiddenIdCount > 0 ? ` and ${hiddenIdCount} more` : ""})
            </>
          )}
        </>
      )}
      {" "}
      · {grading.advisorySnapshot === null ? "graded before any advisory import" : `advisory ${describeSnapshot(grading.advisorySnapshot)}`}
    </p>
  );
}

function EmptyState({ snapshot, osvImported }: { snapshot: AdvisorySnapshotSummary | null; osvImported: boolean }) {
  if (!osvImported) {
    return (
      <p className="mt-3 text-slate-700" data-testid="vulnerabilities-state" data-state="no-advisories">
        <InlineCode text="No advisories imported yet: run `shipshape advisories import SOURCE` with an OSV all.zip, a folder of OSV records or their URL. The import re-grades the images it affects." />
      </p>
    );
  }
  return (
    <p className="mt-3 text-slate-700" data-testid="vulnerabilities-state" data-state="none-known">
      No known vulnerabilities in the imported advisories{snapshot === null ? "" : ` (${describeSnapshot(snapshot)})`}.
    </p>
  );
}

function describeSnapshot(snapshot: AdvisorySnapshotSummary): string {
  return `snapshot ${snapshot.id}${snapshot.importedAt === null ? "" : `, imported ${formatDate(snapshot.importedAt)}`}`;
}
