import type { Metadata } from "next";
import Link from "next/link";
import { addRegistryAction, removeRegistryAction, rotateEventTokenAction, syncRegistryNowAction, testRegistryConnectionAction } from "@/app/admin/registries/actions";
import { ActionForm } from "@/components/settings/action-form";
import { RefreshWhileRunning } from "@/components/registries/refresh-while-running";
import { SyncRunTable } from "@/components/registries/sync-run-table";
import { requireViewer } from "@/lib/auth/get-viewer";
import { listRegistries } from "@/lib/data/admin/manage-registries";
import { orNotFound } from "@/lib/data/or-not-found";
import { getEnv, MAX_SYNC_INTERVAL_MINUTES } from "@/lib/env";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Registries" };

const inputClass = "rounded border border-slate-300 px-2 py-1";
const buttonClass = "rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800";
const secondaryButtonClass = "rounded border border-slate-300 bg-white px-3 py-1 text-sm font-medium hover:bg-slate-50";

const kindLabels = { DISTRIBUTION: "OCI Distribution", DOCKERHUB: "Docker Hub", OCI_LAYOUT: "OCI image layout" } as const;

export default async function RegistriesPage() {
  const viewer = await requireViewer();
  const registries = await orNotFound(listRegistries(viewer, getEnv()));
  const syncIntervalMinutes = getEnv().SYNC_INTERVAL_MINUTES;
  const running = registries.some((registry) => registry.waitingSyncs > 0 || registry.syncRuns.some((run) => run.status === "RUNNING"));

  return (
    <div className="space-y-6">
      <RefreshWhileRunning running={running} />
      <p className="text-sm">
        <Link href="/admin" className="text-blue-700 hover:underline">Site administration</Link> / Registries
      </p>
      <h1 className="text-2xl font-semibold">Registries</h1>

      <section aria-labelledby="add-registry" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="add-registry" className="mb-1 font-semibold">Add a registry</h2>
        <p className="mb-3 text-sm text-slate-600">
          Passwords and access tokens are encrypted with SECRETS_KEY and never shown again. The registry from REGISTRY_URL is configured by environment variables.
        </p>
        <ActionForm action={addRegistryAction} label="Add a registry" className="grid gap-3 sm:grid-cols-2">
          <label className="flex flex-col text-sm">
            Kind
            <select name="kind" required className={inputClass} defaultValue="DISTRIBUTION">
              {Object.entries(kindLabels).map(([kind, label]) => (
                <option key={kind} value={kind}>{label}</option>
              ))}
            </select>
          </label>
          <label className="flex flex-col text-sm">
            URL (a folder for an OCI image layout; empty for Docker Hub)
            <input name="url" className={inputClass} placeholder="https://registry.example.com" />
          </label>
          <label className="flex flex-col text-sm">
            Docker Hub API URL (Docker Hub only; empty for https://hub.docker.com)
            <input name="hubApiUrl" className={inputClass} />
          </label>
          <label className="flex flex-col text-sm">
            Organizations to sync, comma-separated
            <input name="organizations" required className={inputClass} placeholder="acme, platform" />
          </label>
          <label className="flex flex-col text-sm">
            Username
            <input name="username" autoComplete="off" className={inputClass} />
          </label>
          <label className="flex flex-col text-sm">
            Password or access token
            <input name="password" type="password" autoComplete="new-password" className={inputClass} />
          </label>
          <label className="flex flex-col text-sm">
            Sync every (minutes; empty for SYNC_INTERVAL_MINUTES)
            <input name="syncIntervalMinutes" type="number" min={1} max={MAX_SYNC_INTERVAL_MINUTES} className={inputClass} />
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input name="insecure" type="checkbox" />
            Allow plain http
          </label>
          <div>
            <button type="submit" className={buttonClass}>Add registry</button>
          </div>
        </ActionForm>
      </section>

      {registries.length === 0 && <p className="text-sm text-slate-600">No registries yet.</p>}
      {registries.map((registry) => (
        <section key={registry.id} aria-label={`Registry ${registry.url}`} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" data-registry={registry.url}>
          <h2 className="font-semibold break-all">
            {kindLabels[registry.kind]}: {registry.url}
          </h2>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-600">Organizations</dt>
            <dd>{registry.organizations.join(", ") || "none"}</dd>
            <dt className="text-slate-600">Credentials</dt>
            <dd>{registry.username ? `${registry.username}, ${registry.hasPassword ? "password stored" : "password from REGISTRY_PASSWORD"}` : "anonymous"}</dd>
            {registry.hubApiUrl && (
              <>
                <dt className="text-slate-600">Docker Hub API</dt>
                <dd className="break-all">{registry.hubApiUrl}</dd>
              </>
            )}
            <dt className="text-slate-600">Scheduled sync</dt>
            <dd>every {registry.syncIntervalMinutes ?? syncIntervalMinutes} minutes</dd>
            <dt className="text-slate-600">Plain http</dt>
            <dd>{registry.insecure ? "allowed" : "not allowed"}</dd>
            <dt className="text-slate-600">Push events</dt>
            <dd className="break-all">{registry.acceptsPushEvents ? <code>{registry.eventPath}</code> : "not accepted (no event token)"}</dd>
          </dl>
          <div className="flex flex-wrap gap-3">
            <ActionForm action={testRegistryConnectionAction} label={`Test the connection to ${registry.url}`}>
              <input type="hidden" name="registryId" value={registry.id} />
              <button type="submit" className={secondaryButtonClass}>Test connection</button>
            </ActionForm>
            <ActionForm action={syncRegistryNowAction} label={`Sync ${registry.url} now`}>
              <input type="hidden" name="registryId" value={registry.id} />
              <button type="submit" className={secondaryButtonClass}>Sync now</button>
            </ActionForm>
            <ActionForm
              action={rotateEventTokenAction}
              label={`Replace the push event token of ${registry.url}`}
              confirmation="The registry's current push event token stops working. Replace it?"
            >
              <input type="hidden" name="registryId" value={registry.id} />
              <button type="submit" className={secondaryButtonClass}>{registry.acceptsPushEvents ? "Replace push event token" : "Create push event token"}</button>
            </ActionForm>
            {!registry.fromEnvironment && (
              <ActionForm
                action={removeRegistryAction}
                label={`Remove ${registry.url}`}
                confirmation={`Remove ${registry.url}? Its organizations keep their repositories and grades but are no longer synced.`}
              >
                <input type="hidden" name="registryId" value={registry.id} />
                <button type="submit" className={secondaryButtonClass}>Remove registry</button>
              </ActionForm>
            )}
          </div>
          {registry.waitingSyncs > 0 && <p className="text-sm text-slate-600" role="status">{registry.waitingSyncs} sync(s) queued or running.</p>}
          <SyncRunTable runs={registry.syncRuns} showOrganization />
        </section>
      ))}
    </div>
  );
}
