import { AnalysisState } from "@/components/tags/analysis-state";
import { PackageFilters } from "@/components/tags/package-filters";
import { PackageTable } from "@/components/tags/package-table";
import { PACKAGES_ANCHOR, packagesHref } from "@/components/tags/packages-href";
import { SbomLinks } from "@/components/tags/sbom-links";
import type { ImageAnalysisView, PackageQuery } from "@/lib/data/get-image-analysis";

interface PlatformPackagesProps {
  tagPath: string;
  platform: { digest: string; name: string };
  view: ImageAnalysisView;
  query: PackageQuery;
  /** Messages about search parameters that were ignored. */
  queryProblems: string[];
}

/**
 * Renders one platform image's analysis state and SBOM downloads. When the
 * view contains a page of packages, it also renders the filters and the
 * package table. Other platforms get a link that selects them.
 */
export function PlatformPackages({ tagPath, platform, view, query, queryProblems }: PlatformPackagesProps) {
  const { analysis, packages, layers } = view;
  const headingId = `packages-${platform.digest}`;
  return (
    <section id={PACKAGES_ANCHOR} aria-labelledby={headingId} className="mt-4 rounded-lg border border-slate-200 bg-white p-4 text-sm" data-testid="packages">
      <h3 id={headingId} className="mb-2 font-semibold">
        Packages
      </h3>
      <AnalysisState analysis={analysis} />
      {analysis.status === "ANALYSED" && <SbomLinks tagPath={tagPath} platform={platform} />}
      {analysis.status === "ANALYSED" && packages === null && (
        <p className="mt-3">
          <a href={packagesHref(tagPath, platform.digest, {})} className="text-blue-700 hover:underline">
            Show the packages of {platform.name}
          </a>
        </p>
      )}
      {analysis.status === "ANALYSED" && packages !== null && (
        <div className="mt-4">
          {queryProblems.length > 0 && (
            <div className="mb-3 rounded border border-amber-200 bg-amber-50 p-2 text-amber-950" data-testid="package-query-problems">
              <ul className="list-disc pl-5">
                {queryProblems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </div>
          )}
          <PackageFilters tagPath={tagPath} platform={platform.digest} query={query} facets={packages.facets} layers={layers} />
          <PackageTable tagPath={tagPath} platform={platform} query={query} packages={packages} layerCount={layers.length} />
        </div>
      )}
    </section>
  );
}
