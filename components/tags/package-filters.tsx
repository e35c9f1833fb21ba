import { shortDigest } from "@/components/format";
import { PACKAGES_ANCHOR, packagesHref } from "@/components/tags/packages-href";
import { MAX_SEARCH_LENGTH, UNKNOWN_LICENSE_PARAM, type FacetValue, type ImageLayerPosition, type PackagePage, type PackageQuery } from "@/lib/data/get-image-analysis";

const sortLabels = { name: "Name", type: "Type", license: "License" } as const;

interface PackageFiltersProps {
  tagPath: string;
  /** Platform image digest, kept in the URL so the filters apply to the same image. */
  platform: string;
  query: PackageQuery;
  facets: PackagePage["facets"];
  layers: ImageLayerPosition[];
}

/**
 * Renders the package filters as a GET form, so every filtered view is a URL
 * that can be shared. Submitting starts again at page 1.
 */
export function PackageFilters({ tagPath, platform, query, facets, layers }: PackageFiltersProps) {
  const position = new Map<string, number>();
  for (const layer of layers) if (!position.has(layer.digest)) position.set(layer.digest, layer.position);
  // A value from a shared link that the image does not have stays selected, with a count of 0.
  const types = withSelected(facets.types, query.type);
  const licenses = withSelected(facets.licenses, query.license);
  const layerFacets = withSelected(facets.layers, query.layer);
  const fieldClass = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1";
  const idPrefix = `packages-${platform.replace(/[^a-zA-Z0-9]/g, "-")}`;

  return (
    <form method="get" action={`${tagPath}#${PACKAGES_ANCHOR}`} className="mb-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_2fr_2fr_1fr_auto]" aria-label="Filter packages">
      <input type="hidden" name="platform" value={platform} />
      <div>
        <label htmlFor={`${idPrefix}-q`} className="text-slate-600">
          Name or source package
        </label>
        <input id={`${idPrefix}-q`} name="q" type="search" defaultValue={query.search ?? ""} maxLength={MAX_SEARCH_LENGTH} className={fieldClass} />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-type`} className="text-slate-600">
          Type
        </label>
        <select id={`${idPrefix}-type`} name="type" defaultValue={query.type ?? ""} className={fieldClass}>
          <option value="">All types</option>
          {types.map((facet) => (
            <option key={facet.value} value={facet.value}>
              {facet.value} ({facet.count})
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${idPrefix}-license`} className="text-slate-600">
          License
        </label>
        <select id={`${idPrefix}-license`} name="license" defaultValue={query.license === undefined ? "" : (query.license ?? UNKNOWN_LICENSE_PARAM)} className={fieldClass}>
          <option value="">All licenses</option>
          {licenses.map((facet) => (
            <option key={facet.value ?? UNKNOWN_LICENSE_PARAM} value={facet.value ?? UNKNOWN_LICENSE_PARAM}>
              {facet.value ?? "unknown"} ({facet.count})
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${idPrefix}-layer`} className="text-slate-600">
          Layer
        </label>
        <select id={`${idPrefix}-layer`} name="layer" defaultValue={query.layer ?? ""} className={fieldClass}>
          <option value="">All layers</option>
          {/* Packages without a recorded layer cannot be selected by layer; they show under "All layers". */}
          {layerFacets.flatMap((facet) => {
            if (facet.value === null) return [];
            const layerPosition = position.get(facet.value);
            return [
              <option key={facet.value} value={facet.value}>
                {layerPosition === undefined ? "" : `${layerPosition + 1}: `}
                {shortDigest(facet.value)} ({facet.count})
              </option>,
            ];
          })}
        </select>
      </div>
      <div>
        <label htmlFor={`${idPrefix}-sort`} className="text-slate-600">
          Sort by
        </label>
        <select id={`${idPrefix}-sort`} name="sort" defaultValue={query.sort ?? "name"} className={fieldClass}>
          {Object.entries(sortLabels).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="flex items-end gap-3">
        <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-white hover:bg-slate-700">
          Filter
        </button>
        <a href={packagesHref(tagPath, platform, {})} className="py-1 text-blue-700 hover:underline">
          Clear
        </a>
      </div>
    </form>
  );
}

function withSelected<T>(facets: FacetValue<T>[], selected: T | undefined): FacetValue<T>[] {
  if (selected === undefined || facets.some((facet) => facet.value === selected)) return facets;
  return [...facets, { value: selected, count: 0 }];
}
