import { requireViewer } from "@/lib/auth/get-viewer";
import Link from "next/link";
import { listOrganizations } from "@/lib/data/list-organizations";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const viewer = await requireViewer();
  const organizations = await listOrganizations(viewer);
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold">Organizations</h1>
      {organizations.length === 0 ? (
        <p className="text-slate-600">No organization has been synced yet. Set REGISTRY_URL and REGISTRY_ORG, or run the demo with `npm run demo`.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {organizations.map((organization) => (
            <li key={organization.name} className="flex items-center justify-between p-4">
              <Link href={`/orgs/${organization.name}/repositories`} className="font-medium text-blue-700 hover:underline">
                {organization.name}
              </Link>
              <span className="flex items-center gap-4 text-sm text-slate-600">
                <Link href={`/orgs/${organization.name}`} className="text-blue-700 hover:underline">
                  Overview<span className="sr-only"> of {organization.name}</span>
                </Link>
                <span>{organization.repositoryCount} {organization.repositoryCount === 1 ? "repository" : "repositories"}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
