import Link from "next/link";
import type { ReactNode } from "react";
import { requireViewer } from "@/lib/auth/get-viewer";
import { findOwnedOrganization } from "@/lib/data/settings/find-owned-organization";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";

/** Settings exist only for the organization's owners; everyone else gets the 404 page. */
export default async function SettingsLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string }> }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const organization = await orNotFound(findOwnedOrganization(viewer, org));
  const tabs = [
    { href: `/orgs/${organization.name}/settings/members`, label: "Members" },
    { href: `/orgs/${organization.name}/settings/teams`, label: "Teams and permissions" },
    { href: `/orgs/${organization.name}/settings/audit`, label: "Audit log" },
  ];
  return (
    <div>
      <p className="text-sm text-slate-500">
        <Link href={`/orgs/${organization.name}/repositories`} className="hover:underline">
          {organization.name}
        </Link>
      </p>
      <h1 className="text-2xl font-semibold">Settings</h1>
      <nav className="mt-4 mb-6 flex gap-6 border-b border-slate-200" aria-label="Settings">
        {tabs.map((tab) => (
          <Link key={tab.href} href={tab.href} className="border-b-2 border-transparent px-1 pb-2 text-slate-700 hover:text-slate-900">
            {tab.label}
          </Link>
        ))}
      </nav>
      {children}
    </div>
  );
}
