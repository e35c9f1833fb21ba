import Link from "next/link";
import { formatRepositoryCount } from "@/components/overview/overview-format";
import type { FailingPolicy } from "@/lib/data/get-org-overview";

/** Lists the policies that fail on the most repositories. Each links to the repository list filtered to it. */
export function FailingPoliciesList({ organization, policies }: { organization: string; policies: FailingPolicy[] }) {
  const maxCount = Math.max(1, ...policies.map((policy) => policy.count));
  return (
    <section aria-labelledby="failing-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="failing-heading" className="text-lg font-semibold">
        Policies that fail most
      </h2>
      <p className="mb-3 text-sm text-slate-600">Repositories whose latest tag fails each policy.</p>
      {policies.length === 0 ? (
        <p className="text-slate-600">No policy fails on the latest tag of any repository.</p>
      ) : (
        <ol className="space-y-3" aria-label="Failing policies">
          {policies.map((policy) => (
            <li key={policy.id} data-policy={policy.id}>
              <div className="flex items-baseline justify-between gap-3 text-sm">
                <Link href={`/orgs/${organization}/repositories?failing=${encodeURIComponent(policy.id)}`} className="font-medium text-blue-700 hover:underline">
                  {policy.title}
                </Link>
                <span className="whitespace-nowrap text-slate-600">{formatRepositoryCount(policy.count)}</span>
              </div>
              <div className="mt-1 h-2 rounded bg-slate-100" aria-hidden="true">
                <div className="h-2 rounded bg-grade-red" style={{ width: `${(policy.count / maxCount) * 100}%` }} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
