import Link from "next/link";
import { repositoryPath } from "@/components/format";

/** Renders the repository header with Docker Hub's General and Tags tabs. */
export function RepositoryTabs({ repositoryName, active }: { repositoryName: string; active: "general" | "tags" }) {
  const [organization] = repositoryName.split("/");
  const base = repositoryPath(repositoryName);
  const tabClass = (tab: string) =>
    `border-b-2 px-1 pb-2 ${tab === active ? "border-blue-600 font-semibold text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`;
  return (
    <div className="mb-6">
      <p className="text-sm text-slate-500">
        <Link href={`/orgs/${organization}/repositories`} className="hover:underline">
          {organization}
        </Link>
      </p>
      <h1 className="text-2xl font-semibold">{repositoryName}</h1>
      <nav className="mt-4 flex gap-6 border-b border-slate-200" aria-label="Repository">
        <Link href={`${base}/general`} className={tabClass("general")} aria-current={active === "general" ? "page" : undefined}>
          General
        </Link>
        <Link href={`${base}/tags`} className={tabClass("tags")} aria-current={active === "tags" ? "page" : undefined}>
          Tags
        </Link>
      </nav>
    </div>
  );
}
