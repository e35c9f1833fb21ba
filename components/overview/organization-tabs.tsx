import Link from "next/link";

/** Renders the organization's name with links between its pages. Settings is shown to owners only. */
export function OrganizationTabs({ organization, active, isOwner }: { organization: string; active: "overview" | "repositories"; isOwner: boolean }) {
  const tabClass = (tab: string) =>
    `border-b-2 px-1 pb-2 ${tab === active ? "border-blue-600 font-semibold text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`;
  return (
    <div className="mb-6">
      <h1 className="text-2xl font-semibold">{organization}</h1>
      <nav className="mt-4 flex gap-6 border-b border-slate-200" aria-label="Organization">
        <Link href={`/orgs/${organization}`} className={tabClass("overview")} aria-current={active === "overview" ? "page" : undefined}>
          Overview
        </Link>
        <Link href={`/orgs/${organization}/repositories`} className={tabClass("repositories")} aria-current={active === "repositories" ? "page" : undefined}>
          Repositories
        </Link>
        {isOwner && (
          <Link href={`/orgs/${organization}/settings/members`} className={tabClass("settings")}>
            Settings
          </Link>
        )}
      </nav>
    </div>
  );
}
