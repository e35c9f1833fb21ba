import type { Metadata } from "next";
import { syncOrganizationNowAction, testOrganizationRegistryAction } from "@/app/orgs/[org]/settings/registry/actions";
import { RefreshWhileRunning } from "@/components/registries/refresh-while-running";
import { SyncRunTable } from "@/components/registries/sync-run-table";
import { ActionForm } from "@/components/settings/action-form";
import { requireViewer } from "@/lib/auth/get-viewer";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";
import { getEnv } from "@/lib/env";
import { getOrganizationRegistry } from "@/lib/data/settings/organization-registry";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Registry connection" };

const buttonClass = "rounded border border-slate-300 bg-white px-3 py-1 text-sm font-medium hover:bg-slate-50";
const kindLabels = { DISTRIBUTION: "OCI Distribution", DOCKERHUB: "Docker Hub", OCI_LAYOUT: "OCI image layout" } as const;

export default async function OrganizationRegistryPage({ params }: { params: Promise<{ org: string }> }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const { organization, registry, syncRuns, waitingSyncs } = await orNotFound(getOrganizationRegistry(viewer, org));
  const running = waitingSyncs > 0 || syncRuns.some((run) => run.status === "RUNNING");

  return (
    <section aria-labelledby="registry-connection" className="mt-4 space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <RefreshWhileRunning running={running} />
      <h2 id="registry-connection" className="font-semibold">Registry connection</h2>
      {registry === null ? (
        <p className="text-sm text-slate-600">{organization} has no registry yet. A site administrator adds registries and chooses the organizations each one syncs.</p>
      ) : (
        <>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-600">Kind</dt>
            <dd>{kindLabels[registry.kind]}</dd>
            <dt className="text-slate-600">URL</dt>
            <dd className="break-all">{registry.url}</dd>
            <dt className="text-slate-600">Credentials</dt>
            <dd>{registry.username ? `${registry.username}, ${registry.hasPassword ? "password stored" : "password from REGISTRY_PASSWORD"}` : "anonymous"}</dd>
            <dt className="text-slate-600">Scheduled sync</dt>
            <dd>every {registry.syncIntervalMinutes ?? getEnv().SYNC_INTERVAL_MINUTES} minutes</dd>
            <dt className="text-slate-600">Push events</dt>
            <dd className="break-all">{registry.acceptsPushEvents ? <code>{registry.eventPath}</code> : "not accepted (no event token)"}</dd>
          </dl>
          <p className="text-sm text-slate-600">A site administrator changes the registry and its credentials.</p>
          <div className="flex flex-wrap gap-3">
            <ActionForm action={testOrganizationRegistryAction} label="Test the registry connection">
              <input type="hidden" name="org" value={organization} />
              <button type="submit" className={buttonClass}>Test connection</button>
            </ActionForm>
            <ActionForm action={syncOrganizationNowAction} label="Sync now">
              <input type="hidden" name="org" value={organization} />
              <button type="submit" className={buttonClass}>Sync now</button>
            </ActionForm>
          </div>
        </>
      )}
      <SyncRunTable runs={syncRuns} showOrganization={false} />
    </section>
  );
}
