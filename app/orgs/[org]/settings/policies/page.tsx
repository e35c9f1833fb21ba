import type { Metadata } from "next";
import { formatDate } from "@/components/format";
import { PolicyForm } from "@/components/settings/policy-form";
import { policySettingsAction } from "@/app/orgs/[org]/settings/policies/actions";
import { requireViewer } from "@/lib/auth/get-viewer";
import { getPolicySettings } from "@/lib/data/settings/policies";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage({ params }: { params: Promise<{ org: string }> }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const { organization, current, groups, values } = await orNotFound(getPolicySettings(viewer, org));
  // The action takes the organization from this page's URL, not from a form field.
  const action = policySettingsAction.bind(null, organization.name);

  return (
    <div className="space-y-6">
      <section aria-labelledby="policy-version" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="policy-version" className="mb-1 font-semibold">
          Policy configuration
        </h2>
        <p className="text-sm" data-testid="policy-version">
          {current.author === null ? (
            <>
              Version <span className="font-semibold">{current.version}</span>, the built-in default.
            </>
          ) : (
            <>
              Version <span className="font-semibold">{current.version}</span>, saved by {current.author} on {formatDate(current.savedAt)}.
            </>
          )}
        </p>
        <p className="mt-2 text-sm text-slate-600">
          Each tag of {organization.name} is graded by the share of policy weights it earns: a policy that passes earns its weight, one that fails or lacks the data to
          decide earns nothing. A weight of 0 turns a policy off. Preview shows which grades would change; each save adds a version, is recorded in the audit log
          and grades every image of {organization.name} again.
        </p>
      </section>
      <PolicyForm action={action} groups={groups} initialValues={values} currentVersion={current.version} />
    </div>
  );
}
