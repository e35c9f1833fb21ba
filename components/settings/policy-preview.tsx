import { badgeColor } from "@/scoring/grade";
import type { Grade } from "@/scoring";
import type { PolicyPreviewView } from "@/lib/data/settings/policies";

// Imported by the client-side policy form, so it takes the grade colours from
// scoring/grade.ts alone instead of the whole scoring library.
const colorClasses = {
  green: "bg-grade-green text-white",
  yellow: "bg-grade-yellow text-white",
  orange: "bg-grade-orange text-white",
  red: "bg-grade-red text-white",
  grey: "bg-grade-grey text-white",
} as const;

/** Renders a small grade letter on its badge colour, like GradeBadge, with the letter always shown. */
function GradeChip({ grade }: { grade: Grade | null }) {
  return (
    <span
      className={`inline-flex h-6 w-6 shrink-0 items-center justify-center rounded font-bold text-xs ${colorClasses[badgeColor(grade)]}`}
      aria-label={grade ? `Grade ${grade}` : "Not graded"}
      data-grade={grade ?? "none"}
    >
      {grade ?? "–"}
    </span>
  );
}

/** Renders "C → B" with both letters on their badge colours; "–" stands for not graded. */
function GradeMoveText({ from, to }: { from: Grade | null; to: Grade | null }) {
  return (
    <span className="inline-flex items-center gap-1">
      <GradeChip grade={from} /> → <GradeChip grade={to} />
    </span>
  );
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/**
 * Renders what saving the previewed settings would change: the settings that
 * differ, the count of each tag grade move, the repositories that turn red or
 * leave red, and the changed tags. `stale` marks a preview the form has changed since.
 */
export function PolicyPreview({ preview, stale }: { preview: PolicyPreviewView; stale: boolean }) {
  return (
    <section aria-labelledby="policy-preview-heading" data-testid="policy-preview" className={`space-y-4 rounded-lg border p-4 ${stale ? "border-amber-400 bg-amber-50" : "border-blue-300 bg-blue-50"}`}>
      <h2 id="policy-preview-heading" className="font-semibold">
        Preview against version {preview.baseVersion}
      </h2>
      {stale && (
        <p className="text-sm font-medium text-amber-900" data-testid="preview-stale">
          The form changed after this preview. Preview again before saving.
        </p>
      )}

      <div>
        <h3 className="text-sm font-semibold">Changed settings</h3>
        {preview.changes.length === 0 ? (
          <p className="text-sm text-slate-700">No setting differs from version {preview.baseVersion}, so there is nothing to save.</p>
        ) : (
          <ul className="mt-1 list-disc space-y-1 pl-5 text-sm" aria-label="Changed settings">
            {preview.changes.map((change) => (
              <li key={change.option} data-option={change.option} className="break-words">
                {change.label}: <span className="font-mono">{change.from}</span> → <span className="font-mono">{change.to}</span>
              </li>
            ))}
          </ul>
        )}
      </div>

      <div>
        <h3 className="text-sm font-semibold">Grade changes</h3>
        <p className="text-sm text-slate-700">
          {plural(preview.tagCount, "current tag", "current tags")} with {plural(preview.imageCount, "platform image", "platform images")}, scored from stored facts under version {preview.baseVersion} and
          under these settings.
        </p>
        {preview.moves.length === 0 ? (
          <p className="mt-1 text-sm">No tag changes grade.</p>
        ) : (
          <ul className="mt-1 space-y-1 text-sm" aria-label="Tag grade moves">
            {preview.moves.map((move) => (
              <li key={`${move.from}>${move.to}`} data-move={`${move.from ?? "none"}>${move.to ?? "none"}`} className="flex items-center gap-2">
                {plural(move.tags, "tag", "tags")} <GradeMoveText from={move.from} to={move.to} />
              </li>
            ))}
          </ul>
        )}
      </div>

      <RepositoryList title="Repositories that turn red (E or F)" testId="turning-red" repositories={preview.repositoriesTurningRed} />
      <RepositoryList title="Repositories that leave red" testId="leaving-red" repositories={preview.repositoriesLeavingRed} />

      {preview.changedTags.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full rounded border border-slate-200 bg-white text-sm">
            <caption className="py-1 text-left text-sm font-semibold">Tags that change grade</caption>
            <thead className="bg-slate-50 text-left text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-1 font-medium">Tag</th>
                <th scope="col" className="px-3 py-1 font-medium">Now</th>
                <th scope="col" className="px-3 py-1 font-medium">After saving</th>
              </tr>
            </thead>
            <tbody>
              {preview.changedTags.map((change) => (
                <tr key={`${change.repository}:${change.tag}`} className="border-t border-slate-100" data-changed-tag={`${change.repository}:${change.tag}`}>
                  <td className="px-3 py-1 font-mono break-all">
                    {change.repository}:{change.tag}
                  </td>
                  <td className="px-3 py-1">
                    <GradeChip grade={change.from} />
                  </td>
                  <td className="px-3 py-1">
                    <GradeChip grade={change.to} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.changedTagCount > preview.changedTags.length && (
            <p className="mt-1 text-sm text-slate-600">
              The first {preview.changedTags.length.toLocaleString("en-US")} of {plural(preview.changedTagCount, "changed tag", "changed tags")} are listed.
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function RepositoryList({ title, testId, repositories }: { title: string; testId: string; repositories: PolicyPreviewView["repositoriesTurningRed"] }) {
  if (repositories.length === 0) return null;
  return (
    <div>
      <h3 className="text-sm font-semibold">{title}</h3>
      <ul className="mt-1 space-y-1 text-sm" data-testid={testId}>
        {repositories.map((repository) => (
          <li key={repository.repository} data-repository={repository.repository} className="flex flex-wrap items-center gap-2">
            <span className="font-mono">{repository.repository}</span>
            <GradeMoveText from={repository.from} to={repository.to} />
            <span className="text-slate-600">(latest tag {repository.latestTag})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
