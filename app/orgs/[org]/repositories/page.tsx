import { requireViewer } from "@/lib/auth/get-viewer";
import Link from "next/link";
import type { Metadata } from "next";
import { GradeBadge } from "@/components/grades/grade-badge";
import { formatDate, formatPercent, repositoryPath } from "@/components/format";
import { SyncStatus } from "@/components/repositories/sync-status";
import { listRepositories } from "@/lib/data/list-repositories";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";
import { TableHead } from "@/components/table-head";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org } = await params;
  return { title: `${org} repositories` };
}

export default async function RepositoriesPage({ params }: { params: Params }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const { organization, repositories, lastSync, isOwner } = await orNotFound(listRepositories(viewer, org));

  return (
    <div>
      <div className="flex items-center gap-4">
        <h1 className="text-2xl font-semibold">{organization}</h1>
        {isOwner && (
          <Link href={`/orgs/${organization}/settings/members`} className="text-sm text-blue-700 hover:underline">
            Settings
          </Link>
        )}
      </div>
      {isOwner && <SyncStatus run={lastSync} />}
      <h2 className="mt-6 mb-3 text-lg font-semibold">Repositories</h2>
      {repositories.length === 0 ? (
        <p className="text-slate-600">
          {isOwner
            ? `No repositories of ${organization} have been synced yet.`
            : `You cannot read any repository of ${organization} yet. Ask an owner to add you to a team with access.`}
        </p>
      ) : (
        <div className="overflow-x-auto">
        <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
          <caption className="sr-only">Repositories of {organization} with the grade of the most recently pushed tag</caption>
          <TableHead columns={[{ label: "Grade" }, { label: "Repository" }, { label: "Last pushed" }, { label: "Tags", align: "right" }]} />
          <tbody>
            {repositories.map((repository) => (
              <tr key={repository.name} className="border-t border-slate-100" data-repository={repository.name}>
                <td className="px-3 py-2">
                  <span className="flex items-center gap-2">
                    <GradeBadge grade={repository.grade} />
                    <span className="whitespace-nowrap text-slate-500">{formatPercent(repository.percent)}</span>
                  </span>
                </td>
                <td className="px-3 py-2">
                  <Link href={`${repositoryPath(repository.name)}/general`} className="font-medium text-blue-700 hover:underline">
                    {repository.name}
                  </Link>
                  {repository.lastSyncError && <span className="ml-2 rounded bg-red-100 px-1.5 text-xs text-red-800" title={repository.lastSyncError}>sync error</span>}
                </td>
                <td className="px-3 py-2">{formatDate(repository.lastPushedAt)}</td>
                <td className="px-3 py-2 text-right">{repository.tagCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </div>
  );
}
