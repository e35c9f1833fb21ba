import type { ReactNode } from "react";
import type { PackageDiff } from "@/lib/data/compare-images";

/** Lists the packages B adds, removes and changes against A, by type and name. */
export function PackageChanges({ diff }: { diff: PackageDiff }) {
  const counts = `${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed, ${diff.unchanged} unchanged`;
  if (diff.changed.length + diff.added.length + diff.removed.length === 0) {
    return <p className="text-slate-600" data-testid="packages-same">The packages are the same: {diff.unchanged} with the same versions.</p>;
  }

  return (
    <div className="grid gap-4">
      <p className="text-slate-600" data-testid="package-counts">
        {counts}.
      </p>
      {diff.changed.length > 0 && (
        <PackageTable caption={`Changed: ${diff.changed.length}`} kind="changed" headers={["Package", "Type", "Version in A", "Version in B"]}>
          {diff.changed.map((change) => (
            <tr key={`${change.type} ${change.name}`} className="border-t border-slate-100" data-package={change.name} data-package-type={change.type}>
              <th scope="row" className="px-3 py-1.5 text-left font-medium break-all">
                {change.name}
              </th>
              <td className="px-3 py-1.5">{change.type}</td>
              <td className="px-3 py-1.5 font-mono break-all">{change.from.join(", ")}</td>
              <td className="px-3 py-1.5 font-mono break-all">{change.to.join(", ")}</td>
            </tr>
          ))}
        </PackageTable>
      )}
      {diff.added.length > 0 && (
        <PackageTable caption={`Added in B: ${diff.added.length}`} kind="added" headers={["Package", "Type", "Version"]}>
          {diff.added.map((entry) => (
            <PackageRow key={`${entry.type} ${entry.name}`} entry={entry} />
          ))}
        </PackageTable>
      )}
      {diff.removed.length > 0 && (
        <PackageTable caption={`Removed in B: ${diff.removed.length}`} kind="removed" headers={["Package", "Type", "Version"]}>
          {diff.removed.map((entry) => (
            <PackageRow key={`${entry.type} ${entry.name}`} entry={entry} />
          ))}
        </PackageTable>
      )}
    </div>
  );
}

function PackageTable({ caption, kind, headers, children }: { caption: string; kind: string; headers: string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full rounded-lg border border-slate-200 bg-white text-sm" data-testid={`packages-${kind}`}>
        <caption className="caption-top pb-2 text-left font-semibold">{caption}</caption>
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            {headers.map((header) => (
              <th key={header} scope="col" className="px-3 py-2">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function PackageRow({ entry }: { entry: { type: string; name: string; versions: string[] } }) {
  return (
    <tr className="border-t border-slate-100" data-package={entry.name} data-package-type={entry.type}>
      <th scope="row" className="px-3 py-1.5 text-left font-medium break-all">
        {entry.name}
      </th>
      <td className="px-3 py-1.5">{entry.type}</td>
      <td className="px-3 py-1.5 font-mono break-all">{entry.versions.join(", ")}</td>
    </tr>
  );
}
