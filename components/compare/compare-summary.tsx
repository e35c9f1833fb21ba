import Link from "next/link";
import { GradeBadge } from "@/components/grades/grade-badge";
import { formatDate, formatPercent, repositoryPath, shortDigest } from "@/components/format";
import type { ComparedImage, PolicyChange } from "@/lib/data/compare-images";
import type { PolicyStatus } from "@/scoring";

const statusStyles: Record<PolicyStatus, { label: string; className: string }> = {
  pass: { label: "Passed", className: "bg-green-100 text-green-800" },
  fail: { label: "Failed", className: "bg-red-100 text-red-800" },
  "no-data": { label: "No data", className: "bg-slate-200 text-slate-700" },
};

/** Renders one side of a comparison: the tag, the platform image and its grade. */
export function ComparedImageCard({ repositoryName, image }: { repositoryName: string; image: ComparedImage }) {
  const label = image.side === "a" ? "A (old)" : "B (new)";
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm" aria-labelledby={`side-${image.side}`} data-side={image.side}>
      <h3 id={`side-${image.side}`} className="mb-3 flex flex-wrap items-baseline gap-x-2 text-base font-semibold">
        <span className="text-slate-600">{label}</span>
        <Link href={`${repositoryPath(repositoryName)}/tags/${encodeURIComponent(image.tag.name)}`} className="break-all text-blue-700 hover:underline">
          {image.tag.name}
        </Link>
      </h3>
      <div className="mb-3 flex items-center gap-3">
        <GradeBadge grade={image.report?.grade ?? null} size="lg" />
        <div>
          <p className="text-lg" data-testid={`percent-${image.side}`}>
            {image.report ? formatPercent(image.report.percent) : "not graded yet"}
          </p>
          {image.report && (
            <p className="text-slate-600">
              {image.report.earned} of {image.report.possible} points, graded {formatDate(image.report.gradedAt)}
            </p>
          )}
        </div>
      </div>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
        <dt className="text-slate-600">Platform</dt>
        <dd data-testid={`platform-${image.side}`}>
          {image.platform}
          {image.platforms.length > 1 && <span className="text-slate-600"> (of {image.platforms.join(", ")})</span>}
        </dd>
        <dt className="text-slate-600">Image digest</dt>
        <dd className="font-mono break-all" title={image.imageDigest}>
          {shortDigest(image.imageDigest)}
        </dd>
        <dt className="text-slate-600">Pushed</dt>
        <dd>{formatDate(image.tag.lastPushedAt)}</dd>
        {image.platforms.length > 1 && (
          <>
            <dt className="text-slate-600">Tag grade</dt>
            <dd>
              {image.tag.grade ?? "not graded"} (its worst platform&apos;s)
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

function StatusLabel({ status }: { status: PolicyStatus | null }) {
  if (status === null) return <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">Not scored</span>;
  const style = statusStyles[status];
  return <span className={`rounded px-2 py-0.5 text-xs font-semibold ${style.className}`}>{style.label}</span>;
}

/** Lists each policy's status and points in A and B, changed policies marked. */
export function PolicyChanges({ policies }: { policies: PolicyChange[] }) {
  if (policies.length === 0) return <p className="text-slate-600">Neither image has been graded yet.</p>;
  const changed = policies.filter((policy) => policy.from !== policy.to).length;
  return (
    <div className="overflow-x-auto">
      <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
        <caption className="caption-top pb-2 text-left text-slate-600">
          {changed === 0 ? "No policy changed its status." : `${changed} of ${policies.length} policies changed their status.`}
        </caption>
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2">
              Policy
            </th>
            <th scope="col" className="px-3 py-2">
              A
            </th>
            <th scope="col" className="px-3 py-2">
              B
            </th>
            <th scope="col" className="px-3 py-2">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {policies.map((policy) => {
            const isChanged = policy.from !== policy.to;
            return (
              <tr key={policy.id} className={`border-t border-slate-100 ${isChanged ? "bg-amber-50" : ""}`} data-policy={policy.id} data-from={policy.from ?? "none"} data-to={policy.to ?? "none"}>
                <th scope="row" className="px-3 py-2 text-left font-medium">
                  {policy.title}
                </th>
                <td className="px-3 py-2 whitespace-nowrap">
                  <StatusLabel status={policy.from} /> {policy.fromPoints !== null && <span className="text-slate-600">{policy.fromPoints} pts</span>}
                </td>
                <td className="px-3 py-2 whitespace-nowrap">
                  <StatusLabel status={policy.to} /> {policy.toPoints !== null && <span className="text-slate-600">{policy.toPoints} pts</span>}
                </td>
                <td className="px-3 py-2">{describeChange(policy)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function describeChange(policy: PolicyChange): string {
  if (policy.from === policy.to) return "unchanged";
  const word = (status: PolicyStatus | null) => (status === null ? "not scored" : statusStyles[status].label.toLowerCase());
  return `${word(policy.from)} → ${word(policy.to)}`;
}
