import Link from "next/link";
import { GradeBadge } from "@/components/grades/grade-badge";
import { formatDate, formatPercent, repositoryPath, shortDigest } from "@/components/format";
import { TableHead } from "@/components/table-head";

export interface TagRow {
  name: string;
  digest: string;
  grade: string | null;
  percent: number | null;
  lastPushedAt: Date;
  syncError: string | null;
  platforms: string[];
}

/** Tags with grade, digest, platforms and push time; each name links to the tag view. */
export function TagTable({ repositoryName, tags }: { repositoryName: string; tags: TagRow[] }) {
  if (tags.length === 0) return <p className="text-slate-600">This repository has no tags.</p>;
  return (
    <div className="overflow-x-auto">
    <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
      <caption className="sr-only">Tags of {repositoryName}</caption>
      <TableHead columns={[{ label: "Grade" }, { label: "Tag" }, { label: "Digest" }, { label: "Platforms" }, { label: "Pushed" }]} />
      <tbody>
        {tags.map((tag) => (
          <tr key={tag.name} className="border-t border-slate-100" data-tag={tag.name}>
            <td className="px-3 py-2">
              <span className="flex items-center gap-2">
                <GradeBadge grade={tag.grade} />
                <span className="whitespace-nowrap text-slate-500">{formatPercent(tag.percent)}</span>
              </span>
            </td>
            <td className="px-3 py-2">
              <Link className="font-medium break-all text-blue-700 hover:underline" href={`${repositoryPath(repositoryName)}/tags/${encodeURIComponent(tag.name)}`}>
                {tag.name}
              </Link>
              {tag.syncError && <span className="ml-2 rounded bg-red-100 px-1.5 text-xs text-red-800">sync error</span>}
            </td>
            <td className="px-3 py-2 font-mono" title={tag.digest}>{shortDigest(tag.digest)}</td>
            <td className="px-3 py-2">{tag.platforms.join(", ")}</td>
            <td className="px-3 py-2">{formatDate(tag.lastPushedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}
