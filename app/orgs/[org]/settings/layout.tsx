import Link from "next/link";
import type { ReactNode } from "react";
import { SettingsTabs } from "@/components/settings/settings-tabs";
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
    { href: `/orgs/${organization.name}/settings/policies`, label: "Policies" },
    { href: `/orgs/${organization.name}/settings/exceptions`, label: "Exceptions" },
    { href: `/orgs/${organization.name}/settings/notifications`, label: "Notifications" },
    { href: `/orgs/${organization.name}/settings/registry`, label: "Registry" },
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
      <SettingsTabs tabs={tabs} />
      {children}
    </div>
  );
}
