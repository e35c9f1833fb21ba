import { shortDigest } from "@/components/format";
import { TableHead } from "@/components/table-head";
import { packagesHref } from "@/components/tags/packages-href";
import type { PackagePage, PackageQuery } from "@/lib/data/get-image-analysis";

interface PackageTableProps {
  tagPath: string;
  platform: { digest: string; name: string };
  query: PackageQuery;
  packages: PackagePage;
  /** Layers in the image, for "layer 2 of 3". */
  layerCount: number;
}

/** Renders one page of an image's packages with links to the other pages. */
export function PackageTable({ tagPath, platform, query, packages, layerCount }: PackageTableProps) {
  if (packages.total === 0) {
    return (
      <p className="text-slate-600" data-testid="packages-empty">
        No packages match these filters.{" "}
        <a href={packagesHref(tagPath, platform.digest, {})} className="text-blue-700 hover:underline">
          Show all packages
        </a>
      </p>
    );
  }

  const firstRow = (packages.page - 1) * packages.pageSize + 1;
  const lastRow = firstRow + packages.rows.length - 1;
  return (
    <div>
      <div className="overflow-x-auto">
        <table className="w-full rounded-lg border border-slate-200 bg-white text-sm" data-testid="packages-table">
          <caption className="caption-top pb-2 text-left text-slate-600">
            Packages of {platform.name}: {firstRow}–{lastRow} of {packages.total}
          </caption>
          <TableHead columns={[{ label: "Name" }, { label: "Version" }, { label: "Type" }, { label: "License" }, { label: "Layer" }, { label: "Source package" }]} />
          <tbody>
            {packages.rows.map((row) => (
              <tr key={row.id} className="border-t border-slate-100 align-top" data-package={row.name} data-package-type={row.type}>
                <th scope="row" className="px-3 py-1.5 text-left font-medium break-all" title={row.purl}>
                  {row.name}
                </th>
                <td className="px-3 py-1.5 font-mono break-all">{row.version}</td>
                <td className="px-3 py-1.5">{row.type}</td>
                <td className="px-3 py-1.5">{row.license ?? <span className="text-slate-500 italic">unknown</span>}</td>
                <td className="px-3 py-1.5 whitespace-nowrap">
                  {row.layer === null ? (
                    <span className="text-slate-500 italic">unknown</span>
                  ) : (
                    <>
                      {row.layer.position !== null && (
                        <span className="text-slate-600">
                          {row.layer.position + 1} of {layerCount}:{" "}
                        </span>
                      )}
                      <span className="font-mono" title={row.layer.digest}>
                        {shortDigest(row.layer.digest)}
                      </span>
                    </>
                  )}
                </td>
                <td className="px-3 py-1.5">
                  {row.sourceName === null ? (
                    <span className="text-slate-500">—</span>
                  ) : (
                    <>
                      {row.sourceName}
                      {row.sourceVersion !== null && row.sourceVersion !== row.version && <span className="font-mono text-slate-500"> {row.sourceVersion}</span>}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {packages.pageCount > 1 && (
        <nav aria-label={`Pages of the packages of ${platform.name}`} className="mt-3 flex items-center gap-4">
          {packages.page > 1 ? (
            <a href={packagesHref(tagPath, platform.digest, { ...query, page: packages.page - 1 })} rel="prev" className="text-blue-700 hover:underline">
              Previous page
            </a>
          ) : (
            <span className="text-slate-400">Previous page</span>
          )}
          <span>
            Page {packages.page} of {packages.pageCount}
          </span>
          {packages.page < packages.pageCount ? (
            <a href={packagesHref(tagPath, platform.digest, { ...query, page: packages.page + 1 })} rel="next" className="text-blue-700 hover:underline">
              Next page
            </a>
          ) : (
            <span className="text-slate-400">Next page</span>
          )}
        </nav>
      )}
    </div>
  );
}
